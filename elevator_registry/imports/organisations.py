"""Importing organisations: each row goes through `create_organisation`, the API's own path.

A row may carry one licence (`licence_*` columns), granted by `add_licence` (the path of
`POST /organisations/{id}/licences`, with its LICENCE_BAN and number checks) in the same savepoint
as the organisation. A row whose organisation is already present adds its licence if that
(kind, number) is new — how a file lists an organisation's second licence — and is skipped
otherwise; the organisation itself is never updated.
"""

import re
from functools import partial
from typing import ClassVar

from sqlalchemy import select

from elevator_registry.errors import DomainError
from elevator_registry.imports import cells
from elevator_registry.imports.columns import ImportKind
from elevator_registry.imports.service import RowImporter, SourceRow
from elevator_registry.registry import identifiers
from elevator_registry.registry import organisations as organisation_service
from elevator_registry.registry.enums import LicenceKind, OrganisationRole
from elevator_registry.registry.models import Licence, Organisation
from elevator_registry.registry.schemas import LicenceCreate, OrganisationCreate

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


LICENCE_ALIASES: dict[str, str] = {kind.value: kind.value for kind in LicenceKind} | {
    "安装改造修理": "installation_maintenance",
    "安装改造修理许可": "installation_maintenance",
    "安装维修": "installation_maintenance",
    "维保": "installation_maintenance",
    "制造": "manufacture",
    "制造许可": "manufacture",
    "检验": "inspection",
    "检验检测": "inspection",
    "检验许可": "inspection",
}
# Licence columns → LicenceCreate fields.
LICENCE_COLUMNS = {
    "licence_kind": "kind",
    "licence_number": "number",
    "licence_valid_from": "valid_from",
    "licence_valid_until": "valid_until",
}

ROLE_SEPARATORS = re.compile(r"[;；、,，|\n]")


PARSERS = {
    "credit_code": cells.text,
    "name": cells.text,
    # Roles separated by ; 、 , or |, each an English name or a Chinese alias.
    "roles": cells.Choice(ROLE_ALIASES, ROLE_SEPARATORS),
    "duty_phone": cells.text,
    "contact_name": cells.text,
    "address": cells.text,
    "licence_kind": cells.Choice(LICENCE_ALIASES),
    "licence_number": cells.text,
    "licence_valid_from": cells.day,
    "licence_valid_until": cells.day,
}


class OrganisationImporter(RowImporter):
    """Organisations, natural key `credit_code`."""

    kind = ImportKind.ORGANISATIONS
    entity = "organisation"

    field_columns: ClassVar[dict[str, str]] = {
        api: column for column, api in LICENCE_COLUMNS.items()
    }

    def process(self, rows: list[SourceRow]) -> None:
        for row in rows:
            values = self.parse(row, PARSERS)
            if values is None:
                continue
            licence_values = {
                api: values.pop(column)
                for column, api in LICENCE_COLUMNS.items()
                if column in values
            }
            licence = None
            if licence_values:
                licence = self.validate(row, LicenceCreate, licence_values)
                if licence is None:
                    continue
            present = self._present(values.get("credit_code"))
            if present is not None:
                if licence is None or self._licence_present(licence):
                    self.tally.skip()
                else:
                    self._add_licence(row, present, licence)
                continue
            data = self.validate(row, OrganisationCreate, values)
            if data is None:
                continue
            self.write_one(row, partial(self._create, data, licence))

    def _create(self, data: OrganisationCreate, licence: LicenceCreate | None) -> Organisation:
        """The organisation, then its licence."""
        organisation = organisation_service.create_organisation(
            self.session, data=data, actor=self.context.actor, now=self.context.now
        )
        if licence is not None:
            self.session.flush()
            self._grant(organisation.id, licence)
        return organisation

    def _grant(self, organisation_id: int, licence: LicenceCreate) -> Licence:
        context = self.context
        return organisation_service.add_licence(
            self.session,
            organisation_id=organisation_id,
            data=licence,
            actor=context.actor,
            settings=context.settings,
            today=context.today,
            now=context.now,
        )

    def _add_licence(self, row: SourceRow, organisation_id: int, licence: LicenceCreate) -> None:
        """Adds a licence to a stored organisation; counted as written, not as an organisation."""
        try:
            with self.session.begin_nested():
                self._grant(organisation_id, licence)
                self.session.flush()
        except DomainError as error:
            self.tally.fail([self.domain_error(row, error)])
        else:
            self.tally.rows_valid += 1

    def _licence_present(self, licence: LicenceCreate) -> bool:
        return (
            self.session.scalar(
                select(Licence.id).where(
                    Licence.kind == licence.kind, Licence.number == licence.number
                )
            )
            is not None
        )

    def _present(self, credit_code: str | None) -> int | None:
        """The id of the stored organisation with this credit code, if any."""
        if credit_code is None:
            return None
        try:
            code = identifiers.validate_credit_code(credit_code)
        except DomainError:
            return None  # the service refuses it, with its own message
        return self.session.scalar(select(Organisation.id).where(Organisation.credit_code == code))
