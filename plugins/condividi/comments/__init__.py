"""comments capability (see the README)."""
