"""Government agencies (pemda) and their work units (satker/OPD) that buy."""
