"""Every enum a person can read has a Chinese label for each of its values."""

import importlib
import inspect
import pkgutil
import re
from enum import StrEnum

import elevator_registry
from elevator_registry.incidents.enums import IncidentEventKind, IncidentStatus
from elevator_registry.labels import ENUM_LABELS, actor_label, label, raw_values, yes_no
from elevator_registry.registry.enums import ElevatorType, LicenceStatus, PlaceCategory

# Enums no person reads as a value: formats and switches of the CLI and API, the sample
# generator's scenarios, rating grades (A–D are what people read) and KPI comparisons (≥, ≤).
PROGRAM_ONLY = {
    "OutputFormat",
    "ExportFormat",
    "FileFormat",
    "ImportKind",
    "Story",
    "Scenario",
    "Enforcement",
    "Comparison",
    "GroupBy",
    "RatingGrade",
}


def _all_str_enums() -> set[type[StrEnum]]:
    found: set[type[StrEnum]] = set()
    for module in pkgutil.walk_packages(elevator_registry.__path__, "elevator_registry."):
        if ".migrations" in module.name or module.name.endswith("__main__"):
            continue
        for value in vars(importlib.import_module(module.name)).values():
            if inspect.isclass(value) and issubclass(value, StrEnum) and value is not StrEnum:
                found.add(value)
    return found


def test_every_enum_is_labelled_or_read_by_programs_only() -> None:
    unlabelled = {
        cls.__name__
        for cls in _all_str_enums()
        if cls not in ENUM_LABELS and cls.__name__ not in PROGRAM_ONLY
    }
    assert unlabelled == set()


def test_every_value_of_a_labelled_enum_has_a_chinese_label() -> None:
    for cls, labels in ENUM_LABELS.items():
        assert set(labels) == {member.value for member in cls}, cls.__name__
        assert all(re.search(r"[\u4e00-\u9fff]|TSG", text) for text in labels.values())


def test_label_reads_members_and_stored_values_alike() -> None:
    assert label(PlaceCategory.RESIDENTIAL) == label("residential") == "住宅"
    assert label(ElevatorType("3110")) == "曳引驱动乘客电梯"
    assert label(IncidentEventKind.REPORTED) == "收到报告"
    assert label("reported") == label(IncidentStatus.REPORTED) == "已接报"
    assert label("古南街道") == "古南街道"  # not an enum value: shown as it is
    assert label(None) == "—"


def test_values_shared_by_enums_mean_the_same_or_are_settled() -> None:
    meanings: dict[str, set[str]] = {}
    for labels in ENUM_LABELS.values():
        for value, text in labels.items():
            meanings.setdefault(value, set()).add(text)
    ambiguous = {value for value, texts in meanings.items() if len(texts) > 1}
    # Settled in labels._BY_VALUE: incident statuses over event kinds, the elevator's status.
    assert ambiguous == {
        "reported",
        "dispatched",
        "accepted",
        "arrived",
        "released",
        "suspended",
        "ack_timeout",
    }
    assert label("suspended") == "停用"
    assert label("ack_timeout") == "超时未接单，已再次通知"
    assert label(LicenceStatus.SUSPENDED) == "暂停"


def test_raw_values_are_the_ascii_words() -> None:
    values = raw_values()
    assert {"residential", "half_month", "pass", "in_use"} <= values
    assert "3110" not in values


def test_actors_and_flags_read_as_chinese() -> None:
    assert actor_label("bureau:区局值班员#12") == "区市场监管局（区局值班员）"
    assert actor_label("public") == "群众报告"
    assert actor_label(None) == "—"
    assert (yes_no(True), yes_no(False), yes_no(None)) == ("是", "否", "—")
