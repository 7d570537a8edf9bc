"""Request bodies and rows for the evidence tests (records, inspections, hazards…)."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from elevator_registry.inspection.models import Inspection
from elevator_registry.maintenance.service import id_number_check_character
from elevator_registry.registry.models import Elevator, Organisation
from tests.conftest import NOW

# A syntactically valid 18-character certificate (ID-style) number, and one with a bad check.
CERTIFIED = "50022219900101123" + id_number_check_character("50022219900101123")
BAD_CHECK = CERTIFIED[:17] + ("0" if CERTIFIED[17] != "0" else "1")
LEGACY_CERTIFIED = "T3100012345"


def crew(*, certified: bool = True, size: int = 2) -> list[dict[str, Any]]:
    """A crew of `size` workers, the first one certified."""
    names = ["张伟", "李强", "王磊", "赵敏"]
    return [
        {
            "name": names[index],
            "certificate_number": CERTIFIED if certified and index == 0 else None,
        }
        for index in range(size)
    ]


def record_body(elevator: Elevator, **overrides: Any) -> dict[str, Any]:
    """A valid maintenance record for `elevator`, five days before the test's now."""
    body: dict[str, Any] = {
        "elevator_id": elevator.id,
        "record_class": "half_month",
        "performed_at": (NOW - timedelta(days=5)).isoformat(),
        "workers": crew(),
        "items_done": ["机房、滑轮间环境", "手动紧急操作装置", "驱动主机运行"],
        "findings": "正常",
        "parts_replaced": [],
    }
    return body | overrides


def revision_body(**overrides: Any) -> dict[str, Any]:
    """A valid revision body."""
    body: dict[str, Any] = {
        "record_class": "half_month",
        "performed_at": (NOW - timedelta(days=5)).isoformat(),
        "workers": crew(),
        "items_done": ["机房、滑轮间环境", "手动紧急操作装置", "驱动主机运行", "门锁触点"],
        "findings": "门锁触点氧化，已清洁",
        "parts_replaced": [],
        "reason": "补录门锁触点检查",
    }
    return body | overrides


def inspection(
    session: Session,
    elevator: Elevator,
    agency: Organisation,
    *,
    kind: str = "periodic",
    performed_on: date,
    result: str = "pass",
    follows: Inspection | None = None,
    number: str | None = None,
) -> Inspection:
    """An inspection row straight through the ORM."""
    row = Inspection(
        elevator_id=elevator.id,
        agency_id=agency.id,
        kind=kind,
        performed_on=performed_on,
        result=result,
        report_number=number or f"R-{elevator.id}-{performed_on.isoformat()}-{kind}",
        follows_id=follows.id if follows else None,
        filed_by="test",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    session.add(row)
    session.flush()
    return row
