"""Template files per import kind, generated from the column definitions so they cannot drift.

    python -m elevator_registry.imports.templates sample_data/templates

writes `<kind>.csv` (UTF-8 with a byte-order mark, so Excel shows the Chinese correctly: a
header row and the example rows: each column's `example`, then `MORE_EXAMPLES`) and `<kind>.xlsx` (the same on the first sheet, which is the
one imported, and a 说明 sheet describing each column).
"""

import csv
import io
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from elevator_registry.imports.columns import COLUMNS, MORE_EXAMPLES, ImportKind


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
    sheet.title = kind.value
    sheet.append([column.name for column in columns])
    for row in example_rows(kind):
        sheet.append([value or None for value in row])
    for header, column in zip(sheet[1], columns, strict=True):
        header.font = Font(bold=True)
        sheet.column_dimensions[header.column_letter].width = max(14, len(column.name) + 2)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            # Text format, so Excel keeps 18-digit codes and leading zeros as typed.
            cell.number_format = "@"
    notes = workbook.create_sheet("说明")
    notes.append(["column", "required", "also accepted as", "content"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in columns:
        notes.append(
            [
                column.name,
                "yes" if column.required else "",
                " / ".join(column.aliases),
                column.description,
            ]
        )
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
