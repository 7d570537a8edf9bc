"""HTTP routes of governance: blacklist, veto events, star ratings, insurance, cost disclosure.

Thin: parse, call one service function, return. The public routes sit on `public_router`
behind the public-read rate limit and show no person's data.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status

from elevator_registry.auth.enums import Role
from elevator_registry.dependencies import AuthenticatedDep, ClockDep, SessionDep, SettingsDep
from elevator_registry.governance import blacklist as blacklist_service
from elevator_registry.governance import disclosures as disclosure_service
from elevator_registry.governance import insurance as insurance_service
from elevator_registry.governance import ratings as rating_service
from elevator_registry.governance.enums import InsuranceKind, RatingGrade
from elevator_registry.governance.models import (
    BlacklistEntry,
    CostDisclosure,
    InsurancePolicy,
    StarRating,
    VetoEvent,
)
from elevator_registry.governance.schemas import (
    BlacklistCreate,
    BlacklistLift,
    BlacklistRead,
    CostDisclosureCreate,
    CostDisclosureRead,
    InsurancePolicyCreate,
    InsurancePolicyRead,
    PremiumFactorRead,
    PublicBlacklistEntry,
    PublicCostDisclosure,
    PublicStarRating,
    RatingComputation,
    StarRatingRead,
    VetoEventCreate,
    VetoEventRead,
)
from elevator_registry.incidents.protection import RATE_LIMITED_RESPONSE, limit_public_read
from elevator_registry.pagination import fetch_page
from elevator_registry.schemas import (
    ERROR_RESPONSES,
    Cursor,
    FilterId,
    Page,
    PageLimit,
    PathId,
)

router = APIRouter(responses=ERROR_RESPONSES, tags=["governance"])
public_router = APIRouter(responses={**ERROR_RESPONSES, **RATE_LIMITED_RESPONSE}, tags=["public"])

YearFilter = Annotated[int | None, Query(ge=1990, le=2100)]
ReadLimit = Annotated[None, Depends(limit_public_read)]


# Blacklist -----------------------------------------------------------------------------------


@router.post("/blacklist", status_code=status.HTTP_201_CREATED, response_model=BlacklistRead)
def list_organisation(
    body: BlacklistCreate, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> BlacklistEntry:
    """Blacklists an organisation (bureau). Refused: ALREADY_BLACKLISTED, DATE_IN_FUTURE."""
    return blacklist_service.list_organisation(
        session, data=body, actor=actor, today=clock.today(), now=clock.now()
    )


@router.get("/blacklist", response_model=Page[BlacklistRead])
def list_blacklist(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    organisation_id: FilterId = None,
    current: Annotated[
        bool | None, Query(description="true: in force today; false: lifted or not yet begun")
    ] = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Blacklist entries, current and past, with lifting reasons (any authenticated caller)."""
    statement = blacklist_service.entries_statement(
        organisation_id=organisation_id, current=current, today=clock.today()
    )
    return fetch_page(session, statement, BlacklistEntry.id, limit=limit, cursor=cursor)


@router.post("/blacklist/{entry_id}/lift", response_model=BlacklistRead)
def lift_listing(
    entry_id: PathId,
    body: BlacklistLift,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
) -> BlacklistEntry:
    """Lifts a listing (bureau). Refused: ALREADY_LIFTED, DATE_RANGE_INVALID, DATE_IN_FUTURE."""
    return blacklist_service.lift(
        session, entry_id=entry_id, data=body, actor=actor, today=clock.today(), now=clock.now()
    )


@public_router.get("/public/blacklist", response_model=Page[PublicBlacklistEntry])
def public_blacklist(
    _limit: ReadLimit,
    session: SessionDep,
    clock: ClockDep,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Organisations blacklisted today: name, credit code, reason, legal basis, since when."""
    statement = blacklist_service.public_statement(clock.today())
    return fetch_page(
        session, statement, BlacklistEntry.id, limit=limit, cursor=cursor, as_rows=True
    )


# Veto events ---------------------------------------------------------------------------------


@router.post("/veto-events", status_code=status.HTTP_201_CREATED, response_model=VetoEventRead)
def record_veto_event(
    body: VetoEventCreate, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> VetoEvent:
    """Records a safety accident or penalty against a unit (bureau); its year's rating is D."""
    return blacklist_service.record_veto_event(
        session, data=body, actor=actor, today=clock.today(), now=clock.now()
    )


@router.get("/veto-events", response_model=Page[VetoEventRead])
def list_veto_events(
    session: SessionDep,
    actor: AuthenticatedDep,
    organisation_id: FilterId = None,
    year: YearFilter = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Veto events (bureau)."""
    actor.require(Role.BUREAU)
    statement = blacklist_service.veto_events_statement(organisation_id=organisation_id, year=year)
    return fetch_page(session, statement, VetoEvent.id, limit=limit, cursor=cursor)


# Star ratings --------------------------------------------------------------------------------


@router.post("/star-ratings/compute", response_model=RatingComputation)
def compute_ratings(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
    year: Annotated[int, Query(ge=1990, le=2100, description="A calendar year that has ended.")],
) -> dict[str, int]:
    """Rates every unit that maintained elevators in `year` (bureau); rerunning rewrites only
    ratings whose indicators changed (audited). Refused: YEAR_NOT_ENDED."""
    return rating_service.compute(
        session, year=year, actor=actor, settings=settings, today=clock.today(), now=clock.now()
    )


@router.get("/star-ratings", response_model=Page[StarRatingRead])
def list_ratings(
    session: SessionDep,
    actor: AuthenticatedDep,
    year: YearFilter = None,
    maintenance_unit_id: FilterId = None,
    grade: RatingGrade | None = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Ratings with the indicator values, weights and veto items behind them."""
    statement = rating_service.ratings_statement(
        year=year, maintenance_unit_id=maintenance_unit_id, grade=grade
    )
    return fetch_page(session, statement, StarRating.id, limit=limit, cursor=cursor)


@public_router.get("/public/star-ratings", response_model=Page[PublicStarRating])
def public_ratings(
    _limit: ReadLimit,
    session: SessionDep,
    year: YearFilter = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Published ratings: unit name and credit code, year, score, stars, grade."""
    statement = rating_service.public_statement(year=year)
    return fetch_page(session, statement, StarRating.id, limit=limit, cursor=cursor, as_rows=True)


# Insurance -----------------------------------------------------------------------------------


@router.post(
    "/insurance-policies", status_code=status.HTTP_201_CREATED, response_model=InsurancePolicyRead
)
def create_policy(
    body: InsurancePolicyCreate,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> InsurancePolicy:
    """Files a policy (bureau or the elevator's user unit) with its premium factor.
    Refused: POLICY_NUMBER_TAKEN, POLICY_OVERLAP, ORGANISATION_ROLE_MISSING, DATE_RANGE_INVALID."""
    return insurance_service.create_policy(
        session, data=body, actor=actor, settings=settings, today=clock.today(), now=clock.now()
    )


@router.get("/insurance-policies", response_model=Page[InsurancePolicyRead])
def list_policies(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    elevator_id: FilterId = None,
    insurer_id: FilterId = None,
    kind: InsuranceKind | None = None,
    in_force_on: Annotated[date | None, Query(ge=date(1950, 1, 1), le=date(2100, 12, 31))] = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Policies of the elevators the caller may read."""
    statement = insurance_service.policies_statement(
        actor=actor,
        today=clock.today(),
        elevator_id=elevator_id,
        insurer_id=insurer_id,
        kind=kind,
        in_force_on=in_force_on,
    )
    return fetch_page(session, statement, InsurancePolicy.id, limit=limit, cursor=cursor)


@router.get("/elevators/{elevator_id}/premium-factor", response_model=PremiumFactorRead)
def premium_factor(
    elevator_id: PathId,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
    as_of: Annotated[date | None, Query(ge=date(1950, 1, 1), le=date(2100, 12, 31))] = None,
) -> dict[str, Any]:
    """The elevator's premium factor today (or `as_of`) and the multiplier of each input."""
    return insurance_service.elevator_premium_factor(
        session,
        elevator_id=elevator_id,
        actor=actor,
        settings=settings,
        as_of=as_of or clock.today(),
        today=clock.today(),
    )


# Cost disclosure -----------------------------------------------------------------------------


@router.post(
    "/cost-disclosures", status_code=status.HTTP_201_CREATED, response_model=CostDisclosureRead
)
def file_disclosure(
    body: CostDisclosureCreate, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> CostDisclosure:
    """Files an elevator's yearly cost disclosure (its user unit, or the bureau).
    Refused: DISCLOSURE_EXISTS, NO_USER_UNIT, DATE_IN_FUTURE."""
    return disclosure_service.file_disclosure(
        session, data=body, actor=actor, today=clock.today(), now=clock.now()
    )


@router.get("/cost-disclosures", response_model=Page[CostDisclosureRead])
def list_disclosures(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    elevator_id: FilterId = None,
    user_unit_id: FilterId = None,
    year: YearFilter = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Disclosures of the elevators the caller may read."""
    statement = disclosure_service.disclosures_statement(
        actor=actor,
        today=clock.today(),
        elevator_id=elevator_id,
        user_unit_id=user_unit_id,
        year=year,
    )
    return fetch_page(session, statement, CostDisclosure.id, limit=limit, cursor=cursor)


@public_router.get("/public/cost-disclosures", response_model=Page[PublicCostDisclosure])
def public_disclosures(
    _limit: ReadLimit,
    session: SessionDep,
    user_unit_id: Annotated[int, Query(ge=1, le=2_147_483_647)],
    year: YearFilter = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """A user unit's disclosures: each elevator by rescue code and address, year, amounts."""
    statement = disclosure_service.public_statement(user_unit_id=user_unit_id, year=year)
    return fetch_page(
        session, statement, CostDisclosure.id, limit=limit, cursor=cursor, as_rows=True
    )
