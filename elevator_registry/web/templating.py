"""Jinja2 environment of the pages: Chinese labels for the API's codes, local-time formatting."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from elevator_registry.config import Settings, get_settings
from elevator_registry.web import session as web_session_module
from elevator_registry.web.session import WebSession

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

STATUS_ZH = {
    "reported": "已接报",
    "dispatched": "已派单",
    "accepted": "维保单位已接单",
    "arrived": "救援人员已到场",
    "released": "被困人员已解救",
    "closed": "已办结",
    "self_released": "已自行脱困",
    "false_alarm": "误报",
    "cancelled": "已取消",
}
EVENT_ZH = STATUS_ZH | {
    "reported": "收到报告",
    "dispatched": "派单至维保单位",
    "escalated": "升级处置",
    "ack_timeout": "超时未接单,已再次通知",
    "duplicate_report": "收到重复报告",
    "accepted": "维保单位接单",
    "arrived": "救援人员到场",
    "released": "被困人员解救",
}
KIND_ZH = {"trapped": "电梯困人", "fault": "电梯故障", "complaint": "投诉", "inquiry": "咨询"}
ELEVATOR_STATUS_ZH = {
    "registered": "已登记",
    "in_use": "在用",
    "suspended": "停用",
    "sealed": "查封",
    "scrapped": "报废",
    "cancelled": "注销",
}
ESCALATION_ZH = {1: "一级 维保单位", 2: "二级 备用救援单位", 3: "三级 消防119"}
SEVERITY_ZH = {"critical": "严重", "high": "高", "medium": "中", "low": "低"}


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
        return f"{value * 100:.3f}%"
    return _percent(value)


def _kpi_target(figure: dict[str, Any]) -> str:
    target = figure["target"]
    shown = f"{target:g} 分钟" if figure["unit"] == "minutes" else f"{target * 100:g}%"
    return f"{figure['comparison']} {shown}"


def _build() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters.update(
        local=_local,
        day=_day,
        percent=_percent,
        yuan=_yuan,
        kpi_value=_kpi_value,
        kpi_target=_kpi_target,
    )
    templates.env.globals.update(
        STATUS_ZH=STATUS_ZH,
        EVENT_ZH=EVENT_ZH,
        KIND_ZH=KIND_ZH,
        ELEVATOR_STATUS_ZH=ELEVATOR_STATUS_ZH,
        ESCALATION_ZH=ESCALATION_ZH,
        SEVERITY_ZH=SEVERITY_ZH,
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
