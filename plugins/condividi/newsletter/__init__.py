"""newsletter capability (see the README)."""
