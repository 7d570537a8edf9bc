"""The elevator page's single timeline, built from the dossier the API returns (一梯一档)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from elevator_registry.dossier.schemas import Dossier
from elevator_registry.labels import label


@dataclass(frozen=True)
class Entry:
    """One dated line of the file: what kind of record, a one-line summary, and a flag."""

    day: date
    section: str
    summary: str
    alert: bool = False


def _local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def dossier_timeline(dossier: Dossier, *, timezone: str, names: Mapping[int, str]) -> list[Entry]:
    """Every record of the dossier as one list, newest first; organisations by name (`names`)."""
    zone = ZoneInfo(timezone)
    entries: list[Entry] = []
    for contract in dossier.contracts:
        ended = f"，{contract.terminated_on} 解除" if contract.terminated_on else ""
        entries.append(
            Entry(
                contract.start_date,
                "维保合同",
                f"{names.get(contract.maintenance_unit_id, '维保单位')}，{contract.start_date} 至 "
                f"{contract.end_date}（{label(contract.mode)}）{ended}",
            )
        )
    for warranty in dossier.warranties:
        entries.append(
            Entry(
                warranty.start_date,
                "质保",
                f"{label(warranty.scope)}，至 {warranty.end_date}（{label(warranty.context)}）",
            )
        )
    for record in dossier.maintenance_records:
        confirmed = "已确认" if record.confirmation else "待使用单位确认"
        entries.append(
            Entry(
                _local_day(record.performed_at, zone),
                "维保记录",
                f"{label(record.record_class)}维保，第 {record.revision} 版，{confirmed}",
            )
        )
    for inspection in dossier.inspections:
        entries.append(
            Entry(
                inspection.performed_on,
                "检验检测",
                f"{label(inspection.kind)}：{label(inspection.result)}"
                f"（报告 {inspection.report_number or '—'}）",
                alert=inspection.result == "fail",
            )
        )
    for assessment in dossier.safety_assessments:
        entries.append(
            Entry(
                assessment.assessed_on,
                "安全评估",
                f"风险等级 {assessment.risk_grade}：{label(assessment.conclusion)}",
            )
        )
    for hazard in dossier.hazard_reports:
        resolved = "已整改" if hazard.resolution else "未整改"
        entries.append(
            Entry(
                _local_day(hazard.found_at, zone),
                "隐患",
                f"{label(hazard.severity)}：{hazard.description}（{resolved}）",
                alert=hazard.resolution is None,
            )
        )
    for check in dossier.usage_checks:
        entries.append(Entry(check.checked_on, "使用单位自查", check.findings or "无异常"))
    for drill in dossier.rescue_drills:
        entries.append(Entry(drill.held_on, "应急演练", drill.description or "救援演练"))
    for incident in dossier.incidents:
        entries.append(
            Entry(
                _local_day(incident.reported_at, zone),
                "96333 事件",
                f"{incident.number} {label(incident.kind)}，{label(incident.status)}",
                alert=incident.kind == "trapped",
            )
        )
    return sorted(entries, key=lambda entry: entry.day, reverse=True)
