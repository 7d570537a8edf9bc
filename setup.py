"""Packaging glue pyproject.toml cannot express: the top-level `alembic/` folder (the Alembic
environment and versions) ships inside the wheel as `elevator_registry/alembic`, so a plain
install can `elevator-registry db upgrade` from any folder. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["elevator_registry*"]),
        "elevator_registry.alembic",
        "elevator_registry.alembic.versions",
    ],
    package_dir={"elevator_registry.alembic": "alembic"},
)
