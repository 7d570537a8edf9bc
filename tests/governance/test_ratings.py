"""Star ratings: indicators from the year's evidence, veto items, exact recomputation."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import CLI
from elevator_registry.config import Settings
from elevator_registry.governance import ratings
from elevator_registry.governance.models import StarRating
from elevator_registry.registry.models import Licence, MaintenanceContract, Organisation
from tests import factories
from tests.conftest import NOW, TODAY
from tests.governance import builders
from tests.rules import builders as evidence

YEAR = 2025


def compute(session: Session, settings: Settings | None = None) -> dict[str, int]:
    return ratings.compute(
        session, year=YEAR, actor=CLI, settings=settings or Settings(), today=TODAY, now=NOW
    )


def rating_of(session: Session, unit: Organisation) -> StarRating:
    return session.scalars(
        select(StarRating).where(StarRating.maintenance_unit_id == unit.id, StarRating.year == YEAR)
    ).one()


def year_contract(session: Session, world: factories.World) -> MaintenanceContract:
    """Maintainer A held lift A's contract all through 2025."""
    return factories.contract(
        session, world.lift_a, world.maintainer_a, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31)
    )


def exemplary_year(session: Session, world: factories.World) -> MaintenanceContract:
    """Visits every 14 days, each confirmed the next day, and two drills."""
    contract = year_contract(session, world)
    day = date(YEAR, 1, 2)
    while day.year == YEAR:
        row = evidence.record(session, world.lift_a, contract, evidence.local(day))
        evidence.confirm(session, row, evidence.local(day + timedelta(days=1)))
        day += timedelta(days=14)
    evidence.drill(session, world.maintainer_a, date(YEAR, 3, 1))
    evidence.drill(session, world.maintainer_a, date(YEAR, 9, 1))
    return contract


def test_an_exemplary_year_earns_full_marks_five_stars_and_grade_a(
    session: Session, world: factories.World
) -> None:
    exemplary_year(session, world)
    assert compute(session)["created"] == 1
    rating = rating_of(session, world.maintainer_a)
    assert (rating.score, rating.stars, rating.grade) == (Decimal("100.00"), 5, "A")
    values = rating.indicators["values"]
    assert values["overdue_maintenance"]["value"] == 0
    assert values["overdue_maintenance"]["denominator"] == 25  # 26 visits, 25 gaps
    assert values["unconfirmed_records"] == {"numerator": 0, "denominator": 26, "value": 0}
    assert values["drills"]["value"] == 2
    assert values["trapped_rate"]["denominator"] == 1  # one elevator all year
    assert rating.indicators["vetoes"] == []


def test_only_units_that_maintained_in_the_year_are_rated(
    session: Session, world: factories.World
) -> None:
    year_contract(session, world)
    compute(session)
    rated = set(session.scalars(select(StarRating.maintenance_unit_id)))
    # The world's other contracts run in 2026 only.
    assert rated == {world.maintainer_a.id}


def test_late_visits_unconfirmed_records_and_missing_drills_cost_points(
    session: Session, world: factories.World
) -> None:
    contract = year_contract(session, world)
    first = evidence.record(session, world.lift_a, contract, evidence.local(date(YEAR, 3, 1)))
    evidence.confirm(session, first, evidence.local(date(YEAR, 3, 8)))  # day 7: in time
    second = evidence.record(session, world.lift_a, contract, evidence.local(date(YEAR, 3, 16)))
    evidence.confirm(session, second, evidence.local(date(YEAR, 3, 24)))  # day 8: late
    evidence.record(session, world.lift_a, contract, evidence.local(date(YEAR, 4, 1)))  # 16 days
    compute(session)
    values = rating_of(session, world.maintainer_a).indicators["values"]
    # 1 Mar → 16 Mar is 15 days (allowed), 16 Mar → 1 Apr is 16 days (overdue).
    assert values["overdue_maintenance"] == {"numerator": 1, "denominator": 2, "value": 0.5}
    assert values["unconfirmed_records"]["numerator"] == 2  # late and never confirmed
    assert values["drills"]["value"] == 0
    rating = rating_of(session, world.maintainer_a)
    # overdue 0.5 and unconfirmed 2/3 are past their zero points and there was no drill: only
    # on-time arrival (no incident), trapped rate (0) and first pass (no inspection) score,
    # 25 + 20 + 15 = 60, exactly the lowest C and 2 stars.
    assert rating.score == Decimal("60.00")
    assert (rating.grade, rating.stars) == ("C", 2)


def test_rescue_and_inspection_indicators_follow_the_kpi_definitions(
    session: Session, world: factories.World
) -> None:
    exemplary_year(session, world)
    reported = evidence.local(date(YEAR, 5, 1))
    on_time = evidence.incident(
        session,
        world.lift_a,
        reported,
        status="closed",
        arrived=reported + timedelta(minutes=20),
    )
    late = evidence.incident(
        session,
        world.lift_a,
        reported + timedelta(days=1),
        status="closed",
        arrived=reported + timedelta(days=1, minutes=40),
    )
    misuse = evidence.incident(
        session, world.lift_a, reported + timedelta(days=2), status="self_released"
    )
    misuse.released_at = misuse.reported_at + timedelta(minutes=45)
    for row in (on_time, late, misuse):
        row.maintenance_unit_id = world.maintainer_a.id
    misuse.fault_cause_code = "misuse"
    evidence.inspection(session, world.lift_a, world.agency, date(YEAR, 6, 1), "pass")
    evidence.inspection(
        session, world.lift_a, world.agency, date(YEAR, 7, 1), "fail", kind="self_test"
    )
    session.flush()
    compute(session)
    values = rating_of(session, world.maintainer_a).indicators["values"]
    # Nobody reached the misuse incident before the people got out after its deadline: late.
    assert values["on_time_arrival"] == {"numerator": 1, "denominator": 3, "value": 0.333333}
    assert values["trapped_rate"]["numerator"] == 2  # misuse is not an elevator fault
    assert values["first_pass_inspection"] == {"numerator": 1, "denominator": 2, "value": 0.5}


VETOES = {
    "safety accident": lambda s, w: builders.veto(s, w.maintainer_a, date(YEAR, 12, 31)),
    "short-circuited safety circuit": lambda s, w: builders.veto(
        s, w.maintainer_a, date(YEAR, 1, 1), kind="safety_circuit_shorted"
    ),
    "blacklisted during the year": lambda s, w: factories.blacklist(
        s, w.maintainer_a, listed_on=date(YEAR - 1, 6, 1)
    ),
    "licence revoked": lambda s, w: factories.licence(
        s,
        w.maintainer_a,
        status="revoked",
        revoked_on=date(YEAR, 8, 1),
        revoked_at=factories.CREATED,
    ),
    "licence expired without renewal": lambda s, w: _expire_licence(s, w, date(YEAR, 6, 30)),
    "maintaining on 1 January after an earlier revocation": lambda s, w: _revoked_before(s, w),
    "licence renewed a day late": lambda s, w: _expire_licence(
        s, w, date(YEAR, 6, 30), renewed_from=date(YEAR, 7, 2)
    ),
}


def _revoked_before(session: Session, world: factories.World) -> None:
    licence = session.scalars(
        select(Licence).where(Licence.organisation_id == world.maintainer_a.id)
    ).one()
    licence.status, licence.revoked_on, licence.revoked_at = (
        "revoked",
        date(YEAR - 1, 12, 31),
        factories.CREATED,
    )
    session.flush()


def _expire_licence(
    session: Session, world: factories.World, on: date, renewed_from: date | None = None
) -> None:
    """Maintainer A's licence ends on `on`; a new one starts on `renewed_from`, if given."""
    licence = session.scalars(
        select(Licence).where(Licence.organisation_id == world.maintainer_a.id)
    ).one()
    licence.valid_until = on
    session.flush()
    if renewed_from is not None:
        factories.licence(
            session, world.maintainer_a, valid_from=renewed_from, valid_until=date(2030, 1, 1)
        )


@pytest.mark.parametrize("veto", sorted(VETOES))
def test_each_veto_item_gives_grade_d_and_no_star(
    session: Session, world: factories.World, veto: str
) -> None:
    exemplary_year(session, world)
    VETOES[veto](session, world)
    compute(session)
    rating = rating_of(session, world.maintainer_a)
    assert (rating.grade, rating.stars, rating.score) == ("D", 0, Decimal("0.00"))
    assert len(rating.indicators["vetoes"]) == 1
    # The performance it would have scored stays explainable from the values.
    assert rating.indicators["values"]["drills"]["value"] == 2


NOT_VETOES = {
    "accident the day before the year": lambda s, w: builders.veto(
        s, w.maintainer_a, date(YEAR - 1, 12, 31)
    ),
    "listing lifted on 1 January": lambda s, w: _listed_and_lifted(s, w, date(YEAR, 1, 1)),
    "licence renewed the next day": lambda s, w: _expire_licence(
        s, w, date(YEAR, 6, 30), renewed_from=date(YEAR, 7, 1)
    ),
    "licence expiring on 31 December": lambda s, w: _expire_licence(s, w, date(YEAR, 12, 31)),
    "first licence granted during the year": lambda s, w: _granted_late(s, w),
}


def _granted_late(session: Session, world: factories.World) -> None:
    """Not a revocation or an expiry: the registry holds no earlier licence to judge."""
    licence = session.scalars(
        select(Licence).where(Licence.organisation_id == world.maintainer_a.id)
    ).one()
    licence.valid_from = date(YEAR, 5, 1)
    session.flush()


def _listed_and_lifted(session: Session, world: factories.World, lifted_on: date) -> None:
    entry = factories.blacklist(session, world.maintainer_a, listed_on=date(YEAR - 1, 6, 1))
    entry.lifted_on = lifted_on
    session.flush()


@pytest.mark.parametrize("case", sorted(NOT_VETOES))
def test_near_misses_of_the_veto_items_do_not_veto(
    session: Session, world: factories.World, case: str
) -> None:
    exemplary_year(session, world)
    NOT_VETOES[case](session, world)
    compute(session)
    rating = rating_of(session, world.maintainer_a)
    assert rating.indicators["vetoes"] == []
    assert rating.grade == "A"


def test_a_stored_rating_is_rederived_exactly_from_its_indicators(
    session: Session, world: factories.World
) -> None:
    contract = year_contract(session, world)
    evidence.record(session, world.lift_a, contract, evidence.local(date(YEAR, 2, 1)))
    evidence.record(session, world.lift_a, contract, evidence.local(date(YEAR, 2, 20)))
    evidence.drill(session, world.maintainer_a, date(YEAR, 5, 5))
    compute(session)
    rating_of(session, world.maintainer_a)
    session.expire_all()
    stored = rating_of(session, world.maintainer_a)
    assert ratings.verdict(stored.indicators) == (stored.score, stored.stars, stored.grade)
    # Even under other settings: the weights in force are part of the stored indicators.
    assert stored.indicators["weights"]["drills"] == 10


def test_recomputing_an_unchanged_year_changes_nothing(
    session: Session, world: factories.World
) -> None:
    exemplary_year(session, world)
    compute(session)
    first = rating_of(session, world.maintainer_a)
    first_computed_at = first.computed_at
    events = factories.count(session, AuditEvent)
    later = NOW + timedelta(days=3)
    again = ratings.compute(
        session, year=YEAR, actor=CLI, settings=Settings(), today=TODAY, now=later
    )
    assert again == {"year": YEAR, "created": 0, "updated": 0, "unchanged": 1}
    assert rating_of(session, world.maintainer_a).computed_at == first_computed_at
    assert factories.count(session, AuditEvent) == events


def test_late_evidence_rewrites_the_rating_and_the_audit_keeps_the_old_one(
    session: Session, world: factories.World
) -> None:
    exemplary_year(session, world)
    compute(session)
    builders.veto(session, world.maintainer_a, date(YEAR, 10, 10))
    assert compute(session)["updated"] == 1
    rating = rating_of(session, world.maintainer_a)
    assert rating.grade == "D"
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "star_rating", AuditEvent.action == "rerate")
    ).one()
    assert event.entity_id == rating.id
    assert event.changes["grade"] == {"before": "A", "after": "D"}
    assert event.changes["stars"] == {"before": 5, "after": 0}


def test_new_weights_count_as_a_change(session: Session, world: factories.World) -> None:
    contract = year_contract(session, world)
    evidence.record(session, world.lift_a, contract, evidence.local(date(YEAR, 2, 1)))
    compute(session)
    weights = Settings().rating_weights | {"drills": 0, "on_time_arrival": 35}
    assert compute(session, Settings(rating_weights=weights))["updated"] == 1
    rating = rating_of(session, world.maintainer_a)
    assert rating.indicators["weights"]["drills"] == 0
    assert ratings.verdict(rating.indicators)[0] == rating.score


def rate(client: TestClient, headers: dict[str, str], year: int) -> Any:
    return client.post(f"/api/v1/star-ratings/compute?year={year}", headers=headers)


def test_the_api_rates_closed_years_only(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    response = rate(client, bureau, TODAY.year)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "YEAR_NOT_ENDED"
    assert response.json()["error"]["field"] == "year"
    assert factories.count(session, StarRating) == 0


def test_only_the_bureau_computes_ratings(
    client: TestClient, auth: Any, world: factories.World, session: Session
) -> None:
    headers = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    response = rate(client, headers, YEAR)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN_ROLE"


def test_ratings_are_listed_with_indicators_and_published_without_them(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    exemplary_year(session, world)
    assert rate(client, bureau, YEAR).json() == {
        "year": YEAR,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
    }
    listed = client.get(f"/api/v1/star-ratings?year={YEAR}", headers=bureau).json()
    assert [item["grade"] for item in listed["items"]] == ["A"]
    assert listed["items"][0]["indicators"]["values"]["drills"]["value"] == 2
    public = client.get(f"/api/v1/public/star-ratings?year={YEAR}").json()
    assert public["next_cursor"] is None
    assert public["items"] == [
        {
            "maintenance_unit_name": world.maintainer_a.name,
            "credit_code": world.maintainer_a.credit_code,
            "year": YEAR,
            "score": "100.00",
            "stars": 5,
            "grade": "A",
        }
    ]


# Scoring properties ----------------------------------------------------------------------------


@given(
    value=st.floats(min_value=-1, max_value=2, allow_nan=False),
    weight=st.floats(min_value=0, max_value=100, allow_nan=False),
)
def test_points_stay_between_zero_and_the_weight(value: float, weight: float) -> None:
    for scale in ([0.8, 0.98], [0.2, 0.0]):
        assert 0 <= ratings.points(value, weight, scale) <= weight


@given(
    low=st.floats(min_value=0, max_value=1, allow_nan=False),
    high=st.floats(min_value=0, max_value=1, allow_nan=False),
)
def test_a_better_rate_never_earns_fewer_points(low: float, high: float) -> None:
    low, high = sorted((low, high))
    assert ratings.points(high, 25, [0.8, 0.98]) >= ratings.points(low, 25, [0.8, 0.98])
    # For shares where less is better, the order flips.
    assert ratings.points(low, 20, [0.2, 0.0]) >= ratings.points(high, 20, [0.2, 0.0])


def _indicators(score_share: float, vetoes: list[str]) -> dict[str, Any]:
    settings = Settings()
    weights = dict.fromkeys(ratings.INDICATORS, 0) | {"drills": 100}
    return ratings._normalised(
        {
            "vetoes": vetoes,
            "values": {name: {"value": None} for name in ratings.INDICATORS if name != "drills"}
            | {"drills": {"value": score_share * 2}},
            "weights": weights,
            "scales": settings.rating_scales,
            "grade_thresholds": settings.rating_grade_thresholds,
            "star_thresholds": settings.rating_star_thresholds,
        }
    )


@given(share=st.floats(min_value=0, max_value=1, allow_nan=False))
def test_grades_and_stars_follow_the_thresholds(share: float) -> None:
    score, stars, grade = ratings.verdict(_indicators(share, []))
    expected_grade = "A" if score >= 90 else "B" if score >= 75 else "C" if score >= 60 else "D"
    expected_stars = (
        5 if score >= 95 else 4 if score >= 85 else 3 if score >= 75 else 2 if score >= 60 else 0
    )
    assert (grade, stars) == (expected_grade, expected_stars)
    assert ratings.verdict(_indicators(share, ["safety_accident"])) == (Decimal("0.00"), 0, "D")


@pytest.mark.parametrize(
    ("score_share", "grade", "stars"),
    [(0.90, "A", 4), (0.8999, "B", 4), (0.60, "C", 2), (0.5999, "D", 0), (0.95, "A", 5)],
)
def test_threshold_boundaries(score_share: float, grade: str, stars: int) -> None:
    assert ratings.verdict(_indicators(score_share, []))[1:] == (stars, grade)
