"""Roles of API callers."""

from enum import StrEnum


class Role(StrEnum):
    """Who is calling; the organisation-bound ones carry an organisation id."""

    BUREAU = "bureau"
    STREET_OFFICE = "street_office"
    MAINTENANCE_UNIT = "maintenance_unit"
    USER_UNIT = "user_unit"
    INSPECTION_AGENCY = "inspection_agency"
    OPERATOR = "operator"
    IOT_PLATFORM = "iot_platform"
    CLI = "cli"

    @classmethod
    def organisation_bound(cls) -> frozenset["Role"]:
        """Roles whose token names the organisation it acts for."""
        return frozenset({cls.MAINTENANCE_UNIT, cls.USER_UNIT, cls.INSPECTION_AGENCY})

    @classmethod
    def token_roles(cls) -> frozenset["Role"]:
        """Roles an API token can carry (the CLI acts locally, without a token)."""
        return frozenset(set(cls) - {cls.CLI})
