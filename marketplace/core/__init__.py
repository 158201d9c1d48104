"""Pieces every domain shares: database base, time, money, audit, permissions, lifecycles, task enqueueing."""
