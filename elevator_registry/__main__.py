"""`python -m elevator_registry` runs the same CLI as the `elevator-registry` console script."""

from elevator_registry.cli import app

app(prog_name="elevator-registry")
