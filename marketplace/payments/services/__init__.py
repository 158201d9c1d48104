"""Payment rules, one module per concern."""
