"""Importing elevators: each row goes through `create_elevator`, the API's own path.

Organisations are named by credit code in the file and resolved to ids here; everything else
(identifiers, street, references and their roles, dates, NO_USER_UNIT for `in_use` rows…) is
checked by the service exactly as for `POST /elevators`.
"""

from functools import partial
from typing import Any, ClassVar

from sqlalchemy import select

from elevator_registry.errors import DomainError, NotFound
from elevator_registry.imports import cells
from elevator_registry.imports.columns import ImportKind
from elevator_registry.imports.service import RowImporter, SourceRow
from elevator_registry.registry import elevators as elevator_service
from elevator_registry.registry import identifiers
from elevator_registry.registry.enums import ElevatorStatus, ElevatorType, PlaceCategory
from elevator_registry.registry.models import Elevator, Organisation
from elevator_registry.registry.schemas import ElevatorCreate

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

ORGANISATION_COLUMNS = {
    "user_unit_credit_code": "user_unit_id",
    "manufacturer_credit_code": "manufacturer_id",
    "installer_credit_code": "installer_id",
}

PARSERS: dict[str, Any] = {
    "equipment_code": cells.text,
    "rescue_code": cells.text,
    "type_code": lambda value: cells.choice(value, TYPE_ALIASES),
    "registration_number": cells.text,
    "registered_on": cells.day,
    "street": cells.text,
    "address": cells.text,
    "place_category": lambda value: cells.choice(value, PLACE_ALIASES),
    "status": lambda value: cells.choice(value, STATUS_ALIASES),
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
}


class ElevatorImporter(RowImporter):
    """Elevators, natural key `equipment_code`."""

    kind = ImportKind.ELEVATORS
    entity = "elevator"
    field_columns: ClassVar[dict[str, str]] = {
        api: column for column, api in ORGANISATION_COLUMNS.items()
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._organisation_ids: dict[str, int | None] = {}

    def process(self, rows: list[SourceRow]) -> None:
        for row in rows:
            values = self.parse(row, PARSERS)
            if values is None:
                continue
            code = values.get("equipment_code")
            if code is not None and self._present(code):
                self.tally.skip()
                continue
            if not self._resolve_organisations(row, values):
                continue
            data = self.validate(row, ElevatorCreate, values)
            if data is None:
                continue
            self.write_one(
                row,
                partial(
                    elevator_service.create_elevator,
                    self.session,
                    data=data,
                    actor=self.context.actor,
                    settings=self.context.settings,
                    today=self.context.today,
                    now=self.context.now,
                ),
            )

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
                errors.append(self.context.row_error(row.number, column, error.code, error.message))
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
