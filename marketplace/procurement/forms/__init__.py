"""Procurement forms (Flask-WTF), one module per page group."""
