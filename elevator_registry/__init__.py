"""Elevator-safety supervision registry: the bureau's register of every elevator, its actors and rules."""
