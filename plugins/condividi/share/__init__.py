"""share capability (see the README)."""
