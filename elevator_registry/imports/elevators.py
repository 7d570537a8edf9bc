"""Importing elevators: each row goes through `create_elevator`, the API's own path.

Organisations are named by credit code in the file and resolved to ids here; everything else
(identifiers, street, references and their roles, dates, NO_USER_UNIT for `in_use` rows…) is
checked by the service exactly as for `POST /elevators`.

Streets: the district's 街道 and 镇 are a fixed list (`sample/qijiang.json`, the real names and
arrival deadlines of 綦江区). A row naming one of them that is not in the database yet adds it
(audited), so the ledger imports into an empty database; any other name is STREET_UNKNOWN.

Contract: a row may carry the lift's current maintenance contract (`maintenance_unit_credit_code`
and the `contract_*` columns), filed by `create_contract` — the route's service, with its
eligibility, on-demand and overlap checks — in the same savepoint as the elevator, so a refused
contract refuses the row.
"""

import json
from functools import cache, partial
from typing import Any, ClassVar

from sqlalchemy import select

from elevator_registry.audit import service as audit
from elevator_registry.errors import DomainError, NotFound
from elevator_registry.imports import cells
from elevator_registry.imports.columns import ImportKind
from elevator_registry.imports.service import RowImporter, SourceRow
from elevator_registry.registry import contracts as contract_service
from elevator_registry.registry import elevators as elevator_service
from elevator_registry.registry import identifiers
from elevator_registry.registry.enums import (
    ContractMode,
    ElevatorStatus,
    ElevatorType,
    PlaceCategory,
)
from elevator_registry.registry.models import Elevator, Organisation, Street
from elevator_registry.registry.schemas import ContractCreate, ElevatorCreate
from elevator_registry.sample.generator import REFERENCE_PATH

TYPE_ALIASES: dict[str, str] = {member.value: member.value for member in ElevatorType} | {
    "曳引驱动乘客电梯": "3110",
    "乘客电梯": "3110",
    "曳引驱动载货电梯": "3120",
    "载货电梯": "3120",
    "强制驱动载货电梯": "3130",
    "液压乘客电梯": "3210",
    "液压载货电梯": "3220",
    "自动扶梯": "3310",
    "自动人行道": "3320",
    "防爆电梯": "3410",
    "消防员电梯": "3420",
    "消防电梯": "3420",
    "杂物电梯": "3430",
}
PLACE_ALIASES: dict[str, str] = {member.value: member.value for member in PlaceCategory} | {
    "住宅": "residential",
    "住宅小区": "residential",
    "学校": "school",
    "幼儿园": "kindergarten",
    "医院": "hospital",
    "医疗机构": "hospital",
    "车站": "station",
    "火车站": "station",
    "汽车站": "station",
    "地铁站": "station",
    "客运码头": "passenger_terminal",
    "码头": "passenger_terminal",
    "机场": "passenger_terminal",
    "商场": "mall",
    "购物中心": "mall",
    "超市": "mall",
    "体育场馆": "stadium",
    "体育馆": "stadium",
    "展览馆": "exhibition_hall",
    "展馆": "exhibition_hall",
    "公园": "park",
    "景区": "scenic_spot",
    "旅游景区": "scenic_spot",
    "办公楼": "office",
    "写字楼": "office",
    "工厂": "factory",
    "厂房": "factory",
    "其他": "other",
    "其它": "other",
}
STATUS_ALIASES: dict[str, str] = {member.value: member.value for member in ElevatorStatus} | {
    "已登记": "registered",
    "登记": "registered",
    "未投用": "registered",
    "在用": "in_use",
    "使用中": "in_use",
    "停用": "suspended",
    "报废": "scrapped",
}

MODE_ALIASES: dict[str, str] = {member.value: member.value for member in ContractMode} | {
    "常规": "regular",
    "常规维保": "regular",
    "按需": "on_demand",
    "按需维保": "on_demand",
    "全包": "full_package",
    "大包": "major_package",
}

ORGANISATION_COLUMNS = {
    "user_unit_credit_code": "user_unit_id",
    "manufacturer_credit_code": "manufacturer_id",
    "installer_credit_code": "installer_id",
}
# Contract columns → ContractCreate fields (the maintenance unit is resolved by credit code).
CONTRACT_COLUMNS = {
    "contract_start_date": "start_date",
    "contract_end_date": "end_date",
    "contract_mode": "mode",
    "contract_interval_days": "maintenance_interval_days",
}

PARSERS: dict[str, Any] = {
    "equipment_code": cells.text,
    "rescue_code": cells.text,
    "type_code": cells.Choice(TYPE_ALIASES),
    "registration_number": cells.text,
    "registered_on": cells.day,
    "street": cells.text,
    "address": cells.text,
    "place_category": cells.Choice(PLACE_ALIASES),
    "status": cells.Choice(STATUS_ALIASES),
    "commissioned_on": cells.day,
    "user_unit_credit_code": cells.text,
    "manufacturer_credit_code": cells.text,
    "installer_credit_code": cells.text,
    "model": cells.text,
    "product_serial": cells.text,
    "rated_load_kg": cells.integer,
    "rated_speed_mps": cells.decimal,
    "floors": cells.integer,
    "stops": cells.integer,
    "doors": cells.integer,
    "manufactured_on": cells.day,
    "installation_inspected_on": cells.day,
    "modernised_on": cells.day,
    "community": cells.text,
    "building": cells.text,
    "unit": cells.text,
    "in_house_number": cells.text,
    "latitude": cells.decimal,
    "longitude": cells.decimal,
    "has_property_management": cells.boolean,
    "has_repair_fund": cells.boolean,
    "added_to_old_building": cells.boolean,
    "iot_terminal_fitted": cells.boolean,
    "emergency_levelling_fitted": cells.boolean,
    "maintenance_unit_credit_code": cells.text,
    "contract_start_date": cells.day,
    "contract_end_date": cells.day,
    "contract_mode": cells.Choice(MODE_ALIASES),
    "contract_interval_days": cells.integer,
}


@cache
def district_streets() -> dict[str, dict[str, Any]]:
    """The district's streets and towns by name: the rows a `street` may add."""
    reference = json.loads(REFERENCE_PATH.read_text(encoding="utf-8"))
    return {
        street["name"]: {
            "name": street["name"],
            "district": reference["district"],
            "kind": street["kind"],
            "arrival_deadline_minutes": street["arrival_deadline_minutes"],
        }
        for street in reference["streets"]
    }


class ElevatorImporter(RowImporter):
    """Elevators, natural key `equipment_code`."""

    kind = ImportKind.ELEVATORS
    entity = "elevator"
    field_columns: ClassVar[dict[str, str]] = (
        {api: column for column, api in ORGANISATION_COLUMNS.items()}
        | {api: column for column, api in CONTRACT_COLUMNS.items()}
        | {"maintenance_unit_id": "maintenance_unit_credit_code"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._organisation_ids: dict[str, int | None] = {}
        self._streets: set[str] = set()

    def process(self, rows: list[SourceRow]) -> None:
        for row in rows:
            values = self.parse(row, PARSERS)
            if values is None:
                continue
            code = values.get("equipment_code")
            if code is not None and self._present(code):
                self.tally.skip()
                continue
            contract_values = {
                api: values.pop(column)
                for column, api in CONTRACT_COLUMNS.items()
                if column in values
            }
            unit_code = values.pop("maintenance_unit_credit_code", None)
            if not self._resolve_organisations(row, values):
                continue
            contract = self._contract(row, unit_code, contract_values)
            if contract is False:
                continue
            data = self.validate(row, ElevatorCreate, values)
            if data is None:
                continue
            self.write_one(row, partial(self._create, data, contract))

    def _create(self, data: ElevatorCreate, contract: ContractCreate | None) -> Elevator:
        """The elevator (adding its district street if new), then its contract."""
        context = self.context
        self._add_district_street(data.street)
        elevator = elevator_service.create_elevator(
            self.session,
            data=data,
            actor=context.actor,
            settings=context.settings,
            today=context.today,
            now=context.now,
        )
        if contract is not None:
            self.session.flush()
            contract_service.create_contract(
                self.session,
                data=contract.model_copy(update={"elevator_id": elevator.id}),
                actor=context.actor,
                settings=context.settings,
                today=context.today,
                now=context.now,
            )
        return elevator

    def _add_district_street(self, name: str) -> None:
        row = district_streets().get(name.strip())
        if row is None or name in self._streets:
            return  # not the district's (the service refuses it), or known to be stored
        if self.session.scalar(select(Street.id).where(Street.name == row["name"])) is None:
            street = Street(**row)
            self.session.add(street)
            self.session.flush()
            audit.record(
                self.session,
                actor=self.context.actor,
                at=self.context.now,
                action="create",
                row=street,
            )
        else:
            # Only a street found stored is remembered: one added with this row is undone if
            # the row is refused, and the next row must add it again.
            self._streets.add(name)

    def _contract(
        self, row: SourceRow, unit_code: str | None, values: dict[str, Any]
    ) -> ContractCreate | bool | None:
        """The row's contract (elevator id to be filled in), None if it has none, False if bad."""
        if unit_code is None:
            if not values:
                return None
            unit_column = self.context.column_name("maintenance_unit_credit_code")
            self.tally.fail(
                [
                    self.context.row_error(
                        row.number,
                        "maintenance_unit_credit_code",
                        "VALIDATION_ERROR",
                        "maintenance_unit_credit_code is required when contract columns are filled",
                        f"填写了维保合同时，{unit_column}为必填项",
                    )
                ]
            )
            return False
        try:
            values["maintenance_unit_id"] = self._organisation_id(
                unit_code, "maintenance_unit_credit_code"
            )
        except DomainError as error:
            self.tally.fail([self.domain_error(row, error, "maintenance_unit_credit_code")])
            return False
        # The elevator id is not known before the elevator is written; 1 stands in for it.
        contract = self.validate(row, ContractCreate, values | {"elevator_id": 1})
        return False if contract is None else contract

    def _present(self, equipment_code: str) -> bool:
        # The service stores the code stripped and upper-cased; look it up the same way.
        code = equipment_code.strip().upper()
        return (
            self.session.scalar(select(Elevator.id).where(Elevator.equipment_code == code))
            is not None
        )

    def _resolve_organisations(self, row: SourceRow, values: dict[str, Any]) -> bool:
        """Replaces credit-code columns by the ids the API takes; fails the row if unknown."""
        errors = []
        for column, api_field in ORGANISATION_COLUMNS.items():
            credit_code = values.pop(column, None)
            if credit_code is None:
                continue
            try:
                values[api_field] = self._organisation_id(credit_code, column)
            except DomainError as error:
                errors.append(self.domain_error(row, error, column))
        if errors:
            self.tally.fail(errors)
            return False
        return True

    def _organisation_id(self, credit_code: str, column: str) -> int:
        code = identifiers.validate_credit_code(credit_code, field=column)
        if code not in self._organisation_ids:
            self._organisation_ids[code] = self.session.scalar(
                select(Organisation.id).where(Organisation.credit_code == code)
            )
        found = self._organisation_ids[code]
        if found is None:
            raise NotFound("organisation", code)
        return found
