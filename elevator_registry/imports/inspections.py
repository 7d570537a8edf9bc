"""Importing inspections and self-tests: each row goes through `file_inspection`, the API's path.

The file names the elevator by equipment code, organisations by credit code and the inspection
a re-inspection follows by its report number; they are resolved to ids here, everything else is
checked by the service as for `POST /inspections`. Natural key: (agency, report_number), which
the database also holds unique.
"""

from functools import partial
from typing import Any, ClassVar

from sqlalchemy import select

from elevator_registry.auth.enums import Role
from elevator_registry.errors import Conflict, DomainError, NotFound
from elevator_registry.imports import cells
from elevator_registry.imports.columns import ImportKind
from elevator_registry.imports.service import RowImporter, SourceRow
from elevator_registry.inspection import service as inspection_service
from elevator_registry.inspection.enums import InspectionKind, InspectionResult
from elevator_registry.inspection.models import Inspection
from elevator_registry.inspection.schemas import InspectionCreate
from elevator_registry.registry import identifiers
from elevator_registry.registry.models import Elevator, Organisation

KIND_ALIASES: dict[str, str] = {member.value: member.value for member in InspectionKind} | {
    "监督检验": "installation_supervision",
    "安装监督检验": "installation_supervision",
    "定期检验": "periodic",
    "定检": "periodic",
    "自行检测": "self_test",
    "自检": "self_test",
    "复检": "re_inspection",
    "复检验": "re_inspection",
}
RESULT_ALIASES: dict[str, str] = {member.value: member.value for member in InspectionResult} | {
    "合格": "pass",
    "不合格": "fail",
    "整改后合格": "pass_after_rectification",
    "复检合格": "pass_after_rectification",
}
ORGANISATION_COLUMNS = {
    "agency_credit_code": "agency_id",
    "self_tester_credit_code": "self_tester_id",
}
PARSERS: dict[str, Any] = {
    "equipment_code": cells.text,
    "kind": cells.Choice(KIND_ALIASES),
    "performed_on": cells.day,
    "result": cells.Choice(RESULT_ALIASES),
    "report_number": cells.text,
    "agency_credit_code": cells.text,
    "follows_report_number": cells.text,
    "self_tester_credit_code": cells.text,
}


class InspectionImporter(RowImporter):
    """Inspections and self-tests, natural key (agency, report_number)."""

    kind = ImportKind.INSPECTIONS
    entity = "inspection"
    field_columns: ClassVar[dict[str, str]] = {
        "elevator_id": "equipment_code",
        "follows_id": "follows_report_number",
        "agency_id": "agency_credit_code",
        "self_tester_id": "self_tester_credit_code",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._organisations: dict[str, int | None] = {}

    def process(self, rows: list[SourceRow]) -> None:
        for row in rows:
            values = self.parse(row, PARSERS)
            if values is None or not self._resolve(row, values):
                continue
            agency_id = (
                self.context.actor.organisation_id
                if self.context.actor.role == Role.INSPECTION_AGENCY
                else values.get("agency_id")
            )
            if self._present(agency_id, values.get("report_number")):
                self.tally.skip()
                continue
            data = self.validate(row, InspectionCreate, values)
            if data is None:
                continue
            self.write_one(
                row,
                partial(
                    inspection_service.file_inspection,
                    self.session,
                    data=data,
                    actor=self.context.actor,
                    today=self.context.today,
                    now=self.context.now,
                ),
            )

    def _present(self, agency_id: int | None, report_number: str | None) -> bool:
        if agency_id is None or report_number is None:
            return False
        return (
            self.session.scalar(
                select(Inspection.id).where(
                    Inspection.agency_id == agency_id, Inspection.report_number == report_number
                )
            )
            is not None
        )

    def _resolve(self, row: SourceRow, values: dict[str, Any]) -> bool:
        """Replaces equipment code, credit codes and the followed report number by ids."""
        errors = []
        code = values.pop("equipment_code", None)
        if code is not None:
            elevator_id = self.session.scalar(
                select(Elevator.id).where(Elevator.equipment_code == code.upper())
            )
            if elevator_id is None:
                errors.append(self.elevator_not_found(row.number, code))
            values["elevator_id"] = elevator_id
        for column, api_field in ORGANISATION_COLUMNS.items():
            credit_code = values.pop(column, None)
            if credit_code is None:
                continue
            try:
                values[api_field] = self._organisation_id(credit_code, column)
            except DomainError as error:
                errors.append(self.domain_error(row, error, column))
        follows = values.pop("follows_report_number", None)
        if follows is not None and values.get("elevator_id") is not None:
            try:
                values["follows_id"] = self._followed(values["elevator_id"], follows)
            except DomainError as error:
                errors.append(self.domain_error(row, error, "follows_report_number"))
        if errors:
            self.tally.fail(errors)
            return False
        return True

    def _organisation_id(self, credit_code: str, column: str) -> int:
        code = identifiers.validate_credit_code(credit_code, field=column)
        if code not in self._organisations:
            self._organisations[code] = self.session.scalar(
                select(Organisation.id).where(Organisation.credit_code == code)
            )
        found = self._organisations[code]
        if found is None:
            raise NotFound("organisation", code)
        return found

    def _followed(self, elevator_id: int, report_number: str) -> int:
        found = self.session.scalar(
            select(Inspection.id)
            .where(Inspection.elevator_id == elevator_id, Inspection.report_number == report_number)
            .order_by(Inspection.performed_on.desc(), Inspection.id.desc())
            .limit(1)
        )
        if found is None:
            raise Conflict(
                "REINSPECTION_TARGET_INVALID",
                f"follows_report_number: elevator {elevator_id} has no inspection with report "
                f"number {report_number}",
                field="follows_id",
                message_zh=f"该电梯没有报告编号为“{report_number}”的检验",
            )
        return found
