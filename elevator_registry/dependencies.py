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

SettingsDep = Annotated[Settings, Depends(get_settings)]

__all__ = [
    "AuthenticatedDep",
    "CallerDep",
    "ClockDep",
    "SessionDep",
    "SettingsDep",
    "StreamingSessionDep",
]
