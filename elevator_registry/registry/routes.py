"""HTTP routes of the registry: organisations, licences, elevators, contracts, warranties."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from elevator_registry.dependencies import AuthenticatedDep, ClockDep, SessionDep, SettingsDep
from elevator_registry.inspection import service as inspection_service
from elevator_registry.pagination import fetch_page
from elevator_registry.registry import contracts as contract_service
from elevator_registry.registry import elevators as elevator_service
from elevator_registry.registry import organisations as organisation_service
from elevator_registry.registry import search
from elevator_registry.registry.enums import (
    ElevatorStatus,
    ElevatorType,
    OrganisationRole,
    PlaceCategory,
)
from elevator_registry.registry.models import Elevator, MaintenanceContract, Organisation, Warranty
from elevator_registry.registry.schemas import (
    ContractCreate,
    ContractEnd,
    ContractRead,
    ElevatorCreate,
    ElevatorRead,
    ElevatorSearchHit,
    ElevatorSearchResult,
    ElevatorUpdate,
    LicenceAction,
    LicenceCreate,
    LicenceRead,
    OrganisationCreate,
    OrganisationRead,
    OrganisationUpdate,
    PutInUseAction,
    RegisterAction,
    StatusAction,
    WarrantyCreate,
    WarrantyRead,
)
from elevator_registry.rules import service as rules_service
from elevator_registry.schemas import (
    ERROR_RESPONSES,
    Cursor,
    FilterId,
    FilterText,
    Page,
    PageLimit,
    PathId,
    SearchText,
)

router = APIRouter(responses=ERROR_RESPONSES)

Year = Annotated[int | None, Query(ge=1950, le=2100)]

# Organisations ------------------------------------------------------------------------------


@router.post(
    "/organisations",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganisationRead,
    tags=["organisations"],
)
def create_organisation(
    body: OrganisationCreate, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> Organisation:
    """Registers an organisation (bureau). The credit code's check character is verified."""
    return organisation_service.create_organisation(
        session, data=body, actor=actor, now=clock.now()
    )


@router.get("/organisations", response_model=Page[OrganisationRead], tags=["organisations"])
def list_organisations(
    session: SessionDep,
    actor: AuthenticatedDep,
    role: OrganisationRole | None = None,
    name: FilterText = None,
    credit_code: FilterText = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Organisations, filtered by role, name fragment or credit code."""
    statement = organisation_service.organisations_statement(
        role=role, name=name, credit_code=credit_code
    )
    return fetch_page(session, statement, Organisation.id, limit=limit, cursor=cursor)


@router.get(
    "/organisations/{organisation_id}", response_model=OrganisationRead, tags=["organisations"]
)
def read_organisation(
    organisation_id: PathId, session: SessionDep, actor: AuthenticatedDep
) -> Organisation:
    """One organisation."""
    return organisation_service.get_organisation(session, organisation_id)


@router.patch(
    "/organisations/{organisation_id}", response_model=OrganisationRead, tags=["organisations"]
)
def update_organisation(
    organisation_id: PathId,
    body: OrganisationUpdate,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
) -> Organisation:
    """Changes an organisation (bureau); an organisation may change its own contact details."""
    return organisation_service.update_organisation(
        session, organisation_id=organisation_id, data=body, actor=actor, now=clock.now()
    )


@router.get(
    "/organisations/{organisation_id}/licences", response_model=list[LicenceRead], tags=["licences"]
)
def list_licences(organisation_id: PathId, session: SessionDep, actor: AuthenticatedDep) -> object:
    """An organisation's licences."""
    return organisation_service.licences_of(session, organisation_id)


@router.post(
    "/organisations/{organisation_id}/licences",
    status_code=status.HTTP_201_CREATED,
    response_model=LicenceRead,
    tags=["licences"],
)
def add_licence(
    organisation_id: PathId,
    body: LicenceCreate,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> object:
    """Grants a licence (bureau); refused with LICENCE_BAN within 3 years of a revocation."""
    return organisation_service.add_licence(
        session,
        organisation_id=organisation_id,
        data=body,
        actor=actor,
        settings=settings,
        today=clock.today(),
        now=clock.now(),
    )


@router.post("/licences/{licence_id}/suspend", response_model=LicenceRead, tags=["licences"])
def suspend_licence(
    licence_id: PathId,
    body: LicenceAction,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
) -> object:
    """Suspends a valid licence (bureau)."""
    return organisation_service.suspend_licence(
        session, licence_id=licence_id, data=body, actor=actor, now=clock.now()
    )


@router.post("/licences/{licence_id}/revoke", response_model=LicenceRead, tags=["licences"])
def revoke_licence(
    licence_id: PathId,
    body: LicenceAction,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
) -> object:
    """Revokes a licence (bureau); records `revoked_on`, which starts the 3-year ban."""
    return organisation_service.revoke_licence(
        session, licence_id=licence_id, data=body, actor=actor, today=clock.today(), now=clock.now()
    )


# Elevators ----------------------------------------------------------------------------------


@router.post(
    "/elevators",
    status_code=status.HTTP_201_CREATED,
    response_model=ElevatorRead,
    tags=["elevators"],
)
def create_elevator(
    body: ElevatorCreate,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Elevator:
    """Enters an elevator in the registry (bureau)."""
    return elevator_service.create_elevator(
        session, data=body, actor=actor, settings=settings, today=clock.today(), now=clock.now()
    )


@router.get("/elevators", response_model=Page[ElevatorRead], tags=["elevators"])
def list_elevators(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
    street: FilterText = None,
    user_unit_id: FilterId = None,
    maintenance_unit_id: Annotated[
        int | None, Query(ge=1, le=2_147_483_647, description="Holder of the current contract")
    ] = None,
    type_code: ElevatorType | None = None,
    place_category: PlaceCategory | None = None,
    status: ElevatorStatus | None = None,
    commissioned_from_year: Year = None,
    commissioned_to_year: Year = None,
    equipment_code: FilterText = None,
    registration_number: FilterText = None,
    rescue_code: FilterText = None,
    address: Annotated[SearchText, Query(description="Part of the address (contains)")] = None,
    q: Annotated[
        SearchText,
        Query(
            description="Part of the equipment code, registration number, rescue code, "
            "address or 小区 (contains); GET /elevators/search ranks exact matches first"
        ),
    ] = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Elevators the caller may see, filtered; look one up by equipment code, registration
    number or rescue code with the matching filter, or by a fragment with `q`."""
    statement = elevator_service.elevators_statement(
        actor=actor,
        today=clock.today(),
        street=street,
        user_unit_id=user_unit_id,
        maintenance_unit_id=maintenance_unit_id,
        type_code=type_code,
        place_category=place_category,
        status=status,
        commissioned_from_year=commissioned_from_year,
        commissioned_to_year=commissioned_to_year,
        equipment_code=equipment_code,
        registration_number=registration_number,
        rescue_code=rescue_code,
        address=address,
        q=q,
    )
    page = fetch_page(session, statement, Elevator.id, limit=limit, cursor=cursor)
    reads = inspection_service.elevator_reads(
        session, page["items"], regime=settings.inspection_regime, as_of=clock.today()
    )
    reads = rules_service.with_risk(
        session, reads, as_of=clock.today(), now=clock.now(), settings=settings
    )
    return page | {"items": reads}


@router.get("/elevators/search", response_model=ElevatorSearchResult, tags=["elevators"])
def search_elevators(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=search.MAX_QUERY_LENGTH,
            pattern=r"^[^\x00]*$",
            description="Equipment code, registration number, rescue code, or part of one, "
            "of the address or of the 小区",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=search.MAX_HITS)] = 20,
) -> dict[str, object]:
    """Finds elevators the caller may see: exact identifier matches first (`exact: true`),
    then elevators whose identifiers, address or 小区 contain `q`, by id. Refused:
    SEARCH_QUERY_INVALID (blank)."""
    hits = search.search_elevators(session, actor=actor, today=clock.today(), text=q, limit=limit)
    return {
        "items": [
            ElevatorSearchHit.model_validate(hit.elevator).model_copy(update={"exact": hit.exact})
            for hit in hits
        ]
    }


@router.get("/elevators/{elevator_id}", response_model=ElevatorRead, tags=["elevators"])
def read_elevator(
    elevator_id: PathId,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> ElevatorRead:
    """One elevator (404 when it is outside the caller's scope), with its inspection schedule."""
    elevator = elevator_service.get_elevator(
        session, elevator_id=elevator_id, actor=actor, today=clock.today()
    )
    reads = inspection_service.elevator_reads(
        session, [elevator], regime=settings.inspection_regime, as_of=clock.today()
    )
    return rules_service.with_risk(
        session, reads, as_of=clock.today(), now=clock.now(), settings=settings
    )[0]


@router.patch("/elevators/{elevator_id}", response_model=ElevatorRead, tags=["elevators"])
def update_elevator(
    elevator_id: PathId,
    body: ElevatorUpdate,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Elevator:
    """Changes mutable fields; each role may change only its own set (FIELD_NOT_WRITABLE)."""
    return elevator_service.update_elevator(
        session,
        elevator_id=elevator_id,
        data=body,
        actor=actor,
        settings=settings,
        today=clock.today(),
        now=clock.now(),
    )


@router.post("/elevators/{elevator_id}/register", response_model=ElevatorRead, tags=["elevators"])
def register_elevator(
    elevator_id: PathId,
    body: RegisterAction,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
) -> Elevator:
    """Records the use registration certificate (bureau)."""
    return elevator_service.register(
        session,
        elevator_id=elevator_id,
        data=body,
        actor=actor,
        today=clock.today(),
        now=clock.now(),
    )


@router.post("/elevators/{elevator_id}/put-in-use", response_model=ElevatorRead, tags=["elevators"])
def put_in_use(
    elevator_id: PathId,
    body: PutInUseAction,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
) -> Elevator:
    """registered → in_use. Refused: NO_USER_UNIT, INSPECTION_FAILED_IN_USE,
    SERIOUS_HAZARD_OPEN, ELEVATOR_SCRAPPED."""
    return elevator_service.put_in_use(
        session,
        elevator_id=elevator_id,
        data=body,
        actor=actor,
        today=clock.today(),
        now=clock.now(),
    )


@router.post("/elevators/{elevator_id}/suspend", response_model=ElevatorRead, tags=["elevators"])
def suspend_elevator(
    elevator_id: PathId,
    body: StatusAction,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
) -> Elevator:
    """in_use → suspended."""
    return elevator_service.suspend(
        session,
        elevator_id=elevator_id,
        data=body,
        actor=actor,
        today=clock.today(),
        now=clock.now(),
    )


@router.post("/elevators/{elevator_id}/resume", response_model=ElevatorRead, tags=["elevators"])
def resume_elevator(
    elevator_id: PathId,
    body: StatusAction,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Elevator:
    """suspended → in_use. Refused: SUSPENDED_RESTART, NO_USER_UNIT, INSPECTION_FAILED_IN_USE,
    SERIOUS_HAZARD_OPEN (until the hazard is resolved)."""
    return elevator_service.resume(
        session,
        elevator_id=elevator_id,
        data=body,
        actor=actor,
        settings=settings,
        today=clock.today(),
        now=clock.now(),
    )


@router.post("/elevators/{elevator_id}/scrap", response_model=ElevatorRead, tags=["elevators"])
def scrap_elevator(
    elevator_id: PathId,
    body: StatusAction,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
) -> Elevator:
    """Any status → scrapped (bureau); final."""
    return elevator_service.scrap(
        session,
        elevator_id=elevator_id,
        data=body,
        actor=actor,
        today=clock.today(),
        now=clock.now(),
    )


# Contracts and warranties -------------------------------------------------------------------


@router.post(
    "/contracts",
    status_code=status.HTTP_201_CREATED,
    response_model=ContractRead,
    tags=["contracts"],
)
def create_contract(
    body: ContractCreate,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> MaintenanceContract:
    """Files a maintenance contract (bureau or the elevator's user unit).
    Refused: MAINTAINER_NOT_ELIGIBLE, ON_DEMAND_NOT_ELIGIBLE, CONTRACT_OVERLAP, NO_USER_UNIT."""
    return contract_service.create_contract(
        session, data=body, actor=actor, settings=settings, today=clock.today(), now=clock.now()
    )


@router.get("/contracts", response_model=Page[ContractRead], tags=["contracts"])
def list_contracts(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    elevator_id: FilterId = None,
    maintenance_unit_id: FilterId = None,
    user_unit_id: FilterId = None,
    current_on: Annotated[date | None, Query(ge=date(1950, 1, 1), le=date(2100, 12, 31))] = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Contracts the caller may see."""
    statement = contract_service.contracts_statement(
        actor=actor,
        today=clock.today(),
        elevator_id=elevator_id,
        maintenance_unit_id=maintenance_unit_id,
        user_unit_id=user_unit_id,
        current_on=current_on,
    )
    return fetch_page(session, statement, MaintenanceContract.id, limit=limit, cursor=cursor)


@router.get("/contracts/{contract_id}", response_model=ContractRead, tags=["contracts"])
def read_contract(
    contract_id: PathId, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> MaintenanceContract:
    """One contract."""
    return contract_service.get_contract(
        session, contract_id=contract_id, actor=actor, today=clock.today()
    )


@router.post("/contracts/{contract_id}/end", response_model=ContractRead, tags=["contracts"])
def end_contract(
    contract_id: PathId,
    body: ContractEnd,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
) -> MaintenanceContract:
    """Ends a contract early (a party to it, or the bureau)."""
    return contract_service.end_contract(
        session,
        contract_id=contract_id,
        data=body,
        actor=actor,
        today=clock.today(),
        now=clock.now(),
    )


@router.post(
    "/warranties",
    status_code=status.HTTP_201_CREATED,
    response_model=WarrantyRead,
    tags=["warranties"],
)
def create_warranty(
    body: WarrantyCreate,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Warranty:
    """Files a warranty. Refused: WARRANTY_BELOW_MINIMUM (the error says by how many days)."""
    return contract_service.create_warranty(
        session, data=body, actor=actor, settings=settings, today=clock.today(), now=clock.now()
    )


@router.get("/warranties", response_model=Page[WarrantyRead], tags=["warranties"])
def list_warranties(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    elevator_id: FilterId = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Warranties of elevators the caller may see."""
    statement = contract_service.warranties_statement(
        actor=actor, today=clock.today(), elevator_id=elevator_id
    )
    return fetch_page(session, statement, Warranty.id, limit=limit, cursor=cursor)
