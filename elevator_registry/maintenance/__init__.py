"""maintenance domain."""
