"""Jinja2 environment of the pages: Chinese labels for the API's codes (filter `zh`), local time."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from elevator_registry.auth.enums import Role
from elevator_registry.config import Settings, get_settings
from elevator_registry.incidents.enums import IncidentEventKind, IncidentKind, IncidentStatus
from elevator_registry.labels import ENUM_LABELS, label
from elevator_registry.maintenance.enums import RecordClass
from elevator_registry.registry.enums import ElevatorStatus
from elevator_registry.rules.catalogue import Severity
from elevator_registry.web import session as web_session_module
from elevator_registry.web.session import WebSession

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

# The pages' names for the label maps (one source: `elevator_registry.labels`).
STATUS_ZH = ENUM_LABELS[IncidentStatus]
EVENT_ZH = ENUM_LABELS[IncidentEventKind]
KIND_ZH = ENUM_LABELS[IncidentKind]
ELEVATOR_STATUS_ZH = ENUM_LABELS[ElevatorStatus]
ESCALATION_ZH = {1: "一级 维保单位", 2: "二级 备用救援单位", 3: "三级 消防119"}
SEVERITY_ZH = ENUM_LABELS[Severity]
ROLE_ZH = ENUM_LABELS[Role]
# A maintenance class reads as the kind of visit ("半月维保"); repair and on-demand already do.
RECORD_CLASS_ZH = {
    value: text if text.endswith(("维保", "维修")) else f"{text}维保"
    for value, text in ENUM_LABELS[RecordClass].items()
}


def message_zh(error: Any) -> str:
    """The Chinese message of a refusal (every DomainError carries one)."""
    return getattr(error, "message_zh", None) or error.message


# What the resident is told at each step: never that help is on its way before someone is sent.
TRACKING_EXPLANATION_ZH = {
    "reported": "已收到报告，96333 座席正在处理。",
    "dispatched": "已派单给救援单位，等待对方接单。",
    "accepted": "救援单位已接单，救援人员正在赶往现场。",
    "arrived": "救援人员已到场，正在处置。",
    "released": "被困人员已解救。",
    "closed": "事件已办结。",
    "self_released": "被困人员已自行脱困，事件已结束。",
    "false_alarm": "经核实为误报，事件已结束。",
    "cancelled": "事件已取消。",
}
AWAITING_RESCUER_ZH = "正在为您联系救援单位：96333 座席正在指派救援人员。情况危急请拨打 119。"


def tracked_explanation(tracked: dict[str, Any]) -> str:
    """The tracking page's one honest sentence about where the rescue stands."""
    if tracked["awaiting_rescuer"]:
        return AWAITING_RESCUER_ZH
    return TRACKING_EXPLANATION_ZH[tracked["status"]]


def _local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(get_settings().timezone)).strftime(fmt)


def _day(value: date | None) -> str:
    return "—" if value is None else value.isoformat()


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f} 元"


def _kpi_value(figure: dict[str, Any]) -> str:
    value = figure["value"]
    if value is None:
        return "无数据"
    if figure["unit"] == "minutes":
        return f"{value:.1f} 分钟"
    if figure["code"] == "trapped_fault_rate":
        return f"{value * 100:.3f}% {PER_ELEVATOR_MONTH}"
    return _percent(value)


COMPARISON_SIGNS = {">=": "≥", "<": "<", "<=": "≤"}
# The fault rate is counted per elevator in use and calendar month (kpi.definitions).
PER_ELEVATOR_MONTH = "每台·月"


def _kpi_target(figure: dict[str, Any]) -> str:
    target = figure["target"]
    if figure["unit"] == "minutes":
        shown = f"{target:g} 分钟"
    elif figure["code"] == "trapped_fault_rate":
        shown = f"{target * 100:g}% {PER_ELEVATOR_MONTH}"
    else:
        shown = f"{target * 100:g}%"
    comparison = str(figure["comparison"])
    return f"{COMPARISON_SIGNS.get(comparison, comparison)} {shown}"


def _build() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters.update(
        local=_local,
        day=_day,
        percent=_percent,
        yuan=_yuan,
        kpi_value=_kpi_value,
        kpi_target=_kpi_target,
        zh_message=message_zh,
        zh=label,
    )
    templates.env.globals.update(
        STATUS_ZH=STATUS_ZH,
        EVENT_ZH=EVENT_ZH,
        KIND_ZH=KIND_ZH,
        ELEVATOR_STATUS_ZH=ELEVATOR_STATUS_ZH,
        ESCALATION_ZH=ESCALATION_ZH,
        SEVERITY_ZH=SEVERITY_ZH,
        ROLE_ZH=ROLE_ZH,
        RECORD_CLASS_ZH=RECORD_CLASS_ZH,
        tracked_explanation=tracked_explanation,
    )
    return templates


TEMPLATES = _build()


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    web_session: WebSession,
    settings: Settings,
    status_code: int = 200,
) -> HTMLResponse:
    """Renders a page with the session's CSRF token, and sets the cookie if the session is new."""
    response = TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "csrf_token": web_session_module.csrf_token(web_session, settings),
            "logged_in": web_session.logged_in,
            **context,
        },
        status_code=status_code,
    )
    web_session_module.store(response, web_session, settings)
    return response
