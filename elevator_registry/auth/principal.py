"""The authenticated caller, as every service sees it."""

from dataclasses import dataclass

from elevator_registry.auth.enums import Role
from elevator_registry.errors import Forbidden


@dataclass(frozen=True)
class Principal:
    """Who is acting: role, binding, and a label for audit (a person's display name)."""

    role: Role | None
    label: str
    organisation_id: int | None = None
    street: str | None = None
    token_id: int | None = None
    # The person acting (a web login, or a token issued to them); None for machine tokens,
    # the CLI and the public.
    user_id: int | None = None

    @property
    def is_public(self) -> bool:
        """True for a caller with no token."""
        return self.role is None

    def require(self, *roles: Role) -> None:
        """Refuses with 403 FORBIDDEN_ROLE unless the caller holds one of `roles`."""
        if self.role not in roles:
            allowed = ", ".join(roles)
            raise Forbidden(
                "FORBIDDEN_ROLE", f"role {self.role or 'public'} may not do this; needs {allowed}"
            )


PUBLIC = Principal(role=None, label="public")
CLI = Principal(role=Role.CLI, label="cli")
