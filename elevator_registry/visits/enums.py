"""Phases of a visit photo and how the second worker's presence is known."""

from enum import StrEnum


class PhotoPhase(StrEnum):
    """A checkpoint is photographed before the work and after it."""

    BEFORE = "before"
    AFTER = "after"


class Presence(StrEnum):
    """How the record knows the second worker was there."""

    CONFIRMED_BY_OWN_ACCOUNT = "confirmed_by_own_account"
    ENTERED_BY_FIRST = "entered_by_first"
