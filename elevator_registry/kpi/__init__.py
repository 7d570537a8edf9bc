"""kpi domain."""
