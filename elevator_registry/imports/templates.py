"""Template files per import kind, generated from the column definitions so they cannot drift.

    python -m elevator_registry.imports.templates sample_data/templates

writes two files per kind, for two readers:
- `<kind>.csv`, the file integrations generate: English column names and stored codes
  (`residential`, `in_use`), UTF-8 with a byte-order mark so Excel shows the Chinese, a header
  row and the example rows (each column's `example`, then `MORE_EXAMPLES`);
- `<kind>.xlsx`, the file a clerk fills in: the same rows on the first sheet (the one imported,
  whatever its name), headed by each column's Chinese name, with every fixed-set cell written
  the way a person writes it (`住宅`, `在用`) when the importer reads that back as the same
  code, and a 说明 sheet describing each column in Chinese, its program name beside it.
Imported, the two give the same rows (tests/imports/test_import_templates.py).
"""

import csv
import io
import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from elevator_registry.imports import cells, elevators, inspections, maintenance, organisations
from elevator_registry.imports.columns import CJK, COLUMNS, MORE_EXAMPLES, ImportKind
from elevator_registry.labels import label

SHEET_NAMES_ZH = {
    ImportKind.ORGANISATIONS: "单位",
    ImportKind.ELEVATORS: "电梯",
    ImportKind.MAINTENANCE_RECORDS: "维保记录",
    ImportKind.INSPECTIONS: "检验记录",
}
NOTES_HEADER = ("列名", "必填", "也可写作", "程序用列名", "说明")
# Where the 说明 sheet keeps the English column name, the one cell of a row that stays English.
NOTES_KEY_COLUMN = NOTES_HEADER.index("程序用列名")


def _choices(parsers: dict[str, Any]) -> dict[str, cells.Choice]:
    """The columns of an importer whose cells name members of a fixed set."""
    return {name: parser for name, parser in parsers.items() if isinstance(parser, cells.Choice)}


CHOICES: dict[ImportKind, dict[str, cells.Choice]] = {
    ImportKind.ORGANISATIONS: _choices(organisations.PARSERS),
    ImportKind.ELEVATORS: _choices(elevators.PARSERS),
    ImportKind.MAINTENANCE_RECORDS: _choices(maintenance.PARSERS),
    ImportKind.INSPECTIONS: _choices(inspections.PARSERS),
}


def example_rows(kind: ImportKind) -> list[list[str]]:
    """The example rows of `kind`, one cell per column ("" when blank)."""
    columns = COLUMNS[kind]
    names = {column.name for column in columns}
    rows = [[column.example for column in columns]]
    for extra in MORE_EXAMPLES.get(kind, ()):
        unknown = set(extra) - names
        if unknown:
            raise ValueError(f"MORE_EXAMPLES[{kind}] names unknown columns: {sorted(unknown)}")
        rows.append([extra.get(column.name, "") for column in columns])
    return rows


def spelling_zh(code: str, aliases: dict[str, str]) -> str:
    """How a person writes `code`: its label, or else the first Chinese alias, that the importer
    reads back as `code`; the code itself if neither does (some labels carry a gloss, such as
    常规维保（每15日）, that no alias table lists)."""
    candidates = [label(code), *(alias for alias, meant in aliases.items() if meant == code)]
    for candidate in candidates:
        if not CJK.search(candidate):
            continue
        try:
            if cells.choice(candidate, aliases) == code:
                return candidate
        except cells.CellError:
            continue
    return code


def person_cell(value: str, choice: cells.Choice | None) -> str:
    """An example cell as the XLSX template shows it."""
    if choice is None or not value:
        return value
    if choice.separators is None:
        return spelling_zh(value, choice.aliases)
    items = cells.listing(value, choice.separators)
    return "、".join(spelling_zh(item, choice.aliases) for item in items)


def xlsx_example_rows(kind: ImportKind) -> list[list[str]]:
    """The example rows of `kind` with fixed-set cells in Chinese ("" when blank)."""
    choices = [CHOICES[kind].get(column.name) for column in COLUMNS[kind]]
    return [
        [person_cell(value, choice) for value, choice in zip(row, choices, strict=True)]
        for row in example_rows(kind)
    ]


def csv_template(kind: ImportKind) -> bytes:
    """The CSV template of `kind`."""
    columns = COLUMNS[kind]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    writer.writerows(example_rows(kind))
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_template(kind: ImportKind) -> Workbook:
    """The XLSX template of `kind`: data sheet (text-formatted cells) and a 说明 sheet."""
    columns = COLUMNS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAMES_ZH[kind]
    sheet.append([column.name_zh for column in columns])
    for row in xlsx_example_rows(kind):
        sheet.append([value or None for value in row])
    for header, column in zip(sheet[1], columns, strict=True):
        header.font = Font(bold=True)
        # A CJK character is about two Latin ones wide.
        sheet.column_dimensions[header.column_letter].width = max(14, 2 * len(column.name_zh) + 2)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            # Text format, so Excel keeps 18-digit codes and leading zeros as typed.
            cell.number_format = "@"
    notes = workbook.create_sheet("说明")
    notes.append(list(NOTES_HEADER))
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in columns:
        others = [alias for alias in column.aliases if alias != column.name_zh]
        notes.append(
            [
                column.name_zh,
                "是" if column.required else None,
                " / ".join(others) or None,
                column.name,
                column.description_zh,
            ]
        )
    for letter, width in zip("ABCDE", (24, 6, 36, 30, 80), strict=True):
        notes.column_dimensions[letter].width = width
    for (description,) in notes.iter_rows(min_row=2, min_col=5, max_col=5):
        description.alignment = Alignment(wrap_text=True, vertical="top")
    return workbook


def write_templates(folder: Path) -> list[Path]:
    """Writes every template into `folder`; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in ImportKind:
        path = folder / f"{kind.value}.csv"
        path.write_bytes(csv_template(kind))
        written.append(path)
        path = folder / f"{kind.value}.xlsx"
        xlsx_template(kind).save(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_templates(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(written_path)
