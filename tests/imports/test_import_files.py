"""Reading import files: encodings, formats, headers, damaged and empty files, odd cells."""

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy.orm import Session

from elevator_registry.errors import DomainError
from elevator_registry.imports import cells
from elevator_registry.imports.columns import ImportKind
from elevator_registry.imports.readers import open_table
from elevator_registry.registry.models import Organisation
from tests import factories
from tests.imports import files

ORGANISATION_HEADER_ZH = ["统一社会信用代码", "名称", "角色", "值班电话"]


def organisation_rows(count: int = 2) -> list[list[str]]:
    return [
        [factories.credit_code(), f"綦江第{index}物业管理有限公司", "使用单位", "023-48661234"]
        for index in range(count)
    ]


def refusal(session: Session, content: bytes, filename: str = "ledger.csv") -> DomainError:
    with pytest.raises(DomainError) as caught:
        files.run(session, ImportKind.ORGANISATIONS, content, filename=filename)
    return caught.value


def test_a_gbk_csv_from_excel_is_decoded_with_its_chinese_headers(
    session: Session, world: factories.World
) -> None:
    content = files.csv_bytes(ORGANISATION_HEADER_ZH, organisation_rows(), encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    before = factories.count(session, Organisation)
    report = files.run(session, ImportKind.ORGANISATIONS, content)
    assert (report.encoding, report.rows_written, report.errors) == ("gb18030", 2, [])
    assert factories.count(session, Organisation) == before + 2
    assert session.query(Organisation).filter_by(name="綦江第1物业管理有限公司").one().roles == [
        "user_unit"
    ]


def test_utf8_with_a_byte_order_mark_is_read(session: Session, world: factories.World) -> None:
    content = b"\xef\xbb\xbf" + files.csv_bytes(ORGANISATION_HEADER_ZH, organisation_rows(1))
    report = files.run(session, ImportKind.ORGANISATIONS, content)
    assert (report.encoding, report.rows_written) == ("utf-8-sig", 1)


def test_undecodable_bytes_are_refused_naming_the_byte(session: Session) -> None:
    content = files.csv_bytes(["credit_code", "name", "roles"], [["x", "y", "z"]]) + b"\xff\xfe\x81"
    content = content.replace(b"y", b"\x81\xff")  # invalid in UTF-8 and in GB18030
    error = refusal(session, content)
    assert error.code == "IMPORT_ENCODING_INVALID"
    assert "utf-8 at byte" in error.message and "gb18030 at byte" in error.message
    assert error.message_zh.startswith(
        "文件编码既不是 UTF-8 也不是 GB18030/GBK（无法解码：按 utf-8 第"
    )
    assert "按 gb18030 第" in error.message_zh
    assert error.status_code == 422


@pytest.mark.parametrize(
    ("content", "message", "message_zh"),
    [
        (b"", "empty", "导入文件没有数据行"),
        (b"\r\n , ,\r\n\r\n", "no rows", "文件没有任何内容（连表头也没有）"),
        (b"credit_code,name,roles\r\n", "no data rows", "文件只有表头，没有数据行"),
        (b"credit_code,name,roles\r\n,,\r\n", "no data rows", "文件只有表头，没有数据行"),
    ],
)
def test_empty_files_are_refused(
    session: Session, content: bytes, message: str, message_zh: str
) -> None:
    error = refusal(session, content)
    assert error.code == "IMPORT_EMPTY"
    assert message in error.message
    assert error.message_zh == message_zh


@pytest.mark.parametrize(
    ("content", "filename", "message_zh"),
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "ledger.xls",
            "这是 Excel 97-2003（.xls）或其他旧版 Office 文件；"
            "请另存为 .xlsx（Excel 工作簿）或 CSV 后再导入",
        ),
        (
            b"%PDF-1.7 whatever",
            "ledger.pdf",
            "不能导入 .pdf 文件；请使用 CSV（.csv）或 Excel 工作簿（.xlsx）",
        ),
        (
            b"credit_code,name,roles\r\n",
            "ledger.json",
            "不能导入 .json 文件；请使用 CSV（.csv）或 Excel 工作簿（.xlsx）",
        ),
    ],
)
def test_files_other_than_csv_and_xlsx_are_unsupported(
    session: Session, content: bytes, filename: str, message_zh: str
) -> None:
    error = refusal(session, content, filename)
    assert (error.code, error.status_code) == ("IMPORT_FILE_TYPE_UNSUPPORTED", 415)
    assert error.message_zh == message_zh


@pytest.mark.parametrize(
    ("content", "filename", "message_zh"),
    [
        (b"PK\x03\x04 not really a zip", "ledger.xlsx", "工作簿已损坏（不是可读的 zip 压缩包）"),
        (b"credit_code,name\r\n", "ledger.xlsx", "ledger.xlsx 不是 XLSX 工作簿（不是 zip 压缩包）"),
    ],
)
def test_a_damaged_workbook_is_refused(
    session: Session, content: bytes, filename: str, message_zh: str
) -> None:
    error = refusal(session, content, filename)
    assert (error.code, error.message_zh) == ("IMPORT_FILE_INVALID", message_zh)


def test_a_zip_that_unpacks_beyond_the_limit_is_refused(session: Session) -> None:
    content = files.xlsx_bytes(["credit_code", "name", "roles"], [["x" * 5000, "y", "z"]])
    settings = files.get_settings().model_copy(update={"import_max_unpacked_bytes": 1000})
    with pytest.raises(DomainError) as caught:
        files.run(session, ImportKind.ORGANISATIONS, content, filename="a.xlsx", settings=settings)
    assert caught.value.code == "IMPORT_FILE_INVALID"
    assert "unpacks to" in caught.value.message
    assert re.fullmatch(r"工作簿解压后有 \d+ 字节，超过允许的 1000 字节", caught.value.message_zh)


@pytest.mark.parametrize(
    ("header", "named", "named_zh"),
    [
        (["credit_code", "name"], ["missing required columns: roles"], "缺少必填列：角色（roles）"),
        (["credit_code", "name", "roles", "颜色"], ["unknown columns: 颜色"], "无法识别的列：颜色"),
        (
            ["统一社会信用代码", "credit_code", "name", "roles"],
            ["columns given twice"],
            "列重复：“credit_code”与“统一社会信用代码”是同一列",
        ),
        (["credit_code", "", "name", "roles"], ["without a name at position 2"], "第 2 列没有列名"),
        (
            ["name", "colour"],
            ["missing required columns: credit_code, roles", "unknown columns: colour"],
            "缺少必填列：统一社会信用代码（credit_code）、角色（roles）；无法识别的列：colour",
        ),
    ],
)
def test_wrong_columns_are_refused_naming_them(
    session: Session, header: list[str], named: list[str], named_zh: str
) -> None:
    content = files.csv_bytes(header, [["a"] * len(header)])
    error = refusal(session, content)
    assert error.code == "IMPORT_COLUMNS_INVALID"
    for text in named:
        assert text in error.message
    assert error.message_zh == f"{named_zh}（表头须为第一个非空行，列名见模板）"


def test_headers_match_ignoring_case_spaces_and_required_marks(
    session: Session, world: factories.World
) -> None:
    content = files.csv_bytes(
        [" Credit Code* ", "NAME", "roles＊"], [row[:3] for row in organisation_rows(1)]
    )
    assert files.run(session, ImportKind.ORGANISATIONS, content).rows_written == 1


def test_the_delimiter_may_be_a_tab_or_a_semicolon(
    session: Session, world: factories.World
) -> None:
    rows = organisation_rows(2)
    tab = "\r\n".join("\t".join(row) for row in [ORGANISATION_HEADER_ZH, rows[0]]).encode()
    semicolon = ("统一社会信用代码;名称;角色\r\n" + ";".join(rows[1][:3])).encode()
    assert files.run(session, ImportKind.ORGANISATIONS, tab).rows_written == 1
    assert files.run(session, ImportKind.ORGANISATIONS, semicolon).rows_written == 1


def test_a_row_longer_than_the_header_fails_alone(session: Session, world: factories.World) -> None:
    rows = organisation_rows(2)
    rows[1] = [*rows[1], "stray"]
    report = files.run(
        session,
        ImportKind.ORGANISATIONS,
        files.csv_bytes(ORGANISATION_HEADER_ZH, rows),
        partial=True,
    )
    assert files.codes(report) == [(3, None, "IMPORT_ROW_INVALID")]
    assert report.errors[0].message_zh == "此行有 5 个单元格，但表头只有 4 列"
    assert report.rows_written == 1


def test_blank_rows_are_ignored_but_keep_the_spreadsheet_numbering(
    session: Session, world: factories.World
) -> None:
    rows = organisation_rows(2)
    bad = [rows[1][0][:-1] + "0" if rows[1][0][-1] != "0" else rows[1][0][:-1] + "1", *rows[1][1:]]
    content = files.csv_bytes(ORGANISATION_HEADER_ZH, [rows[0], ["", "", "", ""], bad])
    report = files.run(session, ImportKind.ORGANISATIONS, content)
    assert report.rows_read == 2
    assert files.codes(report) == [(4, "credit_code", "CREDIT_CODE_INVALID")]
    assert report.errors[0].column == "统一社会信用代码"


def test_xlsx_rows_are_streamed_with_their_spreadsheet_numbers(
    session: Session, world: factories.World
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["credit_code", "name", "roles"])
    sheet.append([factories.credit_code(), "甲公司", "maintainer"])
    sheet["A5"] = "NOT-A-CODE"
    sheet["B5"] = "乙公司"
    sheet["C5"] = "维保单位;安装单位"
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = files.run(
        session, ImportKind.ORGANISATIONS, buffer.getvalue(), filename="ledger.xlsx", partial=True
    )
    assert (report.file_format, report.encoding, report.rows_read) == ("xlsx", None, 2)
    assert files.codes(report) == [(5, "credit_code", "CREDIT_CODE_INVALID")]


def test_an_xlsx_number_that_excel_has_rounded_is_refused_not_guessed(
    session: Session, world: factories.World
) -> None:
    header = ["equipment_code", "rescue_code", "type_code", "street", "address", "place_category"]
    content = files.xlsx_bytes(
        header, [[311050012201800001.0, 654321, "3110", "古南街道", "沙溪路1号", "住宅"]]
    )
    report = files.run(session, ImportKind.ELEVATORS, content, filename="lifts.xlsx")
    assert files.codes(report) == [(2, "equipment_code", "IMPORT_PRECISION_LOST")]
    assert not report.committed


def test_a_workbook_without_a_suffix_is_recognised_by_its_content(
    session: Session, world: factories.World
) -> None:
    content = files.xlsx_bytes(["credit_code", "name", "roles"], [organisation_rows(1)[0][:3]])
    assert (
        files.run(session, ImportKind.ORGANISATIONS, content, filename="upload").rows_written == 1
    )


def test_open_table_reports_its_progress_through_the_file() -> None:
    content = files.csv_bytes(["a"], [[str(n)] for n in range(50_000)])
    table = open_table(io.BytesIO(content), filename="x.csv", max_unpacked_bytes=1)
    first = table.position()
    assert first is not None and first < 0.5
    for _ in table.rows:
        pass
    assert table.position() == 1.0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-01", date(2026, 3, 1)),
        ("2026/3/1", date(2026, 3, 1)),
        ("2026.03.01", date(2026, 3, 1)),
        ("2026年3月1日", date(2026, 3, 1)),
        (datetime(2026, 3, 1, 9, 30), date(2026, 3, 1)),
    ],
)
def test_dates_in_the_forms_ledgers_use(raw: object, expected: date) -> None:
    assert cells.day(raw) == expected


@pytest.mark.parametrize("raw", ["2026-02-30", "3/1/2026", "昨天", "2026-13-01"])
def test_impossible_or_ambiguous_dates_are_refused(raw: str) -> None:
    with pytest.raises(cells.CellError):
        cells.day(raw)


def test_local_times_are_read_in_the_district_zone_unless_an_offset_is_given() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    assert cells.moment("2026-03-01 09:30", zone) == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    assert cells.moment("2026/3/1 9:30:15", zone) == datetime(2026, 3, 1, 1, 30, 15, tzinfo=UTC)
    assert cells.moment("2026-03-01T09:30:00+00:00", zone) == datetime(
        2026, 3, 1, 9, 30, tzinfo=UTC
    )
    assert cells.moment(datetime(2026, 3, 1, 9, 30), zone) == datetime(
        2026, 3, 1, 1, 30, tzinfo=UTC
    )
    assert cells.moment("2026-03-01", zone) == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "parser", "expected"),
    [
        ("是", cells.boolean, True),
        ("无", cells.boolean, False),
        ("TRUE", cells.boolean, True),
        (1, cells.boolean, True),
        ("1,000", cells.integer, 1000),
        (18.0, cells.integer, 18),
        ("1.75", cells.decimal, Decimal("1.75")),
        ("a；机房、滑轮间环境|d\ne", cells.listing, ["a", "机房、滑轮间环境", "d", "e"]),
        (123456.0, cells.text, "123456"),
    ],
)
def test_cells_are_read_as_their_column_type(raw: object, parser: object, expected: object) -> None:
    assert parser(raw) == expected  # type: ignore[operator]


@pytest.mark.parametrize(
    ("raw", "parser"),
    [
        ("也许", cells.boolean),
        ("18.5", cells.integer),
        ("abc", cells.decimal),
        ("a\x00b", cells.text),
    ],
)
def test_cells_that_are_not_their_column_type_are_refused(raw: object, parser: object) -> None:
    with pytest.raises(cells.CellError):
        parser(raw)  # type: ignore[operator]
