"""incidents domain."""
