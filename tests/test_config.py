"""Settings refuse rating and premium tables that would fail only when first used."""

import pytest
from pydantic import ValidationError

from elevator_registry.config import Settings


def test_the_defaults_are_consistent() -> None:
    settings = Settings()
    assert sum(settings.rating_weights.values()) == 100
    assert set(settings.rating_weights) == set(settings.rating_scales)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"rating_weights": {"on_time_arrival": 100}}, "rating_weights must name exactly"),
        (
            {"rating_weights": {**Settings().rating_weights, "drills": 20}},
            "rating_weights must add up to 100",
        ),
        ({"rating_star_thresholds": {5: 95, 1: 40}}, "keys must be among 2, 3, 4 and 5 stars"),
        ({"rating_star_thresholds": {5: 80, 4: 85}}, "rating_star_thresholds must rise"),
        ({"rating_star_thresholds": {5: 120, 4: 85}}, "rating_star_thresholds must rise"),
        ({"rating_grade_thresholds": {"A": 90, "E": 10}}, "keys must be among A, B and C"),
        ({"rating_grade_thresholds": {"A": 70, "B": 75}}, "rating_grade_thresholds must rise"),
        (
            {"premium_star_factors": {"5": 0.85, "4": 0.9, "3": 1.0, "2": 1.1, "0": 1.3}},
            "premium_star_factors must name exactly",
        ),
        ({"premium_age_factors": {0: 1.0, 15: 0}}, "premium_age_factors multipliers must be"),
        ({"severity_weights": {"critical": 40, "high": 20}}, "severity_weights must name exactly"),
    ],
)
def test_a_table_that_would_break_later_is_refused_at_start(
    override: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**override)  # type: ignore[arg-type]


def test_a_consistent_override_is_taken() -> None:
    settings = Settings(
        rating_star_thresholds={5: 90, 4: 80, 3: 70},  # type: ignore[arg-type]
        rating_grade_thresholds={"A": 85, "B": 70},
    )
    assert settings.rating_star_thresholds == {5: 90, 4: 80, 3: 70}
    assert settings.rating_grade_thresholds == {"A": 85, "B": 70}
