"""The synthetic sample registry: deterministic, valid, large enough, and telling its stories."""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from itertools import pairwise

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import get_settings
from elevator_registry.dates import add_years
from elevator_registry.governance.models import BlacklistEntry
from elevator_registry.registry.enums import (
    ContractMode,
    ElevatorStatus,
    LicenceKind,
    LicenceStatus,
    OrganisationRole,
    PlaceCategory,
    StreetKind,
    WarrantyContext,
    WarrantyScope,
)
from elevator_registry.registry.identifiers import (
    validate_credit_code,
    validate_equipment_code,
    validate_phone,
    validate_registration_number,
    validate_rescue_code,
)
from elevator_registry.registry.models import (
    Elevator,
    ElevatorStatusChange,
    Licence,
    MaintenanceContract,
    Organisation,
    OrganisationRoleRow,
    Street,
    Warranty,
)
from elevator_registry.rules import service as rules_service
from elevator_registry.sample.generator import (
    MAX_ELEVATORS,
    SAMPLE_REFERENCE_DATE,
    ElevatorRows,
    Row,
    SampleData,
    Story,
    generate,
)
from elevator_registry.sample.loader import load_sample

TODAY = SAMPLE_REFERENCE_DATE


@pytest.fixture(scope="module")
def sample() -> SampleData:
    return generate()


@pytest.fixture(scope="module")
def rows(sample: SampleData) -> list[ElevatorRows]:
    return list(sample.elevator_rows())


@pytest.fixture(scope="module")
def elevators(rows: list[ElevatorRows]) -> list[Row]:
    return [row.elevator for row in rows]


@pytest.fixture(scope="module")
def contracts(rows: list[ElevatorRows]) -> list[Row]:
    return [contract for row in rows for contract in row.contracts]


def with_role(sample: SampleData, role: OrganisationRole) -> list[Row]:
    return [row for row in sample.organisations if role in row["roles"]]


def current_on(contract: Row, day: date) -> bool:
    return contract["start_date"] <= day <= (contract["terminated_on"] or contract["end_date"])


# Determinism and size ------------------------------------------------------------------------


def test_the_same_seed_gives_identical_rows(sample: SampleData, rows: list[ElevatorRows]) -> None:
    again = generate()
    assert again.organisations == sample.organisations
    assert again.licences == sample.licences
    assert again.blacklist_entries == sample.blacklist_entries
    assert list(again.elevator_rows()) == rows
    assert list(sample.elevator_rows()) == rows


def test_another_seed_changes_elevators_but_not_organisations(
    sample: SampleData, elevators: list[Row]
) -> None:
    other = generate(seed=7)
    assert other.organisations == sample.organisations
    assert list(other.elevators()) != elevators


def test_large_samples_stream_instead_of_building_lists() -> None:
    first = next(generate(elevators=100_000).elevator_rows())
    assert first.elevator["equipment_code"]


@pytest.mark.parametrize("elevators", [10, MAX_ELEVATORS + 1])
def test_sizes_outside_the_supported_range_are_refused(elevators: int) -> None:
    with pytest.raises(ValueError, match="elevators must be between"):
        generate(elevators=elevators)


def test_the_sample_has_the_volumes_the_brief_asks_for(
    sample: SampleData, elevators: list[Row]
) -> None:
    assert len(elevators) >= 2000
    assert len(with_role(sample, OrganisationRole.USER_UNIT)) >= 40
    assert len(with_role(sample, OrganisationRole.MAINTAINER)) >= 10
    assert len(with_role(sample, OrganisationRole.MANUFACTURER)) >= 4
    assert len(with_role(sample, OrganisationRole.INSPECTION_AGENCY)) == 3
    assert len(with_role(sample, OrganisationRole.INSURER)) == 2


def test_passenger_traction_lifts_dominate_and_every_common_type_occurs(
    elevators: list[Row],
) -> None:
    types = Counter(row["type_code"] for row in elevators)
    assert 0.75 <= types["3110"] / len(elevators) <= 0.9
    assert {"3120", "3310", "3320", "3210", "3420", "3430"} <= types.keys()


def test_at_least_15_percent_are_residential_and_over_15_years_in_use(
    elevators: list[Row],
) -> None:
    cutoff = add_years(TODAY, -15)
    aged = [
        row
        for row in elevators
        if row["place_category"] == PlaceCategory.RESIDENTIAL
        and row["commissioned_on"] is not None
        and row["commissioned_on"] < cutoff
    ]
    assert len(aged) / len(elevators) >= 0.15


# Identifiers and formats ---------------------------------------------------------------------


def test_every_elevator_identifier_is_valid_and_unique(elevators: list[Row]) -> None:
    pattern = get_settings().rescue_code_pattern
    for row in elevators:
        assert validate_equipment_code(row["equipment_code"], row["type_code"])
        assert validate_rescue_code(row["rescue_code"], pattern)
        if row["registration_number"] is not None:
            validate_registration_number(row["registration_number"], row["type_code"])
    for column in ("equipment_code", "rescue_code", "registration_number"):
        values = [row[column] for row in elevators if row[column] is not None]
        assert len(values) == len(set(values)), column


def test_equipment_codes_use_the_2016_scheme_for_elevators_made_since_2016(
    elevators: list[Row],
) -> None:
    for row in elevators:
        expected_length = 18 if row["manufactured_on"].year >= 2016 else 20
        assert len(row["equipment_code"]) == expected_length


def test_every_organisation_has_a_valid_unique_credit_code_and_phone(sample: SampleData) -> None:
    codes = [validate_credit_code(row["credit_code"]) for row in sample.organisations]
    assert len(codes) == len(set(codes))
    for row in sample.organisations:
        validate_phone(row["duty_phone"], field="duty_phone")
        assert row["contact_name"] and row["address"]


def test_streets_are_30_minutes_and_towns_60(sample: SampleData) -> None:
    for street in sample.streets:
        expected = (
            (StreetKind.SUBDISTRICT, 30)
            if street["name"].endswith("街道")
            else (StreetKind.TOWN, 60)
        )
        assert (street["kind"], street["arrival_deadline_minutes"]) == expected


# What the database would enforce -------------------------------------------------------------


def test_elevator_rows_satisfy_the_table_constraints(
    sample: SampleData, elevators: list[Row]
) -> None:
    streets = {street["name"] for street in sample.streets}
    organisations = {row["credit_code"] for row in sample.organisations}
    for row in elevators:
        assert row["street"] in streets
        assert row["user_unit_credit_code"] in organisations | {None}
        if row["status"] in ElevatorStatus.commissioned():
            assert row["commissioned_on"] is not None
        if row["registration_number"] is not None:
            assert row["registered_on"] is not None
        dates = [row["manufactured_on"], row["installation_inspected_on"], row["commissioned_on"]]
        present = [day for day in dates if day is not None]
        assert present == sorted(present)
        assert all(day <= TODAY for day in [*present, row["registered_on"] or TODAY])
        if row["floors"] is not None:
            assert 1 <= row["stops"] <= row["floors"]
        assert 0 < row["rated_speed_mps"] <= 20


def test_licence_rows_satisfy_the_table_constraints(sample: SampleData) -> None:
    for row in sample.licences:
        assert row["valid_until"] >= row["valid_from"]
        revoked = row["revoked_on"] is not None and row["revoked_at"] is not None
        assert (row["status"] == LicenceStatus.REVOKED) == revoked
        assert (row["status"] == LicenceStatus.SUSPENDED) == (row["suspended_at"] is not None)
    numbers = [(row["kind"], row["number"]) for row in sample.licences]
    assert len(numbers) == len(set(numbers))


def test_contracts_never_overlap_and_belong_to_the_user_unit(
    elevators: list[Row], contracts: list[Row]
) -> None:
    user_units = {row["equipment_code"]: row["user_unit_credit_code"] for row in elevators}
    periods = defaultdict(list)
    for contract in contracts:
        end = contract["terminated_on"] or contract["end_date"]
        assert contract["start_date"] <= end <= contract["end_date"]
        assert contract["user_unit_credit_code"] == user_units[contract["elevator_equipment_code"]]
        on_demand = contract["mode"] == ContractMode.ON_DEMAND
        assert on_demand == (contract["maintenance_interval_days"] is not None)
        periods[contract["elevator_equipment_code"]].append((contract["start_date"], end))
    for spans in periods.values():
        spans.sort()
        for (_, earlier_end), (later_start, _) in pairwise(spans):
            assert earlier_end < later_start


def test_warranties_end_after_they_start(rows: list[ElevatorRows]) -> None:
    warranties = [warranty for row in rows for warranty in row.warranties]
    assert warranties
    assert all(row["end_date"] > row["start_date"] for row in warranties)


def test_status_history_ends_in_the_current_status(rows: list[ElevatorRows]) -> None:
    for row in rows:
        last = row.status_changes[-1]
        assert row.status_changes[0]["from_status"] is None
        assert last["to_status"] == row.elevator["status"]
        assert last["changed_on"] == row.elevator["status_changed_on"]


# Stories the rules should find ---------------------------------------------------------------


def test_exactly_one_unit_is_blacklisted_today(sample: SampleData) -> None:
    current = [
        entry
        for entry in sample.blacklist_entries
        if entry["listed_on"] <= TODAY
        and (entry["lifted_on"] is None or entry["lifted_on"] > TODAY)
    ]
    assert [entry["organisation_credit_code"] for entry in current] == [
        sample.stories[Story.BLACKLISTED]
    ]
    assert current[0]["reason"] and current[0]["legal_basis"]


def test_one_revoked_licence_is_still_inside_its_three_year_ban(sample: SampleData) -> None:
    revoked = [row for row in sample.licences if row["status"] == LicenceStatus.REVOKED]
    assert len(revoked) == 1
    assert revoked[0]["organisation_credit_code"] == sample.stories[Story.LICENCE_REVOKED]
    assert add_years(revoked[0]["revoked_on"], 3) > TODAY


def test_one_maintenance_licence_has_expired(sample: SampleData) -> None:
    expired = [
        row
        for row in sample.licences
        if row["kind"] == LicenceKind.INSTALLATION_MAINTENANCE and row["valid_until"] < TODAY
    ]
    assert [row["organisation_credit_code"] for row in expired] == [
        sample.stories[Story.LICENCE_EXPIRED]
    ]


def test_the_manufacturer_maintainer_maintains_what_it_made_under_ten_year_warranties(
    sample: SampleData, rows: list[ElevatorRows]
) -> None:
    maker = sample.stories[Story.MANUFACTURER_MAINTAINER]
    organisation = next(row for row in sample.organisations if row["credit_code"] == maker)
    assert {"manufacturer", "maintainer", "installer"} <= set(organisation["roles"])
    kinds = {row["kind"] for row in sample.licences if row["organisation_credit_code"] == maker}
    assert kinds == {LicenceKind.MANUFACTURE, LicenceKind.INSTALLATION_MAINTENANCE}
    own = [row for row in rows if row.elevator["manufacturer_credit_code"] == maker]
    assert own
    for row in own:
        assert all(c["maintenance_unit_credit_code"] == maker for c in row.contracts)
    lengths = Counter(
        warranty["end_date"].year - warranty["start_date"].year
        for row in own
        for warranty in row.warranties
        if warranty["scope"] in WarrantyScope.major_parts()
    )
    assert lengths[10] > lengths[2] > 0


def test_some_subsidised_renovation_warranties_fall_short_of_five_years(
    rows: list[ElevatorRows],
) -> None:
    lengths = Counter(
        warranty["end_date"].year - warranty["start_date"].year
        for row in rows
        for warranty in row.warranties
        if warranty["context"] == WarrantyContext.SUBSIDISED_RENOVATION
    )
    assert lengths[5] > lengths[3] > 0


def test_ineligible_units_hold_current_contracts_signed_while_eligible(
    sample: SampleData, contracts: list[Row]
) -> None:
    for story, since in (
        (Story.BLACKLISTED, sample.blacklist_entries[0]["listed_on"]),
        (Story.LICENCE_REVOKED, date(2026, 8, 20)),
        (Story.LICENCE_EXPIRED, date(2026, 10, 1)),
    ):
        held = [
            contract
            for contract in contracts
            if contract["maintenance_unit_credit_code"] == sample.stories[story]
            and current_on(contract, TODAY)
        ]
        assert held, story
        assert all(contract["start_date"] < since for contract in held), story


def test_some_elevators_in_use_lost_their_contract_yesterday(rows: list[ElevatorRows]) -> None:
    lapsed = [
        row
        for row in rows
        if row.elevator["status"] == ElevatorStatus.IN_USE
        and not any(current_on(contract, TODAY) for contract in row.contracts)
        and any(contract["end_date"] == date(2026, 11, 14) for contract in row.contracts)
    ]
    assert len(lapsed) >= 3


def test_three_no_legacy_rows_have_no_user_unit_and_no_contract(rows: list[ElevatorRows]) -> None:
    orphans = [row for row in rows if row.elevator["user_unit_credit_code"] is None]
    assert len(orphans) >= 3
    for row in orphans:
        assert row.elevator["status"] == ElevatorStatus.IN_USE
        assert not row.elevator["has_property_management"]
        assert not row.elevator["has_repair_fund"]
        assert row.contracts == []


def test_some_elevators_are_in_use_unregistered_past_the_30_day_grace(
    elevators: list[Row],
) -> None:
    unregistered = [
        (TODAY - row["commissioned_on"]).days
        for row in elevators
        if row["status"] == ElevatorStatus.IN_USE and row["registration_number"] is None
    ]
    assert 30 in unregistered
    assert 31 in unregistered
    assert sum(days > 30 for days in unregistered) >= 4


def test_suspensions_straddle_the_one_year_restart_boundary(elevators: list[Row]) -> None:
    days = {
        (TODAY - row["status_changed_on"]).days
        for row in elevators
        if row["status"] == ElevatorStatus.SUSPENDED
    }
    assert {364, 365} <= days
    assert max(days) > 365


def test_retrofits_are_recent_residential_lifts(elevators: list[Row]) -> None:
    retrofits = [row for row in elevators if row["added_to_old_building"]]
    assert retrofits
    for row in retrofits:
        assert row["place_category"] == PlaceCategory.RESIDENTIAL
        assert row["commissioned_on"] is None or row["commissioned_on"].year >= 2019


# Loading -------------------------------------------------------------------------------------


TABLES = (
    Street,
    Organisation,
    OrganisationRoleRow,
    Licence,
    BlacklistEntry,
    Elevator,
    ElevatorStatusChange,
    MaintenanceContract,
    Warranty,
)


def row_counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in TABLES
    }


def test_loading_twice_inserts_nothing_the_second_time(session: Session) -> None:
    now = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)
    first = load_sample(session, now=now, elevators=300)
    after_first = row_counts(session)
    second = load_sample(session, now=now, elevators=300)

    assert first.elevators == 300 and not first.already_loaded
    assert after_first["elevator"] >= 300
    assert after_first["maintenance_contract"] >= first.contracts > 0
    assert second.already_loaded
    assert second.summary() == "sample already loaded: nothing to do"
    assert row_counts(session) == after_first


def test_the_sample_triggers_every_rule_on_its_reference_date(session: Session) -> None:
    load_sample(session, now=datetime(2026, 11, 15, 2, 0, tzinfo=UTC))
    summary = rules_service.risk_summary(
        session,
        rules_service.RiskQuery(
            actor=Principal(Role.BUREAU, "test bureau"),
            filters=rules_service.RiskFilters(),
            as_of=TODAY,
            today=TODAY,
            now=datetime(2026, 11, 15, 2, 0, tzinfo=UTC),
            settings=get_settings(),
        ),
    )
    untriggered = [row["rule"] for row in summary["by_rule"] if row["elevators"] == 0]
    assert untriggered == []
