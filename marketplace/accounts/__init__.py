"""People: sign-in, roles, profiles, tokens."""
