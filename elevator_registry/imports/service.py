"""Bulk import: read a file row by row, check every row with the API's own rules, write in batches.

One import is one SAVEPOINT inside the caller's transaction:
- every row is read, checked and (when valid and new) written, in batches of `BATCH_ROWS`;
- all-or-nothing (the default): if any row failed, the savepoint is rolled back at the end and
  nothing is written; the report still lists every failure, so the file can be fixed in one go;
- `partial`: the valid rows are kept, the failed ones reported;
- a row whose natural key is already present (in the database, or earlier in the same file) is
  skipped and counted, never updated, so importing the same file twice adds nothing;
- a refusal of the file itself (type, encoding, columns, a damaged row structure) rolls back
  everything, even in partial mode.

Audit: organisations and elevators go through the registry services, which write their usual
audit event per row; the high-volume kinds (maintenance records) write one audit event per
import that summarises it (counts, id range). In every case one `import` event per import that
wrote anything records the counts, the file and the range of ids written.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.errors import DomainError
from elevator_registry.imports import cells, readers
from elevator_registry.imports.columns import (
    CJK,
    COLUMNS,
    Column,
    HeaderMap,
    ImportKind,
    match_header,
)
from elevator_registry.imports.schemas import ImportReport, RowError
from elevator_registry.messages_zh import chinese_message, field_label, validation_message_zh
from elevator_registry.rules import snapshot as rules_snapshot

BATCH_ROWS = 2000
ModelT = TypeVar("ModelT", bound=BaseModel)

ALLOWED_ROLES: dict[ImportKind, tuple[Role, ...]] = {
    ImportKind.ORGANISATIONS: (Role.BUREAU, Role.CLI),
    ImportKind.ELEVATORS: (Role.BUREAU, Role.CLI),
    ImportKind.MAINTENANCE_RECORDS: (Role.BUREAU, Role.CLI, Role.MAINTENANCE_UNIT),
    # Maintenance units file self-tests only; `file_inspection` refuses them anything else.
    ImportKind.INSPECTIONS: (Role.BUREAU, Role.CLI, Role.INSPECTION_AGENCY, Role.MAINTENANCE_UNIT),
}

Progress = Callable[[int, float | None], None]


@dataclass(slots=True)
class SourceRow:
    """One non-blank data row: its number in the file and its cells by column name."""

    number: int
    cells: dict[str, Any]


@dataclass
class Tally:
    """Counts and errors as the import goes; errors beyond `max_errors` are only counted."""

    max_errors: int
    rows_read: int = 0
    rows_valid: int = 0
    rows_skipped: int = 0
    rows_failed: int = 0
    errors: list[RowError] = field(default_factory=list)
    truncated: bool = False
    first_id: int | None = None
    last_id: int | None = None

    def fail(self, errors: list[RowError]) -> None:
        """Counts one failed row with its errors."""
        self.rows_failed += 1
        room = self.max_errors - len(self.errors)
        if room < len(errors):
            self.truncated = True
        self.errors.extend(errors[: max(room, 0)])

    def skip(self) -> None:
        """Counts one row already present."""
        self.rows_skipped += 1

    def wrote(self, first_id: int, last_id: int | None = None, count: int = 1) -> None:
        """Counts `count` rows written with ids from `first_id` to `last_id`."""
        self.rows_valid += count
        last_id = first_id if last_id is None else last_id
        self.first_id = first_id if self.first_id is None else min(self.first_id, first_id)
        self.last_id = last_id if self.last_id is None else max(self.last_id, last_id)


@dataclass
class ImportContext:
    """What every row checker needs: the transaction, the caller, the clock and the report."""

    session: Session
    actor: Principal
    settings: Settings
    now: datetime
    today: date
    header: HeaderMap
    tally: Tally

    @property
    def zone(self) -> ZoneInfo:
        """The district's time zone (local times without an offset are read in it)."""
        return ZoneInfo(self.settings.timezone)

    def row_error(
        self, row: int, field: str | None, code: str, message: str, message_zh: str
    ) -> RowError:
        """A report entry; `field` is a column name, whose header text the file used is added."""
        column = self.header.headers.get(field) if field else None
        return RowError(
            row=row, column=column, field=field, code=code, message=message, message_zh=message_zh
        )

    def column_name(self, field: str | None) -> str:
        """How a Chinese message names a column: as the file's header wrote it when that is
        Chinese, otherwise by the column's Chinese name with the file's header beside it."""
        if field is None:
            return field_label(None)
        name_zh = self.header.names_zh.get(field) or field_label(field)
        written = self.header.headers.get(field)
        if written is None or written == name_zh:
            return name_zh
        if CJK.search(written):
            return written
        return f"{name_zh}（{written}）"


class RowImporter:
    """Checks and writes the rows of one kind; subclasses implement `process`."""

    kind: ClassVar[ImportKind]
    entity: ClassVar[str]
    # API field name → column name, for errors the services raise about a field.
    field_columns: ClassVar[dict[str, str]] = {}

    def __init__(self, context: ImportContext) -> None:
        self.context = context
        self.session = context.session
        self.tally = context.tally
        # Elevators whose evidence an importer wrote below the ORM (driver-level COPY or
        # executemany); their risk-snapshot rows are refreshed once, before the import commits.
        self.elevators_written: set[int] = set()

    def process(self, rows: list[SourceRow]) -> None:
        """Checks every row of a batch and writes the valid new ones."""
        raise NotImplementedError

    def finish(self) -> None:
        """Completes writes still under way; raises what they ran into."""

    def abort(self) -> None:
        """Stops writes still under way; the import is failing."""

    # Helpers for subclasses ----------------------------------------------------------------

    def parse(
        self, row: SourceRow, parsers: dict[str, Callable[[Any], Any]]
    ) -> dict[str, Any] | None:
        """Typed values of the row's non-blank cells; None (and the row failed) if any is bad."""
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        for name, parser in parsers.items():
            raw = row.cells.get(name)
            if raw is None:
                continue
            try:
                values[name] = parser(raw)
            except cells.CellError as error:
                message_zh = f"{self.context.column_name(name)}：{error.message_zh}"
                errors.append(
                    self.context.row_error(row.number, name, error.code, error.message, message_zh)
                )
        if errors:
            self.tally.fail(errors)
            return None
        return values

    def validate(
        self, row: SourceRow, model: type[ModelT], values: dict[str, Any]
    ) -> ModelT | None:
        """`model` validated as the API validates it; None (and the row failed) if invalid."""
        try:
            return model.model_validate(values)
        except ValidationError as error:
            self.tally.fail(self.validation_errors(row, error))
            return None

    def validation_errors(self, row: SourceRow, error: ValidationError) -> list[RowError]:
        """Report entries for a pydantic error, one per field."""
        entries = []
        for problem in error.errors():
            location = [str(part) for part in problem["loc"]]
            api_field = location[0] if location else None
            column = self.column_of(api_field)
            where = ".".join(location)
            # The API answers these with VALIDATION_ERROR too (app._validation_error).
            if problem["type"] == "missing":
                message = f"{column or where} is required"
            else:
                message = f"{column or where}: {problem['msg']}"
            message_zh = self.problem_zh(problem, column, location[1:])
            entries.append(
                self.context.row_error(row.number, column, "VALIDATION_ERROR", message, message_zh)
            )
        return entries

    def problem_zh(self, problem: ErrorDetails, column: str | None, within: list[str]) -> str:
        """The Chinese message of a pydantic error, naming the column (and the item within it)."""
        named = self.context.column_name(column)
        if within:
            named += field_label(".".join(within))
        return validation_message_zh(dict(problem), column, label=named)

    def column_of(self, api_field: str | None) -> str | None:
        """The column an API field comes from."""
        if api_field is None:
            return None
        head = api_field.split(".")[0]
        return self.field_columns.get(head, head)

    def domain_error(
        self, row: SourceRow, error: DomainError, column: str | None = None
    ) -> RowError:
        """A report entry for a service's refusal about `column` (else the field it names)."""
        column = column or self.column_of(error.field)
        message_zh = error.message_zh
        # The catalogue's sentence names the API's field; the person knows the file's column.
        if column is not None and message_zh == chinese_message(error.code, error.field):
            named = self.context.column_name(column)
            message_zh = chinese_message(error.code, error.field, label=named) or message_zh
        return self.context.row_error(row.number, column, error.code, error.message, message_zh)

    def elevator_not_found(self, row: int, equipment_code: str) -> RowError:
        """A report entry for an equipment code that names no elevator the importer may see."""
        return self.context.row_error(
            row,
            "equipment_code",
            "ELEVATOR_NOT_FOUND",
            f"no elevator with equipment_code {equipment_code}",
            f"没有{self.context.column_name('equipment_code')}为“{equipment_code}”的电梯",
        )

    def write_one(self, row: SourceRow, create: Callable[[], Any]) -> None:
        """Runs a service in a savepoint of its own: a refusal undoes exactly that row."""
        try:
            with self.session.begin_nested():
                created = create()
                self.session.flush()
        except DomainError as error:
            self.tally.fail([self.domain_error(row, error)])
        except IntegrityError as error:
            message = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            self.tally.fail(
                [
                    self.context.row_error(
                        row.number,
                        None,
                        "CONSTRAINT_VIOLATION",
                        f"the database refused the row: {message}",
                        f"数据库拒绝了此行（违反数据约束）：{message}",
                    )
                ]
            )
        else:
            self.tally.wrote(created.id)


def importer_for(kind: ImportKind) -> type[RowImporter]:
    """The importer class of `kind` (imported lazily: each pulls in its domain's services)."""
    if kind == ImportKind.ORGANISATIONS:
        from elevator_registry.imports.organisations import OrganisationImporter

        return OrganisationImporter
    if kind == ImportKind.ELEVATORS:
        from elevator_registry.imports.elevators import ElevatorImporter

        return ElevatorImporter
    if kind == ImportKind.MAINTENANCE_RECORDS:
        from elevator_registry.imports.maintenance import MaintenanceRecordImporter

        return MaintenanceRecordImporter
    from elevator_registry.imports.inspections import InspectionImporter

    return InspectionImporter


def import_file(
    session: Session,
    *,
    kind: ImportKind,
    stream: IO[bytes],
    filename: str | None,
    actor: Principal,
    settings: Settings,
    now: datetime,
    today: date,
    partial: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Imports a CSV or XLSX file of `kind`; see the module docstring for the guarantees.

    File-level refusals raise a DomainError (IMPORT_FILE_TYPE_UNSUPPORTED, IMPORT_FILE_INVALID,
    IMPORT_ENCODING_INVALID, IMPORT_EMPTY, IMPORT_COLUMNS_INVALID) and write nothing; row-level
    refusals are in the report (`committed` false when nothing was written).
    """
    actor.require(*ALLOWED_ROLES[kind])
    table = readers.open_table(
        stream, filename=filename, max_unpacked_bytes=settings.import_max_unpacked_bytes
    )
    try:
        header = _header(table.rows, COLUMNS[kind])
        tally = Tally(max_errors=settings.import_max_reported_errors)
        context = ImportContext(session, actor, settings, now, today, header, tally)
        importer = importer_for(kind)(context)
        savepoint = session.begin_nested()
        try:
            for batch in _batches(table.rows, context):
                importer.process(batch)
                if progress is not None:
                    progress(tally.rows_read, table.position())
            importer.finish()
            if tally.rows_read == 0:
                raise readers.empty_file(
                    "the file has a header row but no data rows", "文件只有表头，没有数据行"
                )
            committed = partial or tally.rows_failed == 0
            if committed and tally.first_id is not None:
                _audit_import(context, importer, filename, table.format)
                rules_snapshot.refresh_elevators(
                    session, importer.elevators_written, settings=settings, now=now
                )
            if committed:
                savepoint.commit()
            else:
                savepoint.rollback()
        except BaseException:
            importer.abort()
            if savepoint.is_active:
                savepoint.rollback()
            raise
    finally:
        table.close()
    return ImportReport(
        kind=kind,
        file_name=filename,
        file_format=table.format,
        encoding=table.encoding,
        partial=partial,
        committed=committed,
        rows_read=tally.rows_read,
        rows_valid=tally.rows_valid,
        rows_written=tally.rows_valid if committed else 0,
        rows_skipped=tally.rows_skipped,
        rows_failed=tally.rows_failed,
        errors=sorted(tally.errors, key=lambda error: error.row),
        errors_truncated=tally.truncated,
    )


def _header(rows: Iterator[tuple[int, list[Any]]], columns: tuple[Column, ...]) -> HeaderMap:
    for _number, row in rows:
        if any(not cells.blank(cell) for cell in row):
            return match_header(row, columns)
    raise readers.empty_file(
        "the file has no rows (not even a header)", "文件没有任何内容（连表头也没有）"
    )


def _batches(
    rows: Iterable[tuple[int, list[Any]]], context: ImportContext
) -> Iterator[list[SourceRow]]:
    positions = list(context.header.positions.items())
    width = context.header.width
    tally = context.tally
    batch: list[SourceRow] = []
    blank = cells.blank
    for number, raw in rows:
        length = len(raw)
        values = {}
        filled = False
        for name, index in positions:
            value = raw[index] if index < length else None
            if value is None or (value.__class__ is str and not value.strip()):
                values[name] = None
            else:
                values[name] = value
                filled = True
        extra = [cell for cell in raw[width:] if not blank(cell)] if length > width else []
        if extra or filled:
            tally.rows_read += 1
        else:
            continue
        if extra:
            tally.fail(
                [
                    context.row_error(
                        number,
                        None,
                        "IMPORT_ROW_INVALID",
                        f"the row has {len(raw)} cells but the header names {width} columns",
                        f"此行有 {len(raw)} 个单元格，但表头只有 {width} 列",
                    )
                ]
            )
            continue
        batch.append(SourceRow(number, values))
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def _audit_import(
    context: ImportContext,
    importer: RowImporter,
    filename: str | None,
    file_format: readers.FileFormat,
) -> None:
    tally = context.tally
    summary: dict[str, Any] = {
        "kind": importer.kind.value,
        "file_name": filename,
        "file_format": file_format.value,
        "rows_read": tally.rows_read,
        "rows_written": tally.rows_valid,
        "rows_skipped": tally.rows_skipped,
        "rows_failed": tally.rows_failed,
        "first_id": tally.first_id,
        "last_id": tally.last_id,
    }
    context.session.add(
        AuditEvent(
            at=context.now,
            actor=context.actor.label,
            actor_role=context.actor.role or "public",
            token_id=context.actor.token_id,
            action="import",
            entity=importer.entity,
            entity_id=tally.first_id,
            changes={key: {"before": None, "after": value} for key, value in summary.items()},
        )
    )
    context.session.flush()
