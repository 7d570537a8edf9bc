"""The DomainError family: every refusal carries an HTTP status and a stable machine-readable code.

Rendered by one handler as `{"error": {"code", "message", "field"?, "rule"?}}`. Codes are a
public contract: clients branch on them, so never rename one.
"""

from collections.abc import Iterable, Mapping
from typing import ClassVar


class DomainError(Exception):
    """A refusal the client can act on."""

    status_code: ClassVar[int] = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        rule: str | None = None,
        message_zh: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.rule = rule
        self.message_zh = message_zh

    def as_dict(self) -> dict[str, str]:
        """The `error` object of the envelope, without empty keys."""
        body = {"code": self.code, "message": self.message}
        if self.message_zh is not None:
            body["message_zh"] = self.message_zh
        if self.field is not None:
            body["field"] = self.field
        if self.rule is not None:
            body["rule"] = self.rule
        return body


class InvalidValue(DomainError):
    """A value that is well-typed but not valid (an identifier with a wrong check character...)."""

    status_code = 422


def refuse_clearing(changes: Mapping[str, object], required: Iterable[str]) -> None:
    """422 FIELD_REQUIRED when an update sets to null a field its record cannot be without.

    Leaving a field out keeps it; null is a request to erase it, which the database's NOT NULL
    would otherwise turn into a 409 that names no field.
    """
    for field in required:
        if field in changes and changes[field] is None:
            raise InvalidValue("FIELD_REQUIRED", f"{field} cannot be cleared", field=field)


class AuthenticationRequired(DomainError):
    """No credentials, or credentials that identify no one."""

    status_code = 401


class Forbidden(DomainError):
    """The caller is known but may not do this (role) or not to this record (scope)."""

    status_code = 403


class NotFound(DomainError):
    """The record does not exist, or the caller may not know that it exists."""

    status_code = 404

    def __init__(self, entity: str, identifier: object) -> None:
        super().__init__(
            f"{entity.upper()}_NOT_FOUND", f"{entity.replace('_', ' ')} {identifier} not found"
        )


class Conflict(DomainError):
    """The request clashes with existing state (a duplicate, a state that does not allow it)."""

    status_code = 409


class RuleViolation(Conflict):
    """Refused by a named rule of the plan or the law; `rule` is its code in the catalogue."""

    def __init__(self, rule: str, message: str, *, field: str | None = None) -> None:
        super().__init__(rule, message, field=field, rule=rule)
