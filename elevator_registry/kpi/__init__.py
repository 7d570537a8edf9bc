"""The plan's five KPI targets (DESIGN §5), computed in SQL for any period and grouping."""
