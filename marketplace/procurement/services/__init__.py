"""Procurement rules, one module per concern: each move checks permission and state, audits and commits once."""
