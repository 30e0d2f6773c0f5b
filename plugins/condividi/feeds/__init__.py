"""feeds capability (see the README)."""
