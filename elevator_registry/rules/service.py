"""The risk list: the union of every rule's findings, scored and filtered per caller.

Asked for the day the risk snapshot was evaluated for (`rules.snapshot`), with no rule or
severity filter, the list reads `elevator_risk` in index order; any other day, or a list over a
subset of the rules, evaluates every rule live with the same SQL the snapshot was built from.
Pages and the row-by-row exports render the findings from the stored triples; the PostgreSQL
CSV export reads the texts the refresh stored beside them (`snapshot_text_statement`).
"""

import base64
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_
from sqlalchemy.sql.expression import FromClause

from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.dates import add_years
from elevator_registry.errors import InvalidValue
from elevator_registry.registry.models import (
    Elevator,
    ElevatorAssignmentChange,
    ElevatorStatusChange,
    Organisation,
)
from elevator_registry.registry.scoping import maintained_by, readable_elevators
from elevator_registry.rules.catalogue import BY_CODE, Rule, Severity, listed_rules
from elevator_registry.rules.context import (
    RuleContext,
    maintenance_unit_on,
    status_on,
    street_on,
    user_unit_on,
)
from elevator_registry.rules.models import ElevatorRisk, RiskSnapshot

# Age bands by years since commissioning, as the bureau reports them.
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "0-5": (0, 5),
    "5-10": (5, 10),
    "10-15": (10, 15),
    "15-20": (15, 20),
    "20+": (20, None),
}


@dataclass(frozen=True)
class RiskFilters:
    """Filters of the risk list; every one optional."""

    street: str | None = None
    maintenance_unit_id: int | None = None
    user_unit_id: int | None = None
    rules: Sequence[str] = ()
    severities: Sequence[Severity] = ()
    place_category: str | None = None
    age_band: str | None = None


@dataclass(frozen=True)
class Finding:
    """One rule an elevator breaks, with the date and number behind it."""

    rule: str
    severity: str
    ref_date: date | None
    value: int | None
    detail_zh: str
    detail_en: str


@dataclass
class RiskRow:
    """One elevator on the risk list.

    Both paths carry a row of `listed_columns`: the elevator as it was on the list's day, read
    by attribute, for a fraction of an ORM object's cost per row.
    """

    elevator: Elevator | Any
    score: int
    findings: list[Finding] = field(default_factory=list)


def select_rules(filters: RiskFilters) -> list[Rule]:
    """The listed rules the filters keep (422 RULE_UNKNOWN for a code that is not listed)."""
    listed = listed_rules()
    codes = {rule.code for rule in listed}
    for code in filters.rules:
        if code not in codes:
            raise InvalidValue(
                "RULE_UNKNOWN", f"{code} is not a rule on the risk list", field="rule"
            )
    return [
        rule
        for rule in listed
        if (not filters.rules or rule.code in filters.rules)
        and (not filters.severities or rule.severity in filters.severities)
    ]


def elevator_filter(
    *, actor: Principal, filters: RiskFilters, as_of: date, today: date, historical: bool = False
) -> ColumnElement[bool]:
    """WHERE clause on `Elevator`: the caller's scope (as of today) and the list filters.

    `historical` (something changed after `as_of`, see `history_after`) matches the street and
    user unit of `as_of` rather than today's.
    """
    clauses: list[ColumnElement[bool]] = [readable_elevators(actor, today)]
    if filters.street is not None:
        street = street_on(as_of) if historical else Elevator.street
        clauses.append(street == filters.street)
    if filters.user_unit_id is not None:
        user_unit = user_unit_on(as_of) if historical else Elevator.user_unit_id
        clauses.append(user_unit == filters.user_unit_id)
    if filters.maintenance_unit_id is not None:
        clauses.append(maintained_by(filters.maintenance_unit_id, as_of))
    if filters.place_category is not None:
        clauses.append(Elevator.place_category == filters.place_category)
    if filters.age_band is not None:
        if filters.age_band not in AGE_BANDS:
            raise InvalidValue(
                "AGE_BAND_UNKNOWN",
                f"age_band must be one of {', '.join(AGE_BANDS)}",
                field="age_band",
            )
        low, high = AGE_BANDS[filters.age_band]
        clauses.append(Elevator.commissioned_on <= add_years(as_of, -low))
        if high is not None:
            clauses.append(Elevator.commissioned_on > add_years(as_of, -high))
    # An unrestricted caller gets a bare TRUE, so statements can tell they need no join.
    restricting = [clause for clause in clauses if not isinstance(clause, True_)]
    return and_(*restricting) if restricting else true()


@dataclass(frozen=True)
class RiskQuery:
    """What the list, its exports and its summary are asked: the elevators `actor` may read
    (as of `today`), narrowed by `filters`, evaluated as of `as_of`, with `now` the moment the
    live incident rule looks at."""

    actor: Principal
    filters: RiskFilters
    as_of: date
    today: date
    now: datetime
    settings: Settings
    # Whether a status, street or user unit change is dated after `as_of`, so the rows must show
    # that day's values from the histories; None until `with_history` has looked.
    historical: bool | None = None

    def context(self) -> RuleContext:
        """The rule evaluation of this query, over the caller's filtered elevators."""
        return RuleContext(
            as_of=self.as_of,
            settings=self.settings,
            now=self.now,
            elevator_filter=elevator_filter(
                actor=self.actor,
                filters=self.filters,
                as_of=self.as_of,
                today=self.today,
                historical=bool(self.historical),
            ),
        )

    @property
    def all_rules(self) -> bool:
        """True when no rule or severity filter narrows the rules (so the snapshot's scores,
        which count every rule, answer it)."""
        return not self.filters.rules and not self.filters.severities


def history_after(session: Session, day: date) -> bool:
    """True when a status, street or user unit change is dated after `day`.

    Two index probes. Without such a change every elevator's current status, street and user
    unit are those of `day`, so the list reads them straight from `elevator` (the snapshot's
    day is usually today, when nothing can have changed after it).
    """
    status_changed = exists(
        select(ElevatorStatusChange.id).where(ElevatorStatusChange.changed_on > day)
    )
    assignment_changed = exists(
        select(ElevatorAssignmentChange.id).where(ElevatorAssignmentChange.changed_on > day)
    )
    return bool(session.scalar(select(or_(status_changed, assignment_changed))))


def with_history(session: Session, query: RiskQuery) -> RiskQuery:
    """`query` with `historical` settled (one look per query)."""
    if query.historical is not None:
        return query
    # No change is ever dated after today (every action refuses a future date), so today's
    # list, the usual one, needs no look.
    if query.as_of >= query.today:
        return replace(query, historical=False)
    return replace(query, historical=history_after(session, query.as_of))


@lru_cache(maxsize=64)
def listed_columns(day: date, historical: bool) -> tuple[Any, ...]:
    """The elevator columns a list row shows (the API's RiskElevator, CSV/XLSX, the CLI table),
    as they were on `day`.

    The status, street and user unit come from their histories when `historical`, from the
    elevator row otherwise (they are the same then); the maintenance unit is always that of the
    contract covering `day`, and a commissioning date after `day` is not shown.
    """
    if historical:
        status: Any = func.coalesce(status_on(day), Elevator.status)
        street: Any = street_on(day)
        user_unit: Any = user_unit_on(day)
    else:
        status, street, user_unit = Elevator.status, Elevator.street, Elevator.user_unit_id
    maintenance_unit = maintenance_unit_on(day)
    # Primary-key lookups of the ids above: cheaper per row than joining the contract to the
    # organisation inside one subquery (which plans a sort and a merge join per row).
    user_unit_name = select(Organisation.name).where(Organisation.id == user_unit).scalar_subquery()
    maintenance_unit_name = (
        select(Organisation.name).where(Organisation.id == maintenance_unit).scalar_subquery()
    )
    return (
        Elevator.id,
        Elevator.equipment_code,
        Elevator.registration_number,
        Elevator.rescue_code,
        street.label("street"),
        Elevator.address,
        Elevator.place_category,
        status.label("status"),
        case((Elevator.commissioned_on <= day, Elevator.commissioned_on), else_=None).label(
            "commissioned_on"
        ),
        user_unit.label("user_unit_id"),
        user_unit_name.label("user_unit_name"),
        maintenance_unit.label("maintenance_unit_id"),
        maintenance_unit_name.label("maintenance_unit_name"),
    )


def findings_statement(ctx: RuleContext, rules: Iterable[Rule]) -> Select[Any]:
    """UNION ALL of the rules' queries: (elevator_id, ref_date, value, rule, weight)."""
    weights = ctx.settings.severity_weights
    members = [
        rule.query(ctx).add_columns(  # type: ignore[misc]
            cast(literal(rule.code), String).label("rule"),
            cast(literal(weights.get(rule.severity, 0)), Integer).label("weight"),
        )
        for rule in rules
    ]
    if not members:
        raise InvalidValue("RULE_UNKNOWN", "the filters leave no rule to evaluate", field="rule")
    return select(union_all(*members).subquery())


def _findings_for(
    session: Session, ctx: RuleContext, rules: list[Rule], ids: list[int]
) -> dict[int, list[Finding]]:
    if not ids:
        return {}
    scoped = RuleContext(
        as_of=ctx.as_of, settings=ctx.settings, now=ctx.now, elevator_filter=Elevator.id.in_(ids)
    )
    rows = session.execute(findings_statement(scoped, rules)).all()
    grouped: dict[int, list[Finding]] = defaultdict(list)
    for row in rows:
        grouped[row.elevator_id].append(to_finding(row.rule, row.ref_date, row.value, ctx.as_of))
    for findings in grouped.values():
        _ordered(findings, ctx.settings)
    return grouped


@lru_cache(maxsize=1 << 16)
def to_finding(code: str, ref_date: date | None, value: int | None, as_of: date) -> Finding:
    """A finding with its human text (cached: exports repeat the same findings many times)."""
    rule = BY_CODE[code]
    detail_zh, detail_en = rule.describe(ref_date, value, as_of)
    return Finding(code, rule.severity, ref_date, value, detail_zh, detail_en)


def snapshot_day(session: Session) -> date | None:
    """The day the risk snapshot was evaluated for; None before the first refresh."""
    return session.scalar(select(RiskSnapshot.evaluated_on).where(RiskSnapshot.id == 1))


def _reads_snapshot(session: Session, query: RiskQuery) -> bool:
    return query.all_rules and snapshot_day(session) == query.as_of


def stored_findings(stored: list[Any] | str, as_of: date, settings: Settings) -> list[Finding]:
    """The snapshot's [rule, ref_date, value] triples (or their JSON text) as findings, in the
    live path's order."""
    if isinstance(stored, str):
        weights = tuple(sorted(settings.severity_weights.items()))
        return list(_parsed_findings(stored, as_of, weights))
    findings = [
        to_finding(rule, date.fromisoformat(ref_date) if ref_date else None, value, as_of)
        for rule, ref_date, value in stored
    ]
    return _ordered(findings, settings)


@lru_cache(maxsize=1 << 16)
def _parsed_findings(
    text: str, as_of: date, weights: tuple[tuple[str, int], ...]
) -> tuple[Finding, ...]:
    # Row-by-row exports read the JSON as text: many elevators share the very same findings, so
    # parsing and rendering them once per distinct text keeps them near the database's own rate.
    by_severity = dict(weights)
    findings = [
        to_finding(rule, date.fromisoformat(ref_date) if ref_date else None, value, as_of)
        for rule, ref_date, value in orjson.loads(text)
    ]
    findings.sort(key=lambda finding: (-by_severity.get(finding.severity, 0), finding.rule))
    return tuple(findings)


def finding_cells(findings: Sequence[Finding]) -> tuple[str, str, str]:
    """The export's last three cells: rule codes, Chinese details, English details."""
    return (
        " ".join(finding.rule for finding in findings),
        "；".join(finding.detail_zh for finding in findings),
        "; ".join(finding.detail_en for finding in findings),
    )


def _ordered(findings: list[Finding], settings: Settings) -> list[Finding]:
    findings.sort(
        key=lambda finding: (-settings.severity_weights.get(finding.severity, 0), finding.rule)
    )
    return findings


def _snapshot_statement(
    actor: Principal,
    filters: RiskFilters,
    as_of: date,
    today: date,
    historical: bool,
    *columns: Any,
) -> Select[Any]:
    # The street is matched on the snapshot's own copy (kept current on every write), so one
    # street's list is a range scan of `ix_elevator_risk_street_rank`; when the street may have
    # changed since `as_of`, on that day's street instead.
    where = elevator_filter(
        actor=actor,
        filters=filters if historical else replace(filters, street=None),
        as_of=as_of,
        today=today,
        historical=historical,
    )
    statement = (
        select(*columns)
        .select_from(Elevator)
        .join(ElevatorRisk, ElevatorRisk.elevator_id == Elevator.id)
        .where(where)
        .order_by(ElevatorRisk.score.desc(), ElevatorRisk.elevator_id)
    )
    if filters.street is not None and not historical:
        statement = statement.where(ElevatorRisk.street == filters.street)
    return statement


def encode_cursor(score: int, elevator_id: int) -> str:
    """Opaque keyset cursor of the risk list (score descending, id ascending)."""
    return base64.urlsafe_b64encode(f"risk:{score}:{elevator_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """(score, id) of the last row of the previous page; 422 CURSOR_INVALID otherwise."""
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        kind, score, elevator_id = raw.split(":")
        result = int(score), int(elevator_id)
    except ValueError as error:
        raise InvalidValue(
            "CURSOR_INVALID", "cursor was not issued by this API", field="cursor"
        ) from error
    if kind != "risk" or not (0 <= result[0] < 2**31 and 0 <= result[1] < 2**31):
        raise InvalidValue("CURSOR_INVALID", "cursor was not issued by this API", field="cursor")
    return result


def _scores(ctx: RuleContext, rules: list[Rule]) -> Any:
    findings = findings_statement(ctx, rules).subquery("findings")
    return (
        select(
            findings.c.elevator_id,
            func.sum(findings.c.weight).label("score"),
        )
        .group_by(findings.c.elevator_id)
        .subquery("scores")
    )


def risk_page(
    session: Session, query: RiskQuery, *, limit: int, cursor: str | None
) -> tuple[list[RiskRow], str | None]:
    """One page of the risk list, highest score first."""
    rules = select_rules(query.filters)
    query = with_history(session, query)
    if query.all_rules:
        page = _snapshot_page(session, query, limit=limit, cursor=cursor)
        if page is not None:
            return page
    ctx = query.context()
    scores = _scores(ctx, rules)
    statement = (
        select(*listed_columns(query.as_of, bool(query.historical)), scores.c.score)
        .select_from(Elevator)
        .join(scores, scores.c.elevator_id == Elevator.id)
        .order_by(scores.c.score.desc(), Elevator.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        last_score, last_id = decode_cursor(cursor)
        statement = statement.where(
            or_(
                scores.c.score < last_score,
                and_(scores.c.score == last_score, Elevator.id > last_id),
            )
        )
    rows = session.execute(statement).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(int(rows[-1].score), rows[-1].id)
    findings = _findings_for(session, ctx, rules, [row.id for row in rows])
    return [RiskRow(row, int(row.score), findings.get(row.id, [])) for row in rows], next_cursor


def _snapshot_page(
    session: Session, query: RiskQuery, *, limit: int, cursor: str | None
) -> tuple[list[RiskRow], str | None] | None:
    """The page from the snapshot, or None when the snapshot is not for `query.as_of`."""
    # Only the scope matters to the statement, not who holds it: callers of one scope share it.
    actor, as_of = query.actor, query.as_of
    scope = Principal(actor.role, "", actor.organisation_id, actor.street)
    statement = _snapshot_page_statement(
        scope,
        replace(query.filters, rules=(), severities=()),
        as_of,
        query.today,
        bool(query.historical),
        limit,
        cursor,
    )
    # Plain columns, no ORM entities: executed on the session's connection, without the ORM's
    # per-statement bookkeeping, which costs as much as the database spends on the page.
    rows = session.connection().execute(statement).all()
    # The snapshot's day is checked in the statement itself (one round trip in the usual case);
    # only an empty page needs a second look to tell "nothing listed" from "no snapshot".
    if not rows and snapshot_day(session) != as_of:
        return None
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].score, rows[-1].id)
    return [
        RiskRow(row, row.score, stored_findings(row.findings, as_of, query.settings))
        for row in rows
    ], next_cursor


@lru_cache(maxsize=512)
def _snapshot_page_statement(
    scope: Principal,
    filters: RiskFilters,
    as_of: date,
    today: date,
    historical: bool,
    limit: int,
    cursor: str | None,
) -> Select[Any]:
    """The snapshot page's statement, built once per distinct request.

    Statements are immutable, and building one, plus SQLAlchemy fitting its cached compilation
    to a new statement object, costs more Python than PostgreSQL spends serving the page. The
    findings come as JSON text: they repeat across elevators and requests, and
    `stored_findings` parses and renders each distinct text once.
    """
    statement = (
        _snapshot_statement(
            scope,
            filters,
            as_of,
            today,
            historical,
            *listed_columns(as_of, historical),
            ElevatorRisk.score,
            cast(ElevatorRisk.findings, Text).label("findings"),
        )
        .join(RiskSnapshot, and_(RiskSnapshot.id == 1, RiskSnapshot.evaluated_on == as_of))
        .limit(limit + 1)
    )
    if cursor is not None:
        last_score, last_id = decode_cursor(cursor)
        statement = statement.where(
            # The first condition bounds the index scan; the second settles ties by id.
            ElevatorRisk.score <= last_score,
            or_(
                ElevatorRisk.score < last_score,
                ElevatorRisk.elevator_id > last_id,
            ),
        )
    return statement


def elevator_findings(
    session: Session, *, elevator_id: int, as_of: date, now: datetime, settings: Settings
) -> list[Finding]:
    """Every finding of one elevator as of a day (the same SQL as the list)."""
    ctx = RuleContext(as_of=as_of, settings=settings, now=now)
    return _findings_for(session, ctx, list(listed_rules()), [elevator_id]).get(elevator_id, [])


def scores_for(
    session: Session, *, elevator_ids: list[int], as_of: date, now: datetime, settings: Settings
) -> dict[int, tuple[int, int]]:
    """(findings count, score) per elevator id, for the elevator read model.

    From the snapshot when it was evaluated for `as_of`, else live for just these elevators.
    """
    if not elevator_ids:
        return {}
    if snapshot_day(session) == as_of:
        stored = session.execute(
            select(ElevatorRisk.elevator_id, ElevatorRisk.findings_count, ElevatorRisk.score).where(
                ElevatorRisk.elevator_id.in_(elevator_ids)
            )
        ).all()
        return {row[0]: (row[1], row[2]) for row in stored}
    ctx = RuleContext(
        as_of=as_of, settings=settings, now=now, elevator_filter=Elevator.id.in_(elevator_ids)
    )
    findings = findings_statement(ctx, listed_rules()).subquery()
    rows = session.execute(
        select(findings.c.elevator_id, func.count(), func.sum(findings.c.weight)).group_by(
            findings.c.elevator_id
        )
    ).all()
    return {row[0]: (int(row[1]), int(row[2])) for row in rows}


def iter_risk_rows(session: Session, query: RiskQuery) -> Iterator[RiskRow]:
    """The whole list in order, streamed from one query (for exports).

    Filters are checked here, before the first row is produced, so a bad filter is a 422
    rather than an empty download.
    """
    rules = select_rules(query.filters)
    query = with_history(session, query)
    ctx = query.context()
    as_of, settings = query.as_of, query.settings
    historical = bool(query.historical)
    if _reads_snapshot(session, query):
        stored = session.execute(
            _snapshot_statement(
                query.actor,
                query.filters,
                as_of,
                query.today,
                historical,
                *listed_columns(as_of, historical),
                ElevatorRisk.score,
                cast(ElevatorRisk.findings, Text).label("findings"),
            ).execution_options(yield_per=2000)
        )
        return (
            RiskRow(row, row.score, stored_findings(row.findings, as_of, settings))
            for row in stored
        )
    findings = findings_statement(ctx, rules).subquery("findings")
    scores = (
        select(findings.c.elevator_id, func.sum(findings.c.weight).label("score"))
        .group_by(findings.c.elevator_id)
        .subquery("scores")
    )
    statement = (
        select(
            *listed_columns(as_of, historical),
            scores.c.score,
            findings.c.rule,
            findings.c.ref_date,
            findings.c.value,
        )
        .select_from(Elevator)
        .join(scores, scores.c.elevator_id == Elevator.id)
        .join(findings, findings.c.elevator_id == Elevator.id)
        .order_by(scores.c.score.desc(), Elevator.id, findings.c.rule)
        .execution_options(yield_per=2000)
    )
    return _group_rows(session.execute(statement), as_of)


def snapshot_text_statement(
    session: Session, query: RiskQuery, *columns: Any
) -> Select[Any] | None:
    """The whole list from the snapshot as one statement of `columns`, in the list's order.

    `columns` may name `Elevator` and `ElevatorRisk`, whose stored texts hold the findings; the
    elevator's own columns should be those of `listed_columns(query.as_of, query.historical)`
    with `query` settled by `with_history`. None
    when the snapshot cannot serve the list that way: another day, a rule or severity filter, or
    a snapshot not refreshed since its rows hold texts (migration 0008); `iter_risk_rows` then
    renders the rows. Filters are checked here too, before any row is read.
    """
    select_rules(query.filters)
    if not query.all_rules:
        return None
    # The flag, not a scan for rows without texts: since 0008 every write stores the texts of
    # the rows it writes, so only rows of a refresh before it lack them, and a whole refresh,
    # which sets the flag, replaces them all. One primary-key read, as for `snapshot_day`.
    stored = session.execute(
        select(RiskSnapshot.evaluated_on, RiskSnapshot.texts_rendered).where(RiskSnapshot.id == 1)
    ).one_or_none()
    if stored is None or tuple(stored) != (query.as_of, True):
        return None
    query = with_history(session, query)
    return _snapshot_statement(
        query.actor, query.filters, query.as_of, query.today, bool(query.historical), *columns
    )


def _group_rows(result: Iterable[Any], as_of: date) -> Iterator[RiskRow]:
    current: RiskRow | None = None
    for row in result:
        if current is None or current.elevator.id != row.id:
            if current is not None:
                yield current
            current = RiskRow(row, int(row.score))
        current.findings.append(to_finding(row.rule, row.ref_date, row.value, as_of))
    if current is not None:
        yield current


def risk_summary(session: Session, query: RiskQuery) -> dict[str, Any]:
    """Counts of elevators per rule and per street/town, for the dashboard.

    Read from the snapshot on its day (a scan of the listed elevators, not an evaluation of the
    registry), live otherwise; both count the same rows the list shows.
    """
    rules = select_rules(query.filters)
    query = with_history(session, query)
    ctx = query.context()
    # The snapshot holds today's street of each elevator: counted per street only when no
    # street can have changed since the day.
    if _reads_snapshot(session, query) and not query.historical:
        per_rule, per_street = _snapshot_summary(session, ctx)
    else:
        per_rule, per_street = _live_summary(
            session, ctx, rules, street_on(query.as_of) if query.historical else Elevator.street
        )
    counts = dict(per_rule)
    return {
        "as_of": query.as_of,
        "elevators_with_findings": sum(row[1] for row in per_street),
        "by_rule": [
            {
                "rule": rule.code,
                "severity": rule.severity,
                "title_zh": rule.title_zh,
                "title_en": rule.title_en,
                "elevators": counts.get(rule.code, 0),
            }
            for rule in rules
        ],
        "by_street": [
            {"street": row[0], "elevators": row[1], "score": int(row[2] or 0)} for row in per_street
        ],
    }


def _live_summary(
    session: Session, ctx: RuleContext, rules: list[Rule], street: Any
) -> tuple[Sequence[Any], Sequence[Any]]:
    findings = findings_statement(ctx, rules).subquery("findings")
    per_rule = session.execute(
        select(findings.c.rule, func.count(func.distinct(findings.c.elevator_id))).group_by(
            findings.c.rule
        )
    ).all()
    scores = (
        select(findings.c.elevator_id, func.sum(findings.c.weight).label("score"))
        .group_by(findings.c.elevator_id)
        .subquery()
    )
    day_street = street.label("street")
    per_street = session.execute(
        select(day_street, func.count(), func.sum(scores.c.score))
        .select_from(Elevator)
        .join(scores, scores.c.elevator_id == Elevator.id)
        .group_by(day_street)
        .order_by(day_street)
    ).all()
    return per_rule, per_street


def _snapshot_summary(session: Session, ctx: RuleContext) -> tuple[Sequence[Any], Sequence[Any]]:
    # The bureau's whole list needs no join: the snapshot holds every listed elevator's street.
    listed: FromClause = ElevatorRisk.__table__
    if not isinstance(ctx.elevator_filter, True_):
        listed = (
            select(listed)
            .join(Elevator, Elevator.id == ElevatorRisk.elevator_id)
            .where(ctx.elevator_filter)
            .subquery("listed")
        )
    columns = listed.c
    # Each stored finding is a [rule, ref_date, value] triple; unnest them to count per rule.
    # A rule finds an elevator at most once, so counting triples counts elevators.
    if session.get_bind().dialect.name == "postgresql":
        each = func.jsonb_array_elements(columns.findings).table_valued(
            "value", joins_implicitly=True
        )
        rule = func.jsonb_extract_path_text(each.c.value, "0")
    else:
        each = func.json_each(columns.findings).table_valued("value", joins_implicitly=True)
        rule = func.json_extract(each.c.value, "$[0]")
    per_rule = session.execute(
        select(rule, func.count()).select_from(listed, each).group_by(rule)
    ).all()
    per_street = session.execute(
        select(columns.street, func.count(), func.sum(columns.score))
        .select_from(listed)
        .group_by(columns.street)
        .order_by(columns.street)
    ).all()
    return per_rule, per_street


def with_risk(
    session: Session, reads: list[Any], *, as_of: date, now: datetime, settings: Settings
) -> list[Any]:
    """Elevator read models with `findings_count` and `risk_score` as of `as_of` filled."""
    scores = scores_for(
        session, elevator_ids=[read.id for read in reads], as_of=as_of, now=now, settings=settings
    )
    return [
        read.model_copy(
            update=dict(
                zip(("findings_count", "risk_score"), scores.get(read.id, (0, 0)), strict=True)
            )
        )
        for read in reads
    ]
