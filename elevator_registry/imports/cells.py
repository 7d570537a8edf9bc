"""Turning one spreadsheet cell into a Python value, the way Chinese ledgers write them.

A CSV cell is text; an XLSX cell may already be a number, a date or a boolean. Every parser
takes either and returns the value or raises `CellError` with messages for the report. Blank
cells are `None` before any parser runs. Constraints (lengths, ranges, formats of identifiers)
are not checked here: the API's own schemas and validators check them afterwards.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from elevator_registry.labels import label_with_code

# Excel keeps 15 significant digits; a longer "number" (an 18-digit equipment code typed into a
# General-formatted cell) has already lost its last digits.
EXCEL_EXACT_DIGITS = 15
# Not 、: TSG T5002 item names contain it (机房、滑轮间环境).
LIST_SEPARATORS = re.compile(r"[;；|\n]")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+|T)"
    r"(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.\d+)?)?\s*秒?$"
)
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "是", "有", "√", "✓"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "否", "无", "没有", "×"})


class CellError(ValueError):
    """A cell that cannot be read as the column's type; `code` goes into the report.

    `message_zh` says what is wrong with the value; the report puts the column's name before it.
    """

    def __init__(self, message: str, message_zh: str, code: str = "VALIDATION_ERROR") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_zh = message_zh


def blank(value: Any) -> bool:
    """True for an empty cell (None, or only whitespace)."""
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """Text; numbers from XLSX become their digits, refusing ones Excel has already rounded."""
    if isinstance(value, str):
        result = value.strip()
    elif isinstance(value, bool):
        result = "true" if value else "false"
    elif isinstance(value, int):
        result = str(value)
    elif isinstance(value, float):
        if not value.is_integer():
            result = repr(value)
        elif abs(value) >= 10**EXCEL_EXACT_DIGITS:
            raise CellError(
                "Excel stored this cell as a number and kept only 15 digits, so the value is "
                "lost; format the column as Text (文本) and enter it again",
                "Excel 把此单元格存成了数字，只保留了 15 位有效数字，原值已丢失；"
                "请把该列设为“文本”格式后重新填写",
                code="IMPORT_PRECISION_LOST",
            )
        else:
            result = str(int(value))
    elif isinstance(value, datetime | date | time):
        result = value.isoformat()
    else:
        result = str(value).strip()
    if "\x00" in result:
        raise CellError("contains a NUL character", "含有空字符（NUL），请删除后重新填写")
    return result


def integer(value: Any) -> int:
    """A whole number (`18`, `18.0`)."""
    if isinstance(value, bool):
        raise CellError("expected a whole number", "须为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raw = text(value).replace(",", "")
    try:
        number = Decimal(raw)
    except InvalidOperation as error:
        raise CellError(f"{raw!r} is not a whole number", f"“{raw}”不是整数") from error
    if number != number.to_integral_value():
        raise CellError(f"{raw!r} is not a whole number", f"“{raw}”不是整数")
    return int(number)


def decimal(value: Any) -> Decimal:
    """A decimal number (`1.75`)."""
    if isinstance(value, bool):
        raise CellError("expected a number", "须为数字")
    if isinstance(value, int | float):
        return Decimal(str(value))
    raw = text(value).replace(",", "")
    try:
        number = Decimal(raw)
    except InvalidOperation as error:
        raise CellError(f"{raw!r} is not a number", f"“{raw}”不是数字") from error
    if not number.is_finite():
        raise CellError(f"{raw!r} is not a number", f"“{raw}”不是数字")
    return number


def boolean(value: Any) -> bool:
    """是/否, 有/无, true/false, yes/no, 1/0."""
    if isinstance(value, bool):
        return value
    word = text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(
        f"{word!r} is not yes/no (是/否, true/false, 1/0)",
        f"“{word}”不是是/否（可填 是/否、有/无、true/false、1/0）",
    )


def day(value: Any) -> date:
    """A date: 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日, or an Excel date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    match = _DATE.match(raw)
    if match is None:
        raise CellError(
            f"{raw!r} is not a date (write 2026-03-01)", f"“{raw}”不是日期（请写作 2026-03-01）"
        )
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as error:
        raise CellError(
            f"{raw!r} is not a date: {error}", f"“{raw}”不是有效的日期（月份或日超出范围）"
        ) from error


def moment(value: Any, zone: ZoneInfo) -> datetime:
    """A time stamp; without an offset it is local time in `zone`. A bare date is its 00:00."""
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, date):
        stamp = datetime.combine(value, time())
    else:
        raw = text(value)
        stamp = _parse_datetime(raw)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=zone)
    return stamp


def _parse_datetime(raw: str) -> datetime:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        pass
    match = _DATETIME.match(raw)
    try:
        if match is not None:
            return datetime(
                int(match[1]),
                int(match[2]),
                int(match[3]),
                int(match[4]),
                int(match[5]),
                int(match[6] or 0),
            )
        return datetime.combine(day(raw), time())
    except (ValueError, CellError) as error:
        raise CellError(
            f"{raw!r} is not a date and time (write 2026-03-01 09:30)",
            f"“{raw}”不是日期时间（请写作 2026-03-01 09:30）",
        ) from error


def listing(value: Any, separators: re.Pattern[str] = LIST_SEPARATORS) -> list[str]:
    """Items separated by ; ； | or line breaks."""
    return [item.strip() for item in separators.split(text(value)) if item.strip()]


def choice(value: Any, aliases: dict[str, str]) -> str:
    """One of a fixed set: the value itself or one of its (Chinese) aliases."""
    raw = text(value)
    key = raw.lower().replace(" ", "").replace("-", "_")
    if key in aliases:
        return aliases[key]
    allowed = sorted(set(aliases.values()))
    # In the enum's order (its members lead every alias table), each with the code it stands for.
    allowed_zh = "、".join(label_with_code(code) for code in dict.fromkeys(aliases.values()))
    raise CellError(
        f"{raw!r} is not one of {', '.join(allowed)}",
        f"“{raw}”不是可选的值，须为以下之一：{allowed_zh}",
    )


@dataclass(frozen=True)
class Choice:
    """The parser of a column whose cells name members of a fixed set through `aliases`; with
    `separators`, one cell may name several (a list). The templates read the set from it."""

    aliases: dict[str, str]
    separators: re.Pattern[str] | None = None

    def __call__(self, value: Any) -> str | list[str]:
        if self.separators is None:
            return choice(value, self.aliases)
        return [choice(item, self.aliases) for item in listing(value, self.separators)]
