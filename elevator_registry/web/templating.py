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
# Labels of the account and user-unit pages (to move into the shared labels module at merge).
ROLE_ZH = {
    "bureau": "区市场监管局",
    "street_office": "街镇",
    "maintenance_unit": "维保单位",
    "user_unit": "使用单位",
    "inspection_agency": "检验机构",
    "operator": "96333 调度员",
    "iot_platform": "物联网平台",
    "cli": "命令行",
}
RECORD_CLASS_ZH = {
    "half_month": "半月维保",
    "quarter": "季度维保",
    "half_year": "半年维保",
    "year": "年度维保",
    "repair": "维修",
    "on_demand": "按需维保",
}


# Chinese for refusals the account, user-unit and firm forms can meet whose DomainError has no
# message_zh yet (the shared Chinese messages replace this at merge).
MESSAGE_ZH = {
    "DATE_IN_FUTURE": "日期不能晚于今天",
    "DISCLOSURE_EXISTS": "该电梯这一年度的费用已经公示",
    "NO_USER_UNIT": "该电梯没有使用单位",
    "ELEVATOR_NOT_FOUND": "没有找到该电梯",
    "ELEVATOR_SCRAPPED": "该电梯已报废",
    "RECORD_ALREADY_CONFIRMED": "该维保记录已经确认过",
    "RECORD_SUPERSEDED": "该维保记录已有更正版本，请确认最新版本",
    "CONFIRMATION_TIME_INVALID": "确认时间须在维保之后、当前时间之前",
    "MAINTENANCE_RECORD_NOT_FOUND": "没有找到该维保记录",
    "INCIDENT_NOT_FOUND": "没有找到该事件",
    "INVALID_TRANSITION": "该事件当前状态不能进行此操作",
    "FAULT_CAUSE_REQUIRED": "办结困人或故障事件须选择故障原因",
    "FORBIDDEN_ROLE": "您的账号无权进行此操作",
    "USER_NOT_FOUND": "没有找到该账号",
    "TOKEN_NOT_FOUND": "没有找到该令牌",
    "CSRF_TOKEN_INVALID": "页面已过期，请刷新后重试",
}


def message_zh(error: Any) -> str:
    """The Chinese message of a refusal: its own, the fallback table's, or the English one."""
    return getattr(error, "message_zh", None) or MESSAGE_ZH.get(error.code) or error.message


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
        zh_message=message_zh,
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
