"""Operator back office: cooperatives, agencies, users, audit log."""
