"""Shared FastAPI dependencies: session, clock, settings, caller."""

from typing import Annotated

from fastapi import Depends

from elevator_registry.auth.dependencies import (
    AuthenticatedDep,
    CallerDep,
    ClockDep,
    SessionDep,
    StreamingSessionDep,
)
from elevator_registry.config import Settings, get_settings


async def current_settings() -> Settings:
    """FastAPI dependency: the process-wide settings.

    Async on purpose: FastAPI runs a plain function dependency in a worker thread, a round trip
    through the thread pool on every request just to return a cached object."""
    return get_settings()


SettingsDep = Annotated[Settings, Depends(current_settings)]

__all__ = [
    "AuthenticatedDep",
    "CallerDep",
    "ClockDep",
    "SessionDep",
    "SettingsDep",
    "StreamingSessionDep",
]
