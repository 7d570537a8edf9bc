"""The import report: what was read, written, skipped, and why each refused row was refused."""

from pydantic import BaseModel, Field

from elevator_registry.imports.columns import ImportKind
from elevator_registry.imports.readers import FileFormat
from elevator_registry.schemas import ErrorBody


class RowError(BaseModel):
    """One refusal of one row; a row may have several (one per field)."""

    row: int = Field(
        description="Row number as a spreadsheet shows it: the header is row 1, the first data "
        "row is row 2 (blank rows count, so the number matches Excel's)."
    )
    column: str | None = Field(
        default=None, description="The header of the column as written in the file."
    )
    field: str | None = Field(
        default=None, description="The documented column name (English) of that column."
    )
    code: str = Field(examples=["EQUIPMENT_CODE_INVALID"])
    message: str = Field(description="English, for programs and logs.")
    message_zh: str = Field(
        description="Chinese, the sentence to show a person: it names the column as the file's "
        "header wrote it (or by its Chinese name) and says what is wrong.",
        examples=["层数：“abc”不是整数"],
    )


class ImportReport(BaseModel):
    """The outcome of one import."""

    kind: ImportKind
    file_name: str | None
    file_format: FileFormat
    encoding: str | None = Field(description="The CSV's text encoding; null for XLSX.")
    partial: bool = Field(description="True: valid rows were kept although others failed.")
    committed: bool = Field(
        description="True: the valid rows were written. False: nothing was written, because "
        "rows failed and the import was all-or-nothing."
    )
    rows_read: int = Field(description="Non-blank data rows in the file.")
    rows_valid: int = Field(description="New rows that passed every check.")
    rows_written: int = Field(description="Rows written: rows_valid if committed, else 0.")
    rows_skipped: int = Field(
        description="Rows already present (same natural key), in the database or earlier in "
        "the file: skipped, never updated."
    )
    rows_failed: int = Field(description="Rows refused; each has at least one entry in errors.")
    errors: list[RowError]
    errors_truncated: bool = Field(
        description="True when more rows failed than the report lists "
        "(setting import_max_reported_errors)."
    )


class ImportRefused(BaseModel):
    """422 IMPORT_ROWS_INVALID: rows failed, nothing was written; the report says which."""

    error: ErrorBody
    report: ImportReport | None = Field(
        default=None, description="Present when the file was read and some rows failed."
    )
