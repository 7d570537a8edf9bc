"""sample domain."""
