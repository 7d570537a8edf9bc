"""The template files: generated from the column definitions, and importable in order."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from elevator_registry.imports.columns import COLUMNS, ImportKind
from elevator_registry.imports.templates import csv_template, example_rows

TEMPLATES = Path(__file__).resolve().parents[2] / "sample_data" / "templates"
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("kind", list(ImportKind))
def test_the_committed_templates_are_the_generated_ones(kind: ImportKind) -> None:
    assert (TEMPLATES / f"{kind.value}.csv").read_bytes() == csv_template(kind)
    workbook = load_workbook(TEMPLATES / f"{kind.value}.xlsx", read_only=True)
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    columns = COLUMNS[kind]
    assert rows[0] == [column.name for column in columns]
    assert rows[1:] == [[value or None for value in row] for row in example_rows(kind)]


def test_the_readme_documents_every_column() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Bulk import") :]
    for kind, columns in COLUMNS.items():
        assert f"**{kind.value}**" in section
        for column in columns:
            assert f"`{column.name}`" in section, column.name


@pytest.mark.parametrize("kind", list(ImportKind))
def test_xlsx_templates_read_like_the_csv_ones(kind: ImportKind) -> None:
    from elevator_registry.imports.readers import open_table

    csv_rows = [
        row
        for _, row in open_table(
            io.BytesIO(csv_template(kind)), filename="t.csv", max_unpacked_bytes=1
        ).rows
    ]
    content = (TEMPLATES / f"{kind.value}.xlsx").read_bytes()
    xlsx_rows = [
        ["" if cell is None else cell for cell in row]
        for _, row in open_table(
            io.BytesIO(content), filename="t.xlsx", max_unpacked_bytes=10**8
        ).rows
    ]
    assert xlsx_rows == csv_rows
