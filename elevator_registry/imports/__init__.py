"""Bulk import of ledgers (台账): organisations, elevators, maintenance records, inspections."""
