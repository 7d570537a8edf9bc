"""Deterministic synthetic registry of 綦江区, built from `sample/qijiang.json`.

The same size, seed and reference date always give the same rows: nothing reads the wall clock
and every draw comes from a `random.Random` seeded afresh for each pass. The small tables are
lists; elevators and the rows hanging off them are generated lazily, so 100 000 elevators stream
in constant memory. Rows are plain dicts keyed by column name, except that references use
natural keys (`*_credit_code`, `elevator_equipment_code`), which the loader turns into ids.

Some elevators are given a *scenario*: a story that makes one rule of DESIGN §3 fire (or sit
exactly on its boundary). `sample_data/README.md` lists them.
"""

import hashlib
import json
import random
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import accumulate
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from elevator_registry.dates import add_years, last_day_of_years
from elevator_registry.registry.enums import (
    ContractMode,
    ElevatorStatus,
    ElevatorType,
    LicenceKind,
    LicenceStatus,
    OrganisationRole,
    PlaceCategory,
    WarrantyContext,
    WarrantyScope,
)
from elevator_registry.registry.identifiers import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_character,
)

SAMPLE_REFERENCE_DATE = date(2026, 11, 15)
DEFAULT_SEED = 2022
DEFAULT_ELEVATORS = 2200
# Below this the scenario quotas crowd out ordinary elevators; above it the 4- and 5-digit
# sequences of equipment codes and registration numbers could run out.
MIN_ELEVATORS = 200
MAX_ELEVATORS = 500_000
REFERENCE_PATH = Path(__file__).resolve().parent / "qijiang.json"
STATUS_ACTOR = "sample-data"

Row = dict[str, Any]


class Story(StrEnum):
    """The organisations with a governance story (JSON `story`)."""

    MANUFACTURER_MAINTAINER = "manufacturer_maintainer"
    BLACKLISTED = "blacklisted"
    BLACKLIST_LIFTED = "blacklist_lifted"
    LICENCE_REVOKED = "licence_revoked"
    LICENCE_EXPIRED = "licence_expired"


class Scenario(StrEnum):
    """What an elevator is in the sample for; ORDINARY ones are just realistic background."""

    ORDINARY = "ordinary"
    THREE_NO_ORPHAN = "three_no_orphan"
    THREE_NO_OWNERS = "three_no_owners"
    CONTRACT_ENDED_YESTERDAY = "contract_ended_yesterday"
    CONTRACT_ENDS_TODAY = "contract_ends_today"
    CONTRACT_TERMINATED = "contract_terminated"
    UNREGISTERED = "unregistered"
    UNREGISTERED_WITHIN_GRACE = "unregistered_within_grace"
    NOT_YET_IN_USE = "not_yet_in_use"
    SUSPENDED_LONG = "suspended_long"
    SUSPENDED_RECENT = "suspended_recent"
    SCRAPPED = "scrapped"
    BLACKLISTED_MAINTAINER = "blacklisted_maintainer"
    REVOKED_MAINTAINER = "revoked_maintainer"
    EXPIRED_MAINTAINER = "expired_maintainer"
    ON_DEMAND = "on_demand"
    MAKER_WARRANTY_SHORT = "maker_warranty_short"
    RENOVATED = "renovated"
    RENOVATED_WARRANTY_SHORT = "renovated_warranty_short"


def scenario_counts(elevators: int) -> dict[Scenario, int]:
    """How many elevators each scenario gets; small floors keep every story present."""
    per_mille = round(elevators * 0.012)
    return {
        Scenario.THREE_NO_ORPHAN: max(3, elevators // 400),
        Scenario.THREE_NO_OWNERS: max(2, elevators // 1000),
        Scenario.CONTRACT_ENDED_YESTERDAY: max(3, elevators // 700),
        Scenario.CONTRACT_ENDS_TODAY: max(2, elevators // 1100),
        Scenario.CONTRACT_TERMINATED: max(1, elevators // 2200),
        Scenario.UNREGISTERED: max(4, elevators // 500),
        Scenario.UNREGISTERED_WITHIN_GRACE: 1,
        Scenario.NOT_YET_IN_USE: max(5, elevators // 300),
        Scenario.SUSPENDED_LONG: max(4, elevators // 300),
        Scenario.SUSPENDED_RECENT: max(6, elevators // 150),
        Scenario.SCRAPPED: max(4, elevators // 250),
        Scenario.BLACKLISTED_MAINTAINER: max(3, per_mille),
        Scenario.REVOKED_MAINTAINER: max(3, per_mille),
        Scenario.EXPIRED_MAINTAINER: max(3, per_mille),
        Scenario.ON_DEMAND: max(6, elevators // 150),
        Scenario.MAKER_WARRANTY_SHORT: max(2, elevators // 1000),
        Scenario.RENOVATED: max(6, elevators // 300),
        Scenario.RENOVATED_WARRANTY_SHORT: max(2, elevators // 1000),
    }


# Which catalogue types serve each kind of place (weights); a site may override in the JSON.
TYPE_MIX: dict[str, dict[str, int]] = {
    PlaceCategory.RESIDENTIAL: {"3110": 100},
    PlaceCategory.SCHOOL: {"3110": 85, "3120": 8, "3430": 7},
    PlaceCategory.KINDERGARTEN: {"3110": 50, "3430": 50},
    PlaceCategory.HOSPITAL: {"3110": 70, "3120": 10, "3430": 8, "3420": 8, "3210": 4},
    PlaceCategory.STATION: {"3310": 55, "3110": 35, "3320": 10},
    PlaceCategory.PASSENGER_TERMINAL: {"3310": 40, "3110": 60},
    PlaceCategory.MALL: {"3310": 55, "3320": 8, "3110": 25, "3120": 7, "3420": 5},
    PlaceCategory.STADIUM: {"3110": 60, "3310": 40},
    PlaceCategory.EXHIBITION_HALL: {"3110": 50, "3310": 40, "3210": 10},
    PlaceCategory.PARK: {"3110": 60, "3310": 40},
    PlaceCategory.SCENIC_SPOT: {"3310": 60, "3110": 30, "3210": 10},
    PlaceCategory.OFFICE: {"3110": 88, "3420": 10, "3120": 2},
    PlaceCategory.FACTORY: {"3120": 60, "3130": 15, "3110": 25},
    PlaceCategory.OTHER: {"3110": 80, "3120": 10, "3430": 10},
}
# High-rise housing has a firefighter lift per block; retrofits are sometimes hydraulic.
HIGH_RISE_MIX = {"3110": 90, "3420": 10}
RETROFIT_MIX = {"3110": 96, "3210": 4}

# GB 32100-2015 registration-authority and category prefixes by kind of organisation.
CREDIT_CATEGORY = {
    "school": "12",
    "hospital": "12",
    "kindergarten": "12",
    "public_institution": "12",
    "government": "11",
    "private_kindergarten": "52",
    "owners_committee": "Y1",
}
LICENCE_NUMBER_PREFIX = {
    LicenceKind.MANUFACTURE: "TS2150",
    LicenceKind.INSTALLATION_MAINTENANCE: "TS3350",
    LicenceKind.INSPECTION: "TS7150",
}
MODEL_TAG = {
    "3110": "K",
    "3120": "H",
    "3130": "QH",
    "3210": "YY",
    "3220": "YH",
    "3310": "FT",
    "3320": "RX",
    "3420": "XF",
    "3430": "ZW",
}
PACKAGE_PLACES = frozenset(
    {PlaceCategory.SCHOOL, PlaceCategory.KINDERGARTEN, PlaceCategory.HOSPITAL}
)
PACKAGE_MODES = frozenset({ContractMode.FULL_PACKAGE, ContractMode.MAJOR_PACKAGE})
MODE_FEE_FACTOR = {
    ContractMode.REGULAR: 1.0,
    ContractMode.ON_DEMAND: 0.8,
    ContractMode.FULL_PACKAGE: 2.2,
    ContractMode.MAJOR_PACKAGE: 1.6,
}
SUSPENSION_REASONS = (
    "使用单位申请停用: 楼栋装修",
    "使用单位申请停用: 暂无使用需求",
    "使用单位申请停用: 待更新改造",
    "使用单位申请停用: 业主协商电费分摊未果",
)
SCRAP_REASONS = ("达到设计使用年限, 使用单位申请报废", "整梯更新, 原设备报废")
# A multiplier coprime to 10^6 makes index → rescue code a bijection: unique without a set.
RESCUE_CODE_MULTIPLIER = 387_433
CONTRACT_HISTORY_YEARS = 4


class ElevatorRows(NamedTuple):
    """One elevator and the rows that reference it."""

    elevator: Row
    status_changes: list[Row]
    contracts: list[Row]
    warranties: list[Row]


@dataclass(frozen=True)
class SampleData:
    """The sample: small tables as lists, elevators and their dependants as re-iterable streams."""

    reference_date: date
    seed: int
    elevator_count: int
    streets: list[Row]
    organisations: list[Row]
    licences: list[Row]
    blacklist_entries: list[Row]
    stories: dict[Story, str]
    _world: "_World" = field(repr=False)

    def elevator_rows(self) -> Iterator[ElevatorRows]:
        """Every elevator with its status changes, contracts and warranties, generated afresh."""
        return _ElevatorFactory(
            self._world, count=self.elevator_count, seed=self.seed, today=self.reference_date
        ).rows()

    def elevators(self) -> Iterator[Row]:
        """Elevator rows only."""
        return (rows.elevator for rows in self.elevator_rows())

    def status_changes(self) -> Iterator[Row]:
        """Status-change rows of every elevator."""
        return (row for rows in self.elevator_rows() for row in rows.status_changes)

    def contracts(self) -> Iterator[Row]:
        """Maintenance-contract rows of every elevator."""
        return (row for rows in self.elevator_rows() for row in rows.contracts)

    def warranties(self) -> Iterator[Row]:
        """Warranty rows of every elevator."""
        return (row for rows in self.elevator_rows() for row in rows.warranties)


def generate(
    *,
    elevators: int = DEFAULT_ELEVATORS,
    seed: int = DEFAULT_SEED,
    reference_date: date = SAMPLE_REFERENCE_DATE,
) -> SampleData:
    """The synthetic registry as of `reference_date`; identical for identical arguments."""
    if not MIN_ELEVATORS <= elevators <= MAX_ELEVATORS:
        raise ValueError(f"elevators must be between {MIN_ELEVATORS} and {MAX_ELEVATORS}")
    reference = json.loads(REFERENCE_PATH.read_text(encoding="utf-8"))
    world = _World(reference, today=reference_date, elevators=elevators)
    return SampleData(
        reference_date=reference_date,
        seed=seed,
        elevator_count=elevators,
        streets=world.streets,
        organisations=world.organisations,
        licences=world.licences,
        blacklist_entries=world.blacklist_entries,
        stories={story: maker.credit_code for story, maker in world.story_units.items()},
        _world=world,
    )


def credit_code(name: str, *, category: str = "91", region: str = "500222") -> str:
    """A valid 统一社会信用代码 derived from the name, so it never changes between runs."""
    digest = hashlib.sha256(name.encode()).digest()
    body = category + region + "".join(CREDIT_CODE_ALPHABET[byte % 31] for byte in digest[:9])
    return body + credit_code_check_character(body)


# Reference data compiled ---------------------------------------------------------------------


T = TypeVar("T")


class _Weighted(Generic[T]):
    """Items with cumulative weights, for fast repeated weighted draws."""

    def __init__(self, items: Sequence[T], weights: Sequence[float], what: str) -> None:
        if not items:
            raise ValueError(f"sample reference data has no {what}")
        self.items = list(items)
        self.cumulative = list(accumulate(weights))

    def pick(self, rng: random.Random) -> T:
        """One item, drawn in proportion to its weight."""
        return self.items[
            bisect(self.cumulative, rng.random() * self.cumulative[-1], 0, len(self.items) - 1)
        ]


@dataclass(frozen=True)
class _Unit:
    """An organisation as the generator needs it."""

    credit_code: str
    roles: frozenset[str]
    story: Story | None
    maker_code: str
    model_prefix: str
    makes: frozenset[str]
    share: float
    maintainer_share: float


@dataclass(frozen=True)
class _Site:
    """An estate, campus or building where a user unit's elevators stand."""

    name: str
    street: str
    community: str
    address: str
    place_category: str
    user_unit: str | None
    owners_committee: bool
    weight: float
    first_year: int
    last_year: int
    floors: tuple[int, int]
    buildings: int | tuple[str, ...]
    retrofit: bool
    types: _Weighted[str]
    latitude: float
    longitude: float


class _World:
    """The reference data compiled into rows, sites, pools and the story dates."""

    def __init__(self, reference: dict[str, Any], *, today: date, elevators: int) -> None:
        shift = today - SAMPLE_REFERENCE_DATE
        self.year_shift = today.year - SAMPLE_REFERENCE_DATE.year
        self.district: str = reference["district"]
        self.region: str = reference["region_code"]
        self.province: str = reference["registration"]["province"]
        self.city_letter: str = reference["registration"]["city_letter"]
        self.stories = {
            Story(name): {
                key: date.fromisoformat(value) + shift
                if key.endswith(("_on", "_from", "_until"))
                else value
                for key, value in story.items()
            }
            for name, story in reference["stories"].items()
        }
        self.streets = [
            {
                "name": street["name"],
                "district": self.district,
                "kind": street["kind"],
                "arrival_deadline_minutes": street["arrival_deadline_minutes"],
            }
            for street in reference["streets"]
        ]
        self._street_data = {street["name"]: street for street in reference["streets"]}
        # Buildings grow with the sample so that a large one does not pile cars into one block.
        self.building_scale = max(1, elevators // DEFAULT_ELEVATORS)

        self.units: list[_Unit] = []
        self.organisations: list[Row] = []
        sites: list[_Site] = []
        for entry in reference["organisations"]:
            code = credit_code(
                entry["name"],
                category=entry.get("credit_category", CREDIT_CATEGORY.get(entry["kind"], "91")),
                region=entry.get("region_code", self.region),
            )
            self.organisations.append(
                {
                    "credit_code": code,
                    "name": entry["name"],
                    "duty_phone": entry["duty_phone"],
                    "contact_name": entry["contact_name"],
                    "address": entry["address"],
                    "roles": sorted(entry["roles"]),
                }
            )
            self.units.append(
                _Unit(
                    credit_code=code,
                    roles=frozenset(entry["roles"]),
                    story=Story(entry["story"]) if "story" in entry else None,
                    maker_code=entry.get("maker_code", ""),
                    model_prefix=entry.get("model_prefix", ""),
                    makes=frozenset(entry.get("makes", ())),
                    share=entry.get("share", 0),
                    maintainer_share=entry.get("maintainer_share", 0),
                )
            )
            sites.extend(
                self._site(site, entry["place_category"], code, entry["kind"])
                for site in entry.get("sites", ())
            )
        codes = [row["credit_code"] for row in self.organisations]
        if len(set(codes)) != len(codes):
            raise ValueError("two sample organisations share a credit code")
        self.story_units = {unit.story: unit for unit in self.units if unit.story is not None}
        self.maker_maintainer = self.story_units[Story.MANUFACTURER_MAINTAINER]
        self.licences = self._licences(today)
        self.blacklist_entries = [
            {
                "organisation_credit_code": self.story_units[story].credit_code,
                "reason": details["reason"],
                "legal_basis": details["legal_basis"],
                "listed_on": details["listed_on"],
                "lifted_on": details.get("lifted_on"),
                "lift_reason": details.get("lift_reason"),
            }
            for story, details in self.stories.items()
            if "listed_on" in details
        ]

        orphans = [
            self._site(site, PlaceCategory.RESIDENTIAL, None, "orphan")
            for site in reference["orphan_sites"]
        ]
        this_year = today.year
        self.sites = _Weighted(sites, [site.weight for site in sites], "sites")
        self.orphan_sites = _Weighted(orphans, [1] * len(orphans), "orphan sites")
        self.established_sites = _pool(sites, lambda s: s.first_year <= this_year - 4, "old")
        self.new_sites = _pool(sites, lambda s: s.last_year >= this_year, "sites built this year")
        self.recent_sites = _pool(
            sites, lambda s: s.last_year >= this_year - 3 and not s.retrofit, "recent sites"
        )
        self.aged_sites = _pool(sites, lambda s: s.last_year <= this_year - 15, "aged sites")
        self.aged_homes = _pool(
            sites,
            lambda s: s.last_year <= this_year - 15 and s.place_category == "residential",
            "aged housing",
        )
        self.committee_homes = _pool(
            sites, lambda s: s.owners_committee and not s.retrofit, "owners' committee estates"
        )

        makers = [unit for unit in self.units if OrganisationRole.MANUFACTURER in unit.roles]
        if not all(unit.maker_code for unit in makers):
            raise ValueError("every sample manufacturer needs a maker_code for equipment codes")
        self.makers_for: dict[str, _Weighted[_Unit]] = {}
        self.other_makers_for: dict[str, _Weighted[_Unit]] = {}
        for type_code in ElevatorType:
            able = [unit for unit in makers if type_code in unit.makes]
            others = [unit for unit in able if unit is not self.maker_maintainer]
            if able:
                self.makers_for[type_code] = _Weighted(able, [u.share for u in able], type_code)
            if others:
                self.other_makers_for[type_code] = _Weighted(
                    others, [u.share for u in others], type_code
                )
        renovators = [
            unit
            for unit in makers
            if OrganisationRole.INSTALLER in unit.roles
            and ElevatorType.TRACTION_PASSENGER in unit.makes
        ]
        self.renovators = _Weighted(
            renovators, [unit.share for unit in renovators], "installing manufacturers"
        )
        healthy = [unit for unit in self.units if unit.maintainer_share > 0]
        self.healthy_maintainers = _Weighted(
            healthy, [unit.maintainer_share for unit in healthy], "maintainers"
        )
        installers = [
            unit
            for unit in healthy
            if OrganisationRole.INSTALLER in unit.roles and unit.story is None
        ]
        self.installers = _Weighted(installers, [1] * len(installers), "installers")

    def _site(
        self, site: dict[str, Any], place_category: str, user_unit: str | None, kind: str
    ) -> _Site:
        street = self._street_data.get(site["street"])
        if street is None or site["community"] not in street["communities"]:
            raise ValueError(f"site {site['name']}: unknown street or community")
        floors = (site["floors"][0], site["floors"][1])
        retrofit = site.get("retrofit", False)
        mix = site.get("type_mix") or (
            RETROFIT_MIX
            if retrofit
            else HIGH_RISE_MIX
            if place_category == PlaceCategory.RESIDENTIAL and floors[1] >= 26
            else TYPE_MIX[place_category]
        )
        # Spread sites around their street's centre, ±0.012°, the same way on every run.
        digest = hashlib.sha256(site["name"].encode()).digest()
        latitude = street["centre"][0] + (digest[0] - 128) / 128 * 0.012
        longitude = street["centre"][1] + (digest[1] - 128) / 128 * 0.012
        buildings = site["buildings"]
        return _Site(
            name=site["name"],
            street=site["street"],
            community=site["community"],
            address=site["address"],
            place_category=place_category,
            user_unit=user_unit,
            owners_committee=kind == "owners_committee",
            weight=site.get("weight", 1),
            first_year=site["years"][0] + self.year_shift,
            last_year=site["years"][1] + self.year_shift,
            floors=floors,
            buildings=buildings if isinstance(buildings, int) else tuple(buildings),
            retrofit=retrofit,
            types=_Weighted(list(mix), list(mix.values()), f"types of {site['name']}"),
            latitude=latitude,
            longitude=longitude,
        )

    def _licences(self, today: date) -> list[Row]:
        rows = []
        for index, unit in enumerate(self.units):
            kinds = []
            if OrganisationRole.MANUFACTURER in unit.roles:
                kinds.append(LicenceKind.MANUFACTURE)
            if unit.roles & {OrganisationRole.MAINTAINER, OrganisationRole.INSTALLER}:
                kinds.append(LicenceKind.INSTALLATION_MAINTENANCE)
            if OrganisationRole.INSPECTION_AGENCY in unit.roles:
                kinds.append(LicenceKind.INSPECTION)
            for kind in kinds:
                # Licences run 4 years; staggered issue dates keep all of them current today.
                valid_from = today - timedelta(days=400 + index * 137 % 900)
                row: Row = {
                    "organisation_credit_code": unit.credit_code,
                    "kind": kind,
                    "valid_from": valid_from,
                    "valid_until": last_day_of_years(valid_from, 4),
                    "status": LicenceStatus.VALID,
                    "suspended_at": None,
                    "revoked_on": None,
                    "revoked_at": None,
                    "reason": None,
                }
                if kind == LicenceKind.INSTALLATION_MAINTENANCE:
                    row.update(self._licence_story(unit.story))
                row["number"] = (
                    f"{LICENCE_NUMBER_PREFIX[kind]}{index + 1:03d}-{row['valid_until'].year}"
                )
                rows.append(row)
        return rows

    def _licence_story(self, story: Story | None) -> Row:
        if story == Story.LICENCE_REVOKED:
            details = self.stories[story]
            revoked_on = details["revoked_on"]
            valid_from = revoked_on - timedelta(days=700)
            return {
                "valid_from": valid_from,
                "valid_until": last_day_of_years(valid_from, 4),
                "status": LicenceStatus.REVOKED,
                "revoked_on": revoked_on,
                # The decision is signed in the morning, 09:30 in 綦江.
                "revoked_at": datetime.combine(revoked_on, time(1, 30), tzinfo=UTC),
                "reason": details["reason"],
            }
        if story == Story.LICENCE_EXPIRED:
            details = self.stories[story]
            return {
                "valid_from": details["valid_from"],
                "valid_until": details["valid_until"],
                "status": LicenceStatus.EXPIRED,
                "reason": details["reason"],
            }
        return {}

    def ineligible_on(self, unit: _Unit, day: date) -> bool:
        """A contract starting on `day` with `unit` would have been refused (as of that day)."""
        details = self.stories.get(unit.story) if unit.story else None
        if details is None:
            return False
        match unit.story:
            case Story.BLACKLISTED:
                return day >= details["listed_on"]
            case Story.BLACKLIST_LIFTED:
                return details["listed_on"] <= day < details["lifted_on"]
            case Story.LICENCE_REVOKED:
                return day >= details["revoked_on"]
            case Story.LICENCE_EXPIRED:
                return day > details["valid_until"]
        return False

    def ineligible_since(self, story: Story) -> date:
        """The first day the story's unit may no longer take new contracts."""
        details = self.stories[story]
        if story == Story.LICENCE_EXPIRED:
            return details["valid_until"] + timedelta(days=1)
        return details["revoked_on"] if story == Story.LICENCE_REVOKED else details["listed_on"]


def _pool(sites: list[_Site], keep: Callable[[_Site], bool], what: str) -> _Weighted[_Site]:
    chosen = [site for site in sites if keep(site)]
    return _Weighted(chosen, [site.weight for site in chosen], what)


# Elevators -----------------------------------------------------------------------------------


@dataclass
class _Life:
    """The dates of one elevator's life and what it is in the sample for."""

    scenario: Scenario
    ordinal: int
    status: ElevatorStatus = ElevatorStatus.IN_USE
    commissioned_on: date | None = None
    stopped_on: date | None = None
    modernised_on: date | None = None


BAD_MAINTAINER_STORY = {
    Scenario.BLACKLISTED_MAINTAINER: Story.BLACKLISTED,
    Scenario.REVOKED_MAINTAINER: Story.LICENCE_REVOKED,
    Scenario.EXPIRED_MAINTAINER: Story.LICENCE_EXPIRED,
}
THREE_NO_SCENARIOS = frozenset({Scenario.THREE_NO_ORPHAN, Scenario.THREE_NO_OWNERS})
UNREGISTERED_SCENARIOS = frozenset({Scenario.UNREGISTERED, Scenario.UNREGISTERED_WITHIN_GRACE})
# Stories told with an ordinary passenger car.
PASSENGER_SCENARIOS = frozenset(
    {
        *THREE_NO_SCENARIOS,
        Scenario.MAKER_WARRANTY_SHORT,
        Scenario.RENOVATED,
        Scenario.RENOVATED_WARRANTY_SHORT,
    }
)
MOVING_STAIRS = frozenset({ElevatorType.ESCALATOR, ElevatorType.MOVING_WALK})
TRACTION_GOODS = frozenset({ElevatorType.TRACTION_GOODS, ElevatorType.POSITIVE_DRIVE_GOODS})
HYDRAULIC = frozenset({ElevatorType.HYDRAULIC_PASSENGER, ElevatorType.HYDRAULIC_GOODS})
# Scenarios whose commissioning must leave room for a year of contracts before today.
ESTABLISHED = frozenset(
    {
        Scenario.CONTRACT_ENDED_YESTERDAY,
        Scenario.CONTRACT_ENDS_TODAY,
        Scenario.CONTRACT_TERMINATED,
        Scenario.SUSPENDED_LONG,
        Scenario.SUSPENDED_RECENT,
        *BAD_MAINTAINER_STORY,
    }
)


class _ElevatorFactory:
    """One pass over the elevators; owns the random stream and the sequence counters."""

    def __init__(self, world: _World, *, count: int, seed: int, today: date) -> None:
        self.world = world
        self.count = count
        self.today = today
        self.rng = random.Random(seed)
        self.sequences: dict[tuple[str, ...], int] = {}
        self.rescue_offset = self.rng.randrange(1_000_000)
        self.history_start = add_years(today, -CONTRACT_HISTORY_YEARS)

    def rows(self) -> Iterator[ElevatorRows]:
        """The elevators in index order, each with its dependent rows."""
        scenarios = self._assign_scenarios()
        for index in range(self.count):
            scenario, ordinal = scenarios.get(index, (Scenario.ORDINARY, 0))
            yield self._elevator(index, _Life(scenario, ordinal))

    def _assign_scenarios(self) -> dict[int, tuple[Scenario, int]]:
        counts = scenario_counts(self.count)
        chosen = iter(self.rng.sample(range(self.count), sum(counts.values())))
        return {
            next(chosen): (scenario, ordinal)
            for scenario, count in counts.items()
            for ordinal in range(count)
        }

    # One elevator ------------------------------------------------------------------------

    def _elevator(self, index: int, life: _Life) -> ElevatorRows:
        rng, world, today = self.rng, self.world, self.today
        site = self._site(life)
        type_code = (
            ElevatorType.TRACTION_PASSENGER
            if life.scenario in PASSENGER_SCENARIOS
            else ElevatorType(site.types.pick(rng))
        )
        self._live(life, site)
        maker = self._maker(life, type_code)

        if life.commissioned_on is None:
            inspected_on = today - timedelta(days=self._int(3, 40))
        else:
            inspected_on = life.commissioned_on - timedelta(days=self._int(0, 20))
        manufactured_on = inspected_on - timedelta(days=self._int(60, 240))
        registered_on = self._registered_on(life, inspected_on)
        maintainer = self._maintainer(life, maker)
        user_unit = site.user_unit if life.scenario != Scenario.THREE_NO_ORPHAN else None
        elevator: Row = {
            "equipment_code": self._equipment_code(
                type_code, maker, manufactured_on, life.commissioned_on or inspected_on
            ),
            "registration_number": self._registration_number(type_code, registered_on),
            "registered_on": registered_on,
            "rescue_code": f"{(RESCUE_CODE_MULTIPLIER * index + self.rescue_offset) % 1_000_000:06d}",
            "type_code": type_code.value,
            "manufacturer_credit_code": maker.credit_code,
            "installer_credit_code": (
                maker.credit_code
                if OrganisationRole.INSTALLER in maker.roles
                else world.installers.pick(rng).credit_code
            ),
            "manufactured_on": manufactured_on,
            "installation_inspected_on": inspected_on,
            "commissioned_on": life.commissioned_on,
            "modernised_on": life.modernised_on,
            **self._specification(type_code, site, maker, manufactured_on),
            **self._location(type_code, site),
            "place_category": site.place_category,
            "user_unit_credit_code": user_unit,
            "has_property_management": not site.owners_committee and user_unit is not None,
            "has_repair_fund": (
                life.scenario not in THREE_NO_SCENARIOS
                and (not site.owners_committee or rng.random() < 0.5)
            ),
            "added_to_old_building": site.retrofit,
            "iot_terminal_fitted": life.scenario == Scenario.ON_DEMAND or rng.random() < 0.4,
            "emergency_levelling_fitted": rng.random()
            < (0.5 if manufactured_on.year >= 2018 else 0.15),
            "status": life.status.value,
            "status_changed_on": life.stopped_on or life.commissioned_on or registered_on,
        }
        code = elevator["equipment_code"]
        contracts = (
            self._contracts(life, code, user_unit, maintainer, type_code, site)
            if user_unit is not None and life.commissioned_on is not None
            else []
        )
        return ElevatorRows(
            elevator,
            self._status_changes(life, code, registered_on),
            contracts,
            self._warranties(life, code, maker, maintainer),
        )

    def _site(self, life: _Life) -> _Site:
        world = self.world
        match life.scenario:
            case Scenario.THREE_NO_ORPHAN:
                pool = world.orphan_sites
            case Scenario.THREE_NO_OWNERS:
                pool = world.committee_homes
            case (
                Scenario.UNREGISTERED | Scenario.UNREGISTERED_WITHIN_GRACE | Scenario.NOT_YET_IN_USE
            ):
                pool = world.new_sites
            case Scenario.MAKER_WARRANTY_SHORT:
                pool = world.recent_sites
            case Scenario.SCRAPPED:
                pool = world.aged_sites
            case Scenario.RENOVATED | Scenario.RENOVATED_WARRANTY_SHORT:
                pool = world.aged_homes
            case scenario if scenario in ESTABLISHED:
                pool = world.established_sites
            case _:
                pool = world.sites
        return pool.pick(self.rng)

    def _live(self, life: _Life, site: _Site) -> None:
        """Sets status, commissioning and the stop or modernisation date for the scenario."""
        today = self.today
        latest = today - timedelta(days=1)
        match life.scenario:
            case Scenario.NOT_YET_IN_USE:
                life.status = ElevatorStatus.REGISTERED
                return
            case Scenario.UNREGISTERED_WITHIN_GRACE:
                # Exactly 30 days: TSG 08-2017 allows registering within 30 days, so not yet due.
                life.commissioned_on = today - timedelta(days=30)
                return
            case Scenario.UNREGISTERED:
                days = 31 if life.ordinal == 0 else self._int(32, 300)
                life.commissioned_on = today - timedelta(days=days)
                return
            case Scenario.MAKER_WARRANTY_SHORT:
                earliest = max(date(site.first_year, 1, 1), add_years(today, -4) + timedelta(30))
                life.commissioned_on = self._day(
                    earliest, min(date(site.last_year, 12, 31), latest)
                )
                return
            case Scenario.SUSPENDED_LONG | Scenario.SUSPENDED_RECENT:
                long = life.scenario == Scenario.SUSPENDED_LONG
                # The first of each group sits on the one-year boundary of SUSPENDED_RESTART.
                if life.ordinal == 0:
                    days = 365 if long else 364
                else:
                    days = self._int(366, 900) if long else self._int(20, 363)
                life.status = ElevatorStatus.SUSPENDED
                life.stopped_on = today - timedelta(days=days)
                latest = life.stopped_on - timedelta(days=180)
            case Scenario.SCRAPPED:
                life.status = ElevatorStatus.SCRAPPED
                life.stopped_on = today - timedelta(days=self._int(30, 1000))
                latest = life.stopped_on - timedelta(days=1)
            case Scenario.RENOVATED | Scenario.RENOVATED_WARRANTY_SHORT:
                life.modernised_on = today - timedelta(days=self._int(30, 1000))
            case scenario if scenario in ESTABLISHED:
                latest = today - timedelta(days=400)
        life.commissioned_on = self._day(
            date(site.first_year, 1, 1), min(date(site.last_year, 12, 31), latest)
        )

    def _maker(self, life: _Life, type_code: ElevatorType) -> _Unit:
        if life.scenario == Scenario.MAKER_WARRANTY_SHORT:
            return self.world.maker_maintainer
        # Elevators of the manufacturer-maintainer are maintained by it, so a story about
        # another maintainer needs another manufacturer.
        if life.scenario in BAD_MAINTAINER_STORY:
            return self.world.other_makers_for[type_code].pick(self.rng)
        return self.world.makers_for[type_code].pick(self.rng)

    def _maintainer(self, life: _Life, maker: _Unit) -> _Unit:
        story = BAD_MAINTAINER_STORY.get(life.scenario)
        if story is not None:
            return self.world.story_units[story]
        if maker is self.world.maker_maintainer:
            return maker
        return self.world.healthy_maintainers.pick(self.rng)

    def _registered_on(self, life: _Life, inspected_on: date) -> date | None:
        if life.scenario in UNREGISTERED_SCENARIOS:
            return None
        if life.commissioned_on is None:
            return self._day(inspected_on, self.today)
        # Registered up to 30 days after being put in use (TSG 08-2017), some before it.
        day = max(inspected_on, life.commissioned_on + timedelta(days=self._int(-10, 25)))
        return day if day <= self.today else None

    def _equipment_code(
        self, type_code: ElevatorType, maker: _Unit, manufactured_on: date, registered: date
    ) -> str:
        if manufactured_on.year >= 2016:
            year = manufactured_on.year
            sequence = self._next(("equipment", maker.maker_code, str(year)), 99_999)
            return f"{type_code}{maker.maker_code}{year}{sequence:05d}"
        month = registered.strftime("%Y%m")
        sequence = self._next(("legacy", type_code, month), 9_999)
        return f"{type_code}{self.world.region}{month}{sequence:04d}"

    def _registration_number(
        self, type_code: ElevatorType, registered_on: date | None
    ) -> str | None:
        if registered_on is None:
            return None
        year = registered_on.year % 100
        sequence = self._next(("registration", type_code.feature_code, str(year)), 99_999)
        world = self.world
        return f"梯{type_code.feature_code}{world.province}{world.city_letter}{sequence:05d}({year:02d})"

    def _next(self, key: tuple[str, ...], limit: int) -> int:
        """The next number of a sequence; each starts at a small random offset, like real ones."""
        value = self.sequences.get(key) or self._int(1, 40)
        if value > limit:
            raise ValueError(f"sample too large: sequence {key} passed {limit}")
        self.sequences[key] = value + 1
        return value

    def _specification(
        self, type_code: ElevatorType, site: _Site, maker: _Unit, manufactured_on: date
    ) -> Row:
        rng = self.rng
        load: int | None
        doors: int | None
        if type_code in MOVING_STAIRS:
            width = self._choice((800, 1000))
            return {
                "model": f"{maker.model_prefix}-{MODEL_TAG[type_code]}{width}",
                "product_serial": f"{maker.model_prefix}{manufactured_on:%y}{self._int(0, 999_999):06d}",
                "rated_load_kg": None,
                "rated_speed_mps": Decimal("0.50"),
                "floors": 2,
                "stops": 2,
                "doors": None,
            }
        if type_code == ElevatorType.DUMBWAITER:
            load, speed = self._choice((100, 200, 250, 300)), self._choice(("0.40", "0.50"))
            floors = self._int(2, 5)
        elif type_code in TRACTION_GOODS:
            load, speed = self._choice((1000, 1600, 2000, 3000)), self._choice(("0.50", "1.00"))
            floors = self._int(2, max(2, min(site.floors[1], 8)))
        elif type_code in HYDRAULIC:
            load, speed = self._choice((630, 800, 1000)), self._choice(("0.50", "0.63"))
            floors = self._int(2, max(2, min(site.floors[1], 6)))
        else:
            floors = self._int(*site.floors)
            speed = self._choice(
                ("1.00",)
                if floors <= 7
                else ("1.00", "1.50")
                if floors <= 11
                else ("1.50", "1.75")
                if floors <= 18
                else ("2.00", "2.50")
            )
            if type_code == ElevatorType.FIREFIGHTER:
                load = self._choice((1000, 1050, 1350))
            elif site.retrofit:
                load = self._choice((630, 800))
            elif site.place_category == PlaceCategory.HOSPITAL:
                load = self._choice((1350, 1600))
            elif site.place_category == PlaceCategory.RESIDENTIAL:
                load = self._choice((800, 1000, 1050))
            else:
                load = self._choice((800, 1000, 1050, 1150, 1350, 1600))
        # Some cars skip a basement or refuge floor; through-cars have more doors than stops.
        stops = floors - self._int(1, 2) if floors > 4 and rng.random() < 0.12 else floors
        doors = stops + 1 if rng.random() < 0.04 else stops
        return {
            "model": f"{maker.model_prefix}-{MODEL_TAG[type_code]}{load}/{speed}",
            "product_serial": f"{maker.model_prefix}{manufactured_on:%y}{self._int(0, 999_999):06d}",
            "rated_load_kg": load,
            "rated_speed_mps": Decimal(speed),
            "floors": floors,
            "stops": stops,
            "doors": doors,
        }

    def _location(self, type_code: ElevatorType, site: _Site) -> Row:
        if isinstance(site.buildings, int):
            building = f"{self._int(1, site.buildings * self.world.building_scale)}栋"
            unit: str | None = f"{self._int(1, 3)}单元"
            in_house = "1号梯" if site.retrofit else f"{self._int(1, 2)}号梯"
        else:
            building, unit = self._choice(site.buildings), None
            moving = type_code in MOVING_STAIRS
            in_house = f"{self._int(1, 6)}号{'扶梯' if moving else '梯'}"
        return {
            "district": self.world.district,
            "street": site.street,
            "community": site.community,
            "address": site.address + site.name,
            "building": building,
            "unit": unit,
            "in_house_number": in_house,
            "latitude": Decimal(f"{site.latitude + (self.rng.random() - 0.5) * 12e-4:.6f}"),
            "longitude": Decimal(f"{site.longitude + (self.rng.random() - 0.5) * 12e-4:.6f}"),
        }

    # Rows that reference the elevator ---------------------------------------------------

    def _status_changes(self, life: _Life, code: str, registered_on: date | None) -> list[Row]:
        def change(before: str | None, after: str, on: date, reason: str) -> Row:
            return {
                "elevator_equipment_code": code,
                "from_status": before,
                "to_status": after,
                "changed_on": on,
                "reason": reason,
                "actor": STATUS_ACTOR,
            }

        if life.commissioned_on is None:
            assert registered_on is not None
            return [change(None, ElevatorStatus.REGISTERED, registered_on, "使用登记")]
        rows = [change(None, ElevatorStatus.IN_USE, life.commissioned_on, "投入使用")]
        if life.stopped_on is not None:
            reasons = (
                SUSPENSION_REASONS if life.status == ElevatorStatus.SUSPENDED else SCRAP_REASONS
            )
            rows.append(
                change(ElevatorStatus.IN_USE, life.status, life.stopped_on, self._choice(reasons))
            )
        return rows

    def _contracts(
        self,
        life: _Life,
        code: str,
        user_unit: str,
        maintainer: _Unit,
        type_code: ElevatorType,
        site: _Site,
    ) -> list[Row]:
        """The latest contract for the scenario, then earlier ones back four years, none overlapping."""
        rng, today = self.rng, self.today
        assert life.commissioned_on is not None
        commissioned = life.commissioned_on
        mode = self._mode(life, site)
        terminated: tuple[date, str] | None = None
        match life.scenario:
            case Scenario.CONTRACT_ENDED_YESTERDAY:
                end = today - timedelta(days=1)
                start = add_years(end + timedelta(days=1), -1)
            case Scenario.CONTRACT_ENDS_TODAY:
                end = today
                start = add_years(end + timedelta(days=1), -1)
            case Scenario.THREE_NO_OWNERS:
                end = date(today.year - 1, 12, 31)
                start = max(commissioned, add_years(end + timedelta(days=1), -1))
            case Scenario.CONTRACT_TERMINATED:
                start = today - timedelta(days=self._int(100, 300))
                end = last_day_of_years(start, 1)
                days = 20 if life.ordinal == 0 else self._int(1, 60)
                terminated = today - timedelta(days=days), "使用单位解除合同, 新合同尚未签订"
            case Scenario.SUSPENDED_LONG | Scenario.SCRAPPED:
                assert life.stopped_on is not None
                start = max(commissioned, life.stopped_on - timedelta(days=self._int(30, 300)))
                end = last_day_of_years(start, 1)
                reason = "电梯停用" if life.status == ElevatorStatus.SUSPENDED else "电梯报废"
                terminated = life.stopped_on, f"{reason}, 合同提前终止"
            case scenario if scenario in BAD_MAINTAINER_STORY:
                # Signed while the unit was still eligible; it became ineligible since.
                story = BAD_MAINTAINER_STORY[scenario]
                last_eligible = self.world.ineligible_since(story) - timedelta(days=1)
                start = self._day(max(commissioned, today - timedelta(days=364)), last_eligible)
                end = last_day_of_years(start, 1)
            case _:
                start = max(commissioned, today - timedelta(days=self._int(0, 270)))
                end = last_day_of_years(start, self._choice((1, 1, 1, 2, 3)))
        rows = [
            self._contract(code, maintainer, user_unit, start, end, mode, type_code, terminated)
        ]
        # Earlier contracts, back to commissioning or the history horizon, end to end; 按需维保
        # is a recent pilot, so they were ordinary or package contracts.
        earlier_mode = mode if mode in PACKAGE_MODES else ContractMode.REGULAR
        while start > commissioned and start > self.history_start:
            end = start - timedelta(days=1)
            start = max(commissioned, add_years(start, -self._choice((1, 2, 3))))
            if maintainer is not self.world.maker_maintainer and (
                rng.random() < 0.3 or self.world.ineligible_on(maintainer, start)
            ):
                maintainer = self._eligible_maintainer(start)
            rows.append(
                self._contract(
                    code,
                    maintainer,
                    user_unit,
                    start,
                    end,
                    earlier_mode,
                    type_code,
                    None,
                )
            )
        return rows

    def _eligible_maintainer(self, start: date) -> _Unit:
        while True:
            unit = self.world.healthy_maintainers.pick(self.rng)
            if not self.world.ineligible_on(unit, start):
                return unit

    def _mode(self, life: _Life, site: _Site) -> ContractMode:
        if life.scenario == Scenario.ON_DEMAND:
            return ContractMode.ON_DEMAND
        draw = self.rng.random()
        # Plan §三(三): schools and hospitals are pushed towards 大包/全包.
        if site.place_category in PACKAGE_PLACES:
            if draw < 0.5:
                return ContractMode.MAJOR_PACKAGE
            return ContractMode.FULL_PACKAGE if draw < 0.7 else ContractMode.REGULAR
        if draw < 0.06:
            return ContractMode.FULL_PACKAGE
        return ContractMode.MAJOR_PACKAGE if draw < 0.1 else ContractMode.REGULAR

    def _contract(
        self,
        code: str,
        maintainer: _Unit,
        user_unit: str,
        start: date,
        end: date,
        mode: ContractMode,
        type_code: ElevatorType,
        terminated: tuple[date, str] | None,
    ) -> Row:
        if type_code in MOVING_STAIRS:
            yearly = self._int(60, 90) * 100
        elif type_code == ElevatorType.DUMBWAITER:
            yearly = self._int(15, 25) * 100
        else:
            yearly = self._int(35, 60) * 100
        years = max(1, round((end - start).days / 365))
        fee = round(yearly * MODE_FEE_FACTOR[mode] * years, -1)
        return {
            "elevator_equipment_code": code,
            "maintenance_unit_credit_code": maintainer.credit_code,
            "user_unit_credit_code": user_unit,
            "start_date": start,
            "end_date": end,
            "mode": mode.value,
            "maintenance_interval_days": (
                self._choice((30, 30, 45)) if mode == ContractMode.ON_DEMAND else None
            ),
            "fee_yuan": Decimal(f"{fee:.2f}"),
            "terminated_on": terminated[0] if terminated else None,
            "termination_reason": terminated[1] if terminated else None,
        }

    def _warranties(self, life: _Life, code: str, maker: _Unit, maintainer: _Unit) -> list[Row]:
        def warranty(scope: str, issuer: _Unit, start: date, years: int, context: str) -> Row:
            return {
                "elevator_equipment_code": code,
                "scope": scope,
                "issuer_credit_code": issuer.credit_code,
                "start_date": start,
                "end_date": last_day_of_years(start, years),
                "context": context,
            }

        if life.modernised_on is not None:
            years = 3 if life.scenario == Scenario.RENOVATED_WARRANTY_SHORT else 5
            renovator = self.world.renovators.pick(self.rng)
            return [
                warranty(
                    WarrantyScope.WHOLE_UNIT,
                    renovator,
                    life.modernised_on,
                    years,
                    WarrantyContext.SUBSIDISED_RENOVATION,
                )
            ]
        commissioned = life.commissioned_on
        if commissioned is None:
            return []
        if maker is maintainer is self.world.maker_maintainer and commissioned >= add_years(
            self.today, -4
        ):
            # Plan §三(七)1: ten years on the five major parts; the short ones are legacy rows.
            years = 2 if life.scenario == Scenario.MAKER_WARRANTY_SHORT else 10
            return [
                warranty(scope, maker, commissioned, years, WarrantyContext.NEW_INSTALLATION)
                for scope in sorted(WarrantyScope.major_parts())
            ]
        if commissioned >= add_years(self.today, -2):
            # The usual two-year maker's warranty; no minimum applies to it.
            return [
                warranty(
                    WarrantyScope.WHOLE_UNIT,
                    maker,
                    commissioned,
                    2,
                    WarrantyContext.NEW_INSTALLATION,
                )
            ]
        return []

    def _day(self, first: date, last: date) -> date:
        """A random day from `first` to `last`, both included."""
        return first + timedelta(days=self._int(0, (last - first).days))

    # `randint` and `choice` cost several times more; the generator calls these millions of times.
    def _int(self, low: int, high: int) -> int:
        """A uniform integer from `low` to `high`, both included."""
        return low + int(self.rng.random() * (high - low + 1))

    def _choice(self, options: Sequence[T]) -> T:
        """A uniformly chosen element."""
        return options[int(self.rng.random() * len(options))]
