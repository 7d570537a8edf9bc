"""Filing a page's form through the API's service: the fields parsed by the API's own schema,
the service run in a savepoint (a refusal leaves nothing behind, although the page is answered
normally and the request's transaction commits), and every refusal given back in Chinese under
the field it names."""

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from elevator_registry.errors import DomainError
from elevator_registry.messages_zh import validation_message_zh
from elevator_registry.web.templating import message_zh

# Refusals by form field (or `form` for the form as a whole), and the status to answer with.
Refusals = tuple[dict[str, str], int]


def validation_errors(error: ValidationError) -> dict[str, str]:
    """Each invalid field with what is wrong with it, in Chinese, naming the field."""
    messages: dict[str, str] = {}
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or None
        key = str(item["loc"][0]) if item["loc"] else "form"
        messages.setdefault(key, validation_message_zh(dict(item), field))
    return messages


def file_form(
    session: Session,
    model: type[BaseModel],
    form: Mapping[str, str],
    file: Callable[[Any], object],
    *,
    given: Mapping[str, object] | None = None,
    fallback_field: str = "form",
) -> Refusals | None:
    """Parses `form` (with the values the page fixes itself, `given`) as `model` and files it
    with `file` in a savepoint: None once filed, else the refusals. A field left blank is not
    given, as the API's schemas mean it; a refusal naming no field is shown at
    `fallback_field`."""
    values = {key: value.strip() for key, value in form.items() if value.strip()}
    try:
        data = model.model_validate(values | dict(given or {}))
        with session.begin_nested():
            file(data)
    except ValidationError as error:
        return validation_errors(error), 422
    except DomainError as error:
        return {error.field or fallback_field: message_zh(error)}, error.status_code
    return None
