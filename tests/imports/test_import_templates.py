"""The template files: generated from the column definitions, and importable in order.

The CSV template is the integrations' file (English column names, stored codes); the XLSX one
is the clerk's (Chinese headers, Chinese values, a Chinese 说明 sheet). Both import to the same
rows.
"""

import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.db import Base
from elevator_registry.imports import cells
from elevator_registry.imports.columns import CJK, COLUMNS, Column, ImportKind, match_header
from elevator_registry.imports.templates import (
    CHOICES,
    NOTES_HEADER,
    NOTES_KEY_COLUMN,
    csv_template,
    example_rows,
    spelling_zh,
    xlsx_example_rows,
    xlsx_template,
)
from elevator_registry.labels import label
from tests.imports import files

TEMPLATES = Path(__file__).resolve().parents[2] / "sample_data" / "templates"
README = Path(__file__).resolve().parents[2] / "README.md"
# The README's order: each kind refers to rows of the kinds before it.
ORDER = (
    ImportKind.ORGANISATIONS,
    ImportKind.ELEVATORS,
    ImportKind.MAINTENANCE_RECORDS,
    ImportKind.INSPECTIONS,
)
# Wider than any one column's separators: a code hidden in any list cell is found.
ANY_SEPARATOR = re.compile(r"[;；、,，|\n]")
YES_NO_WORDS = frozenset(
    word for word in cells.TRUE_WORDS | cells.FALSE_WORDS if word.isascii() and word.isalpha()
)


def sheet_values(workbook: Workbook) -> dict[str, list[list[Any]]]:
    """Every sheet's cell values by sheet name, in order."""
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def committed_xlsx(kind: ImportKind) -> dict[str, list[list[Any]]]:
    return sheet_values(load_workbook(TEMPLATES / f"{kind.value}.xlsx", read_only=True))


def ascii_word(value: object) -> bool:
    """An English word where a person reads (a cell of ASCII text with a letter in it)."""
    return isinstance(value, str) and value.isascii() and any(c.isalpha() for c in value)


@pytest.mark.parametrize("kind", list(ImportKind))
def test_the_committed_templates_are_the_generated_ones(kind: ImportKind) -> None:
    assert (TEMPLATES / f"{kind.value}.csv").read_bytes() == csv_template(kind)
    assert committed_xlsx(kind) == sheet_values(xlsx_template(kind))


def test_the_readme_documents_every_column() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Bulk import") :]
    for kind, columns in COLUMNS.items():
        assert f"**{kind.value}**" in section
        for column in columns:
            assert f"`{column.name}`" in section, column.name


def test_every_column_has_a_chinese_description() -> None:
    for kind, columns in COLUMNS.items():
        for column in columns:
            assert CJK.search(column.description_zh), (kind, column.name)


def test_a_column_without_a_chinese_description_cannot_be_defined() -> None:
    with pytest.raises(TypeError, match="description_zh"):
        Column("floors", ("层数",), "floors", "18")  # type: ignore[call-arg]


@pytest.mark.parametrize("kind", list(ImportKind))
def test_the_xlsx_header_is_chinese_and_names_every_column(kind: ImportKind) -> None:
    header = next(iter(committed_xlsx(kind).values()))[0]
    assert [cell for cell in header if ascii_word(cell) or not CJK.search(str(cell))] == []
    # The importer reads each Chinese name back as its column, in order.
    assert list(match_header(header, COLUMNS[kind]).positions) == [
        column.name for column in COLUMNS[kind]
    ]


@pytest.mark.parametrize("kind", list(ImportKind))
def test_the_notes_sheet_is_chinese_but_for_the_program_names(kind: ImportKind) -> None:
    sheets = committed_xlsx(kind)
    assert list(sheets)[1] == "说明"
    notes = sheets["说明"]
    assert notes[0] == list(NOTES_HEADER)
    english = [
        (number, cell)
        for number, row in enumerate(notes, start=1)
        for position, cell in enumerate(row)
        if position != NOTES_KEY_COLUMN and ascii_word(cell)
    ]
    assert english == []
    columns = COLUMNS[kind]
    assert [row[NOTES_KEY_COLUMN] for row in notes[1:]] == [column.name for column in columns]
    assert [row[1] for row in notes[1:]] == ["是" if c.required else None for c in columns]
    assert [row[-1] for row in notes[1:]] == [column.description_zh for column in columns]


@pytest.mark.parametrize("kind", list(ImportKind))
def test_every_example_code_of_the_xlsx_template_is_written_in_chinese(kind: ImportKind) -> None:
    data = next(iter(committed_xlsx(kind).values()))
    codes = [
        (number, cell, piece)
        for number, row in enumerate(data[1:], start=2)
        for cell in row
        if isinstance(cell, str)
        for piece in (item.strip() for item in ANY_SEPARATOR.split(cell))
        # A stored value that has a label, or an English yes/no, is a code a person has to
        # translate in their head.
        if label(piece) != piece or piece.lower() in YES_NO_WORDS
    ]
    assert codes == []
    # Not vacuous: the CSV's examples do carry codes that the XLSX translates.
    assert any(
        csv_cell != xlsx_cell and CJK.search(xlsx_cell)
        for csv_row, xlsx_row in zip(example_rows(kind), xlsx_example_rows(kind), strict=True)
        for csv_cell, xlsx_cell in zip(csv_row, xlsx_row, strict=True)
    )


@pytest.mark.parametrize("kind", list(ImportKind))
def test_every_code_has_a_chinese_spelling_that_reads_back_as_it(kind: ImportKind) -> None:
    for name, choice in CHOICES[kind].items():
        for code in dict.fromkeys(choice.aliases.values()):
            spelling = spelling_zh(code, choice.aliases)
            assert CJK.search(spelling), (name, code)
            assert cells.choice(spelling, choice.aliases) == code


# Organisation ids the KPI sums keep without a foreign key (0 there stands for "no unit").
UNDECLARED_REFERENCES = {
    ("kpi_fleet", "maintenance_unit_id"): "organisation",
    ("kpi_unit_day", "maintenance_unit_id"): "organisation",
}


def stored_rows(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, ids replaced by (table, rank in the table): two imports in a row
    take different ids on PostgreSQL, whose sequences do not roll back. The audit trail is
    reduced to its (action, entity) sequence: its payloads repeat the rows and the file's name."""
    tables = Base.metadata.sorted_tables
    ranks = {
        table.name: {
            id_: rank
            for rank, id_ in enumerate(session.scalars(select(table.c.id).order_by(table.c.id)))
        }
        for table in tables
        if "id" in table.c
    }

    def comparable(column: Any, value: Any) -> Any:
        targets = [key.column.table.name for key in column.foreign_keys if key.column.name == "id"]
        if column.name == "id":
            targets.append(column.table.name)
        if (column.table.name, column.name) in UNDECLARED_REFERENCES:
            targets.append(UNDECLARED_REFERENCES[column.table.name, column.name])
        for target in targets:
            if value in ranks.get(target, {}):
                return (target, ranks[target][value])
        return value

    stored: dict[str, list[dict[str, Any]]] = {}
    for table in tables:
        if table.name == "audit_event":
            events = session.execute(
                select(table.c.action, table.c.entity).order_by(table.c.id)
            ).all()
            stored[table.name] = [dict(event._mapping) for event in events]
            continue
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
        stored[table.name] = [
            {column.name: comparable(column, row._mapping[column]) for column in table.columns}
            for row in rows
        ]
    return stored


def import_and_read_back(session: Session, extension: str) -> dict[str, list[dict[str, Any]]]:
    """Imports the four templates of one format in order, reads what they stored, undoes it."""
    savepoint = session.begin_nested()
    for kind in ORDER:
        name = f"{kind.value}.{extension}"
        report = files.run(session, kind, (TEMPLATES / name).read_bytes(), filename=name)
        assert (report.committed, report.errors) == (True, []), (kind, report.errors)
    stored = stored_rows(session)
    savepoint.rollback()
    return stored


def test_the_xlsx_templates_store_exactly_what_the_csv_ones_do(session: Session) -> None:
    before = stored_rows(session)
    from_csv = import_and_read_back(session, "csv")
    from_xlsx = import_and_read_back(session, "xlsx")
    assert stored_rows(session) == before
    written = {name for name, rows in from_csv.items() if rows != before[name]}
    assert {"organisation", "elevator", "maintenance_record", "inspection"} <= written
    assert {name: rows for name, rows in from_xlsx.items() if rows != from_csv[name]} == {}
