"""Identifier validation (DESIGN §7): each failure has its own code and names the field."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elevator_registry.errors import InvalidValue
from elevator_registry.registry.identifiers import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_character,
    validate_credit_code,
    validate_equipment_code,
    validate_phone,
    validate_registration_number,
    validate_rescue_code,
)


def error_code(call, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidValue) as caught:
        call(*args)
    return caught.value.code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91440300708461136T"])
def test_published_credit_codes_are_accepted(code: str) -> None:
    assert validate_credit_code(code.lower()) == code


def test_credit_code_with_wrong_check_character_is_refused_naming_the_expected_one() -> None:
    with pytest.raises(InvalidValue) as caught:
        validate_credit_code("91350100M000100Y44")
    assert caught.value.code == "CREDIT_CODE_INVALID"
    assert "gives 3" in caught.value.message
    assert caught.value.field == "credit_code"


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100YI3", ""])
def test_credit_code_of_wrong_length_or_alphabet_is_refused(code: str) -> None:
    assert error_code(validate_credit_code, code) == "CREDIT_CODE_INVALID"


@given(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
def test_every_computed_check_character_validates_and_every_other_fails(body: str) -> None:
    check = credit_code_check_character(body)
    assert validate_credit_code(body + check) == body + check
    wrong = CREDIT_CODE_ALPHABET[(CREDIT_CODE_ALPHABET.index(check) + 1) % 31]
    assert error_code(validate_credit_code, body + wrong) == "CREDIT_CODE_INVALID"


@pytest.mark.parametrize(
    ("code", "type_code"),
    [
        ("311050012201800001", "3110"),  # 2016 scheme, 18 characters
        ("31105001220180000A", "3110"),  # sequence numbers above 99999 use letters
        ("31106401052014080025", "3110"),  # legacy 20-digit registration code
        ("33105001220190000B", "3310"),
        ("31005001220180001X", "3120"),  # group code 3100 covers 3120
    ],
)
def test_equipment_codes_of_both_schemes_are_accepted(code: str, type_code: str) -> None:
    assert validate_equipment_code(code, type_code) == code


@pytest.mark.parametrize(
    ("code", "type_code", "expected"),
    [
        ("31105001220180001", "3110", "EQUIPMENT_CODE_INVALID"),  # 17 characters
        ("411050012201800001", "3110", "EQUIPMENT_CODE_INVALID"),  # not a 3xxx code
        ("3110640105201408002X", "3110", "EQUIPMENT_CODE_INVALID"),  # legacy must be digits
        ("391050012201800001", "3110", "EQUIPMENT_CODE_INVALID"),  # 3910 is no catalogue code
        ("331050012201800001", "3110", "EQUIPMENT_CODE_TYPE_MISMATCH"),
    ],
)
def test_bad_equipment_codes_are_refused(code: str, type_code: str, expected: str) -> None:
    assert error_code(validate_equipment_code, code, type_code) == expected


def test_registration_number_with_full_width_brackets_is_normalised() -> None:
    assert validate_registration_number("梯11渝A00001（17）", "3110") == "梯11渝A00001(17)"


def test_registration_feature_code_must_match_the_type() -> None:
    assert (
        error_code(validate_registration_number, "梯31渝A00001(17)", "3110")
        == "REGISTRATION_TYPE_MISMATCH"
    )


@pytest.mark.parametrize("number", ["梯11渝a00001(17)", "梯11渝A0001(17)", "11渝A00001(17)"])
def test_malformed_registration_numbers_are_refused(number: str) -> None:
    assert error_code(validate_registration_number, number, "3110") == "REGISTRATION_NUMBER_INVALID"


def test_rescue_code_follows_the_configured_pattern() -> None:
    assert validate_rescue_code("123456", r"^\d{6}$") == "123456"
    assert error_code(validate_rescue_code, "12345", r"^\d{6}$") == "RESCUE_CODE_INVALID"
    assert validate_rescue_code("12345", r"^\d{5}$") == "12345"


@pytest.mark.parametrize("phone", ["13912345678", "023-48661234", "02348661234", "400-820-1234"])
def test_mobile_landline_and_service_numbers_are_accepted(phone: str) -> None:
    assert validate_phone(phone, field="duty_phone") == phone


@pytest.mark.parametrize("phone", ["12912345678", "1391234567", "48661234"])
def test_bad_phone_numbers_are_refused(phone: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        validate_phone(phone, field="duty_phone")
    assert (caught.value.code, caught.value.field) == ("PHONE_INVALID", "duty_phone")
