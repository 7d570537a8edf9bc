"""Template files per import kind, generated from the column definitions so they cannot drift.

    python -m elevator_registry.imports.templates sample_data/templates

writes `<kind>.csv` (UTF-8 with a byte-order mark, so Excel shows the Chinese correctly: a
header row and one example row) and `<kind>.xlsx` (the same on the first sheet, which is the
one imported, and a 说明 sheet describing each column).
"""

import csv
import io
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from elevator_registry.imports.columns import COLUMNS, ImportKind


def csv_template(kind: ImportKind) -> bytes:
    """The CSV template of `kind`."""
    columns = COLUMNS[kind]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    writer.writerow([column.example for column in columns])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_template(kind: ImportKind) -> Workbook:
    """The XLSX template of `kind`: data sheet (text-formatted cells) and a 说明 sheet."""
    columns = COLUMNS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.value
    sheet.append([column.name for column in columns])
    sheet.append([column.example or None for column in columns])
    for header, example, column in zip(sheet[1], sheet[2], columns, strict=True):
        header.font = Font(bold=True)
        # Text format, so Excel keeps 18-digit codes and leading zeros as typed.
        example.number_format = "@"
        sheet.column_dimensions[header.column_letter].width = max(14, len(column.name) + 2)
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
