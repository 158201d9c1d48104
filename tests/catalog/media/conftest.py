"""The media tests use the catalog fixtures of tests/catalog/conftest.py."""
