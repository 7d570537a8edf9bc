"""The TSG T5002-2017 附件A table: sizes, numbering, classes including the lower ones."""

import pytest

from elevator_registry.visits import checklist
from elevator_registry.visits.service import distance_m


def test_the_tables_have_the_standards_sizes() -> None:
    sizes = [
        len(t)
        for t in (checklist.HALF_MONTH, checklist.QUARTER, checklist.HALF_YEAR, checklist.YEAR)
    ]
    assert sizes == [31, 13, 15, 17]


def test_codes_follow_the_standards_numbering() -> None:
    assert checklist.HALF_MONTH[0].code == "A1-1"
    assert checklist.HALF_MONTH[0].item == "机房、滑轮间环境"
    assert checklist.HALF_MONTH[28].item == "层门锁紧元件啮合长度"
    assert checklist.HALF_MONTH[28].requirement == "不小于7mm"
    assert checklist.YEAR[-1].code == "A4-17"


@pytest.mark.parametrize(
    ("record_class", "size", "last"),
    [
        ("half_month", 31, "A1-31"),
        ("quarter", 44, "A2-13"),
        ("half_year", 59, "A3-15"),
        ("year", 76, "A4-17"),
    ],
)
def test_a_higher_class_includes_the_lower_ones(record_class: str, size: int, last: str) -> None:
    items = checklist.checklist_of(record_class)
    assert len(items) == size and items[0].code == "A1-1" and items[-1].code == last


def test_repair_visits_have_no_checklist() -> None:
    assert checklist.checklist_of("repair") == []
    assert "repair" not in checklist.visit_classes()


def test_distance_of_one_thousandth_degree_of_latitude() -> None:
    assert round(distance_m(29.0, 106.0, 29.001, 106.0)) == 111
