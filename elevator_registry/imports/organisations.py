"""Importing organisations: each row goes through `create_organisation`, the API's own path."""

import re
from functools import partial
from typing import Any

from sqlalchemy import select

from elevator_registry.errors import DomainError
from elevator_registry.imports import cells
from elevator_registry.imports.columns import ImportKind
from elevator_registry.imports.service import RowImporter, SourceRow
from elevator_registry.registry import identifiers
from elevator_registry.registry import organisations as organisation_service
from elevator_registry.registry.enums import OrganisationRole
from elevator_registry.registry.models import Organisation
from elevator_registry.registry.schemas import OrganisationCreate

ROLE_ALIASES: dict[str, str] = {role.value: role.value for role in OrganisationRole} | {
    "制造单位": "manufacturer",
    "制造": "manufacturer",
    "制造商": "manufacturer",
    "安装单位": "installer",
    "安装": "installer",
    "维保单位": "maintainer",
    "维保": "maintainer",
    "维护保养单位": "maintainer",
    "检验机构": "inspection_agency",
    "检验检测机构": "inspection_agency",
    "检验": "inspection_agency",
    "使用单位": "user_unit",
    "使用": "user_unit",
    "保险公司": "insurer",
    "保险机构": "insurer",
    "保险": "insurer",
}


ROLE_SEPARATORS = re.compile(r"[;；、,，|\n]")


def roles(value: Any) -> list[str]:
    """Roles separated by ; 、 , or |, each an English name or a Chinese alias."""
    return [cells.choice(item, ROLE_ALIASES) for item in cells.listing(value, ROLE_SEPARATORS)]


PARSERS = {
    "credit_code": cells.text,
    "name": cells.text,
    "roles": roles,
    "duty_phone": cells.text,
    "contact_name": cells.text,
    "address": cells.text,
}


class OrganisationImporter(RowImporter):
    """Organisations, natural key `credit_code`."""

    kind = ImportKind.ORGANISATIONS
    entity = "organisation"

    def process(self, rows: list[SourceRow]) -> None:
        for row in rows:
            values = self.parse(row, PARSERS)
            if values is None:
                continue
            if self._present(values.get("credit_code")):
                self.tally.skip()
                continue
            data = self.validate(row, OrganisationCreate, values)
            if data is None:
                continue
            self.write_one(
                row,
                partial(
                    organisation_service.create_organisation,
                    self.session,
                    data=data,
                    actor=self.context.actor,
                    now=self.context.now,
                ),
            )

    def _present(self, credit_code: str | None) -> bool:
        if credit_code is None:
            return False
        try:
            code = identifiers.validate_credit_code(credit_code)
        except DomainError:
            return False  # the service refuses it, with its own message
        return (
            self.session.scalar(select(Organisation.id).where(Organisation.credit_code == code))
            is not None
        )
