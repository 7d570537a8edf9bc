"""inspection domain."""
