"""Reading an import file one row at a time: CSV in any encoding Excel writes, or XLSX.

Nothing here holds the whole file in memory. A CSV is decoded through a text stream and parsed
by the `csv` module line by line; an XLSX is read with openpyxl in read-only mode, which parses
the sheet XML as it goes (it does keep the workbook's shared-strings table, i.e. the distinct
texts, in memory).

Encoding of a CSV, decided once before any row is read (the file is read twice, which costs
little next to validating the rows):
1. a byte-order mark says UTF-8 or UTF-16;
2. otherwise the whole file must decode as UTF-8;
3. otherwise as GB18030, the superset of GBK/GB2312 that Excel on a Chinese Windows writes
   when it saves "CSV (逗号分隔)";
4. otherwise it is refused with IMPORT_ENCODING_INVALID, naming the first undecodable byte.
No statistical guessing: a file either decodes exactly under one of these or is refused.
"""

import codecs
import contextlib
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath
from typing import IO, Any

from elevator_registry.errors import DomainError, InvalidValue

CHUNK = 1024 * 1024
CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc (Office 97-2003)
DELIMITERS = (",", "\t", ";")


class FileTypeUnsupported(DomainError):
    """415: neither a CSV nor an XLSX workbook."""

    status_code = 415


class FileFormat(StrEnum):
    """What the import file turned out to be."""

    CSV = "csv"
    XLSX = "xlsx"


@dataclass
class Table:
    """An opened import file: its format, encoding, and its rows as (row number, cells)."""

    format: FileFormat
    encoding: str | None
    rows: Iterator[tuple[int, list[Any]]]
    position: Callable[[], float | None]
    close: Callable[[], None] = field(default=lambda: None)


def file_invalid(message: str, message_zh: str) -> InvalidValue:
    """422 IMPORT_FILE_INVALID: the file is damaged or cannot be parsed."""
    return InvalidValue("IMPORT_FILE_INVALID", message, field="file", message_zh=message_zh)


def empty_file(message: str = "the file is empty", message_zh: str | None = None) -> InvalidValue:
    """422 IMPORT_EMPTY (in Chinese the catalogue's sentence unless `message_zh` is more exact)."""
    return InvalidValue("IMPORT_EMPTY", message, field="file", message_zh=message_zh)


def open_table(stream: IO[bytes], *, filename: str | None, max_unpacked_bytes: int) -> Table:
    """Opens a seekable binary stream as a table; refuses what it cannot read, writing nothing."""
    suffix = PurePath(filename).suffix.lower() if filename else ""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if not head:
        raise empty_file()
    if head.startswith(OLE2_MAGIC):
        raise FileTypeUnsupported(
            "IMPORT_FILE_TYPE_UNSUPPORTED",
            "this is an Excel 97-2003 (.xls) or other legacy Office file; save it as .xlsx "
            "(Excel workbook) or CSV and import that",
            field="file",
            message_zh="这是 Excel 97-2003（.xls）或其他旧版 Office 文件；"
            "请另存为 .xlsx（Excel 工作簿）或 CSV 后再导入",
        )
    if head.startswith(ZIP_MAGIC):
        if suffix and suffix not in XLSX_SUFFIXES | CSV_SUFFIXES:
            raise _unsupported(suffix)
        return _open_xlsx(stream, max_unpacked_bytes=max_unpacked_bytes)
    if suffix in XLSX_SUFFIXES:
        raise file_invalid(
            f"{filename} is not an XLSX workbook (it is not a zip archive)",
            f"{filename} 不是 XLSX 工作簿（不是 zip 压缩包）",
        )
    if suffix and suffix not in CSV_SUFFIXES:
        raise _unsupported(suffix)
    return _open_csv(stream)


def _unsupported(suffix: str) -> FileTypeUnsupported:
    return FileTypeUnsupported(
        "IMPORT_FILE_TYPE_UNSUPPORTED",
        f"{suffix} files are not imported; use CSV (.csv) or an Excel workbook (.xlsx)",
        field="file",
        message_zh=f"不能导入 {suffix} 文件；请使用 CSV（.csv）或 Excel 工作簿（.xlsx）",
    )


# CSV ----------------------------------------------------------------------------------------


def detect_encoding(stream: IO[bytes]) -> str:
    """The encoding the whole stream decodes under (see the module docstring), or a refusal."""
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    failures = []
    failures_zh = []
    for encoding in candidates:
        offset = _first_undecodable(stream, encoding)
        if offset is None:
            return encoding
        failures.append(f"{encoding} at byte {offset}")
        failures_zh.append(f"按 {encoding} 第 {offset} 字节")
    raise InvalidValue(
        "IMPORT_ENCODING_INVALID",
        "the file's text is neither UTF-8 nor GB18030/GBK (undecodable byte: "
        + ", ".join(failures)
        + "); save it from Excel as 'CSV UTF-8 (逗号分隔)' or as .xlsx",
        field="file",
        message_zh="文件编码既不是 UTF-8 也不是 GB18030/GBK（无法解码："
        + "，".join(failures_zh)
        + "）；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx",
    )


def _first_undecodable(stream: IO[bytes], encoding: str) -> int | None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    stream.seek(0)
    offset = 0
    try:
        while chunk := stream.read(CHUNK):
            decoder.decode(chunk)
            offset += len(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        return offset + error.start
    finally:
        stream.seek(0)
    return None


def _open_csv(stream: IO[bytes]) -> Table:
    encoding = detect_encoding(stream)
    size = _size(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")  # type: ignore[type-var]
    first_line = text.readline()
    delimiter = max(DELIMITERS, key=first_line.count) if first_line else ","
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(_chain_first(first_line, text), delimiter=delimiter, strict=False)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, list(cells)
        except csv.Error as error:
            raise file_invalid(
                f"row {number + 1} cannot be parsed as CSV: {error}",
                f"第 {number + 1} 行无法按 CSV 读取（常见原因是引号未配对）",
            ) from error

    def position() -> float | None:
        if not size:
            return None
        try:
            return min(stream.tell() / size, 1.0)
        except (OSError, ValueError):
            return None

    generator = rows()

    def close() -> None:
        generator.close()
        # The caller owns the binary stream; the wrapper must not close it.
        with contextlib.suppress(ValueError):  # already detached
            text.detach()

    return Table(FileFormat.CSV, encoding, generator, position, close)


def _chain_first(first_line: str, rest: IO[str]) -> Iterator[str]:
    if first_line:
        yield first_line
    # Not `yield from`: closing this generator must not close the caller's stream.
    for line in rest:  # noqa: UP028
        yield line


def _size(stream: IO[bytes]) -> int | None:
    try:
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        return size
    except (OSError, ValueError):
        return None


# XLSX ---------------------------------------------------------------------------------------


def _open_xlsx(stream: IO[bytes], *, max_unpacked_bytes: int) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(stream) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise file_invalid(
            f"the workbook is damaged (not a readable zip archive): {error}",
            "工作簿已损坏（不是可读的 zip 压缩包）",
        ) from error
    if unpacked > max_unpacked_bytes:
        raise file_invalid(
            f"the workbook unpacks to {unpacked} bytes, more than the {max_unpacked_bytes} allowed",
            f"工作簿解压后有 {unpacked} 字节，超过允许的 {max_unpacked_bytes} 字节",
        )
    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl raises many types for damaged files
        raise file_invalid(
            f"the workbook cannot be read: {type(error).__name__}: {error}",
            "工作簿无法读取（文件已损坏，或不是 Excel 工作簿）",
        ) from error
    try:
        total_rows = sheet.max_row
    except Exception:  # a missing or odd <dimension> element
        total_rows = None
    done = 0

    def rows() -> Iterator[tuple[int, list[Any]]]:
        nonlocal done
        number = 0
        try:
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                done = number
                yield number, list(cells)
        except DomainError:
            raise
        except Exception as error:
            raise file_invalid(
                f"the workbook cannot be read after row {number}: {type(error).__name__}: {error}",
                f"工作簿第 {number} 行之后无法读取（文件已损坏）",
            ) from error

    def position() -> float | None:
        if not total_rows:
            return None
        return min(done / total_rows, 1.0)

    generator = rows()

    def close() -> None:
        generator.close()
        workbook.close()

    return Table(FileFormat.XLSX, None, generator, position, close)
