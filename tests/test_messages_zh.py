"""Every refusal has a Chinese message: the source is scanned for every code that can be raised.

A raise site names its code as a literal (`InvalidValue("DATE_IN_FUTURE", …)`), as a rule's code
(`RuleViolation(NO_USER_UNIT.code, …)`), as an entity (`NotFound("elevator", …)`), or through a
variable the test cannot follow; the last kind must be listed in `DYNAMIC_SITES` with the codes
it can take, so a new site of that kind fails here until someone gives it a Chinese message.
"""

import ast
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import elevator_registry
from elevator_registry import errors
from elevator_registry.app import create_app
from elevator_registry.errors import DomainError, InvalidValue, NotFound, RuleViolation
from elevator_registry.incidents.intake import RescueCodeUnknown
from elevator_registry.messages_zh import (
    ENTITY_LABELS,
    FIELD_LABELS,
    MESSAGES_ZH,
    chinese_message,
    field_label,
)
from elevator_registry.rules import catalogue

PACKAGE = Path(elevator_registry.__file__).parent
CODE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
# Sites whose code is a variable: (file, first argument) -> the codes it can take.
DYNAMIC_SITES = {
    ("registry/elevators.py", "code"): {
        "EQUIPMENT_CODE_TAKEN",
        "REGISTRATION_NUMBER_TAKEN",
        "RESCUE_CODE_TAKEN",
    },
    ("web/routing.py", "codes.get(error.status_code, 'HTTP_ERROR')"): {
        "ROUTE_NOT_FOUND",
        "METHOD_NOT_ALLOWED",
        "HTTP_ERROR",
    },
    ("app.py", "codes.get(error.status_code, 'HTTP_ERROR')"): {
        "ROUTE_NOT_FOUND",
        "METHOD_NOT_ALLOWED",
        "HTTP_ERROR",
    },
}


def _error_classes() -> set[str]:
    found: set[str] = set()
    pending: list[type] = [DomainError]
    while pending:
        cls = pending.pop()
        found.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return found


def _raised_codes() -> tuple[set[str], set[str], list[tuple[str, str]]]:
    """(literal and rule codes, NotFound entities, sites the scan could not resolve)."""
    # Import every module so every DomainError subclass is known.
    create_app()
    from elevator_registry.imports import readers  # noqa: F401  (FileTypeUnsupported)

    classes = _error_classes() | {"_envelope"}
    rules = {
        name: value.code
        for name, value in vars(catalogue).items()
        if isinstance(value, catalogue.Rule)
    }
    codes: set[str] = set()
    entities: set[str] = set()
    unresolved: list[tuple[str, str]] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            function = node.func
            name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
            if name not in classes:
                continue
            arguments = node.args[1:] if name == "_envelope" else node.args
            if name == "DomainError" and isinstance(function, ast.Attribute):
                arguments = node.args[1:]  # DomainError.__init__(self, code, …)
            first = arguments[0] if arguments else None
            if name in ("RateLimited", "RescueCodeUnknown", "TrackingTokenUnknown"):
                continue  # fixed codes, checked by name below
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                if name == "NotFound" or (
                    isinstance(function, ast.Name) and function.id == "NotFound"
                ):
                    entities.add(first.value)
                elif CODE.match(first.value):
                    codes.add(first.value)
                continue
            if (
                isinstance(first, ast.Attribute)
                and first.attr == "code"
                and isinstance(first.value, ast.Name)
                and first.value.id in rules
            ):
                codes.add(rules[first.value.id])
                continue
            key = (relative, ast.unparse(first) if first is not None else "")
            if key in DYNAMIC_SITES:
                codes |= DYNAMIC_SITES[key]
            else:
                unresolved.append(key)
    codes |= {"RATE_LIMITED", "RESCUE_CODE_UNKNOWN", "TRACKING_TOKEN_UNKNOWN"}
    return codes, entities, unresolved


def test_every_code_that_can_be_raised_has_a_chinese_message() -> None:
    codes, entities, unresolved = _raised_codes()
    assert unresolved == [], "list these sites in DYNAMIC_SITES with the codes they raise"
    assert len(codes) > 90  # the scan finds the raise sites (guards against a blind scan)
    assert sorted(code for code in codes if code not in MESSAGES_ZH) == []
    assert sorted(entity for entity in entities if entity not in ENTITY_LABELS) == []


def test_the_catalogue_holds_no_code_nothing_raises() -> None:
    codes, _entities, _unresolved = _raised_codes()
    assert sorted(set(MESSAGES_ZH) - codes) == []


@pytest.mark.parametrize("code", sorted(MESSAGES_ZH))
def test_every_template_formats_and_is_chinese(code: str) -> None:
    message = chinese_message(code, "elevator_id")
    assert message is not None and "{" not in message
    assert re.search(r"[\u4e00-\u9fff]", message)


def test_a_refusal_carries_both_messages_and_names_the_field_in_chinese() -> None:
    body = InvalidValue("DATE_IN_FUTURE", "listed_on is in the future", field="listed_on").as_dict()
    assert body == {
        "code": "DATE_IN_FUTURE",
        "message": "listed_on is in the future",
        "message_zh": "列入日期不能晚于今天",
        "field": "listed_on",
    }
    assert NotFound("elevator", 7).message_zh == "电梯“7”不存在或您无权查看"
    assert RuleViolation("NO_USER_UNIT", "x").as_dict()["message_zh"].startswith("电梯没有使用单位")
    assert "123456" in RescueCodeUnknown("123456").message_zh
    given = errors.Conflict("INVALID_TRANSITION", "x", message_zh="已办结的事件不能再派单")
    assert given.message_zh == "已办结的事件不能再派单"


def test_nested_fields_read_as_chinese() -> None:
    assert field_label("workers.0.certificate_number") == "作业人员第1项作业人员证号"
    assert all(re.search(r"[\u4e00-\u9fff]|^TSG|\d", text) for text in FIELD_LABELS.values())


def test_every_input_field_and_parameter_of_the_api_has_a_chinese_name() -> None:
    spec = create_app().openapi()
    inputs = re.compile(r"(Create|Update|Action|Lift|Revise|Resolve|End|Alarm|^Worker)$")
    names = {
        prop
        for name, schema in spec["components"]["schemas"].items()
        if inputs.search(name)
        for prop in schema.get("properties", {})
    }
    names |= {
        parameter["name"]
        for operations in spec["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
    }
    assert sorted(names - set(FIELD_LABELS)) == []


def test_the_api_answers_a_validation_error_in_both_languages(client: TestClient) -> None:
    body = {"rescue_code": "100001", "kind": "trapped", "caller_phone": "139"}
    response = client.post("/api/v1/incidents", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": "caller_phone: String should have at least 5 characters",
        "message_zh": "报告人电话至少 5 个字符",
        "field": "caller_phone",
    }


def test_an_unknown_field_is_named_in_chinese(client: TestClient, bureau: dict[str, str]) -> None:
    response = client.patch(
        "/api/v1/organisations/1", json={"name": "x", "colour": "red"}, headers=bureau
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "UNKNOWN_FIELD",
        "message": "colour is not a field of this request",
        "message_zh": "“colour”不是本请求的字段",
        "field": "colour",
    }


def test_the_openapi_error_schema_declares_message_zh() -> None:
    body = create_app().openapi()["components"]["schemas"]["ErrorBody"]
    assert "message_zh" in body["required"]
