"""Validation of the registry's identifiers (DESIGN §7); each failure has its own error code."""

import re

from elevator_registry.errors import InvalidValue
from elevator_registry.registry.enums import ElevatorType

# GB 32100-2015 统一社会信用代码: 31-character alphabet (no I, O, Z, S, V), weights 3^i mod 31.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

CATALOGUE_GROUPS = frozenset({"3000", "3100", "3200", "3300", "3400"})
EQUIPMENT_CODE_2016 = re.compile(r"^3\d{3}\d{5}\d{4}[0-9A-Z]{5}$")
EQUIPMENT_CODE_LEGACY = re.compile(r"^3\d{19}$")
REGISTRATION_NUMBER = re.compile(
    r"^梯(?P<feature>\d{2})(?P<province>[\u4e00-\u9fa5])(?P<city>[A-Z])(?P<sequence>\d{5})"
    r"[(（](?P<year>\d{2})[)）]$"
)
MOBILE_PHONE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_PHONE = re.compile(r"^0\d{2,3}-?\d{7,8}$|^400-?\d{3}-?\d{4}$")


def credit_code_check_character(first_seventeen: str) -> str:
    """The 18th character of a 统一社会信用代码, computed per GB 32100-2015."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(first_seventeen, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str, *, field: str = "credit_code") -> str:
    """Returns the code upper-cased, or refuses it with CREDIT_CODE_INVALID."""
    code = value.strip().upper()
    if len(code) != 18 or any(char not in CREDIT_CODE_ALPHABET for char in code):
        raise InvalidValue(
            "CREDIT_CODE_INVALID",
            f"{field} must be 18 characters from the GB 32100-2015 alphabet (no I, O, Z, S, V)",
            field=field,
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise InvalidValue(
            "CREDIT_CODE_INVALID",
            f"{field} {code}: check character is {code[17]}, GB 32100-2015 gives {expected}",
            field=field,
        )
    return code


def validate_equipment_code(value: str, type_code: str, *, field: str = "equipment_code") -> str:
    """18-character 2016 code or 20-digit legacy registration code, prefixed by the type's catalogue code."""
    code = value.strip().upper()
    if not (EQUIPMENT_CODE_2016.match(code) or EQUIPMENT_CODE_LEGACY.match(code)):
        raise InvalidValue(
            "EQUIPMENT_CODE_INVALID",
            f"{field} must be 18 characters (catalogue code + maker + year + sequence) or a "
            "20-digit legacy registration code, both starting with a 3xxx catalogue code",
            field=field,
        )
    catalogue = code[:4]
    group = type_code[:2] + "00"
    if catalogue not in {type_code, group, "3000"}:
        if catalogue in CATALOGUE_GROUPS or catalogue in {member.value for member in ElevatorType}:
            raise InvalidValue(
                "EQUIPMENT_CODE_TYPE_MISMATCH",
                f"{field} starts with catalogue code {catalogue}, but type_code is {type_code}",
                field=field,
            )
        raise InvalidValue(
            "EQUIPMENT_CODE_INVALID",
            f"{field} starts with {catalogue}, which is not an elevator catalogue code",
            field=field,
        )
    return code


def validate_registration_number(
    value: str, type_code: str, *, field: str = "registration_number"
) -> str:
    """使用登记证编号 per TSG 08-2017; the feature code must match the type. Brackets normalised."""
    number = value.strip()
    match = REGISTRATION_NUMBER.match(number)
    if match is None:
        raise InvalidValue(
            "REGISTRATION_NUMBER_INVALID",
            f"{field} must read 梯 + feature code + province + city letter + 5 digits + (yy), "
            "e.g. 梯11渝A00001(17)",
            field=field,
        )
    expected = ElevatorType(type_code).feature_code
    if match["feature"] != expected:
        raise InvalidValue(
            "REGISTRATION_TYPE_MISMATCH",
            f"{field} has feature code {match['feature']}, type {type_code} needs {expected}",
            field=field,
        )
    return number.replace("（", "(").replace("）", ")")


def validate_rescue_code(value: str, pattern: str, *, field: str = "rescue_code") -> str:
    """The 96333 识别码; its format is a setting because no national format exists."""
    code = value.strip()
    if re.fullmatch(pattern, code) is None:
        raise InvalidValue(
            "RESCUE_CODE_INVALID",
            f"{field} does not match the configured format {pattern}",
            field=field,
        )
    return code


def validate_phone(value: str, *, field: str) -> str:
    """A Chinese mobile number, a landline with area code, or a 400 service number."""
    phone = value.strip().replace(" ", "")
    if not (MOBILE_PHONE.match(phone) or LANDLINE_PHONE.match(phone)):
        raise InvalidValue(
            "PHONE_INVALID",
            f"{field} must be a mobile number (1[3-9] + 9 digits) or a landline with area code",
            field=field,
        )
    return phone
