"""HTTP route of the bulk import: `POST /imports/{kind}`, a multipart upload of a CSV or XLSX."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import Message, Receive

from elevator_registry.config import get_settings
from elevator_registry.dependencies import AuthenticatedDep, ClockDep, SessionDep, SettingsDep
from elevator_registry.imports import service as import_service
from elevator_registry.imports.columns import ImportKind
from elevator_registry.imports.schemas import ImportRefused, ImportReport
from elevator_registry.schemas import ERROR_RESPONSES, ErrorResponse


class _BodyTooLarge(Exception):
    """Raised by the counting receive channel once the body passes the limit."""


class _CountingReceive:
    """Passes the request body through, stopping it once it exceeds `limit` bytes."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self.receive = receive
        self.limit = limit
        self.seen = 0
        self.exceeded = False

    async def __call__(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                self.exceeded = True
                raise _BodyTooLarge
        return message


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        status_code=413,
        content={
            "error": {
                "code": "IMPORT_TOO_LARGE",
                "message": f"the upload is larger than {limit} bytes (setting "
                "import_max_upload_bytes); split the file, or import it on the command line",
                "message_zh": f"上传的文件超过 {limit} 字节的上限；请拆分文件，或在命令行导入",
                "field": "file",
            }
        },
    )


class UploadLimitedRoute(APIRoute):
    """Refuses a body over `import_max_upload_bytes` with 413 before it is spooled to disk."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            limit = get_settings().import_max_upload_bytes
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return _too_large(limit)
            receive = _CountingReceive(request.receive, limit)
            try:
                return await handler(Request(request.scope, receive))
            except Exception:
                if receive.exceeded:
                    return _too_large(limit)
                raise

        return limited


router = APIRouter(responses=ERROR_RESPONSES, tags=["imports"], route_class=UploadLimitedRoute)

IMPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorResponse,
        "description": "HTTP_ERROR: the multipart body itself cannot be parsed",
    },
    413: {"model": ErrorResponse, "description": "IMPORT_TOO_LARGE: the upload is over the limit"},
    415: {
        "model": ErrorResponse,
        "description": "IMPORT_FILE_TYPE_UNSUPPORTED: neither CSV nor XLSX (e.g. a legacy .xls)",
    },
    422: {
        "model": ImportRefused,
        "description": "IMPORT_ROWS_INVALID (rows failed, nothing written; `report` lists "
        "them), IMPORT_COLUMNS_INVALID, IMPORT_ENCODING_INVALID, IMPORT_EMPTY, "
        "IMPORT_FILE_INVALID, or a parameter not valid",
    },
}


@router.post("/imports/{kind}", response_model=ImportReport, responses=IMPORT_RESPONSES)
def import_upload(
    kind: ImportKind,
    file: Annotated[UploadFile, File(description="The ledger: CSV (UTF-8 or GBK) or XLSX.")],
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
    partial: Annotated[
        bool,
        Query(description="Keep the valid rows when others fail (default: all or nothing)."),
    ] = False,
) -> Any:
    """Imports a file of organisations, elevators, maintenance records or inspections.

    Every row is checked with the same rules as the single-record routes. The bureau imports
    any kind; a maintenance unit imports maintenance records for the elevators it holds a
    contract for on each record's day; an inspection agency imports its inspections. Rows
    already present (same natural key) are skipped. 200: the report (`committed` true). 422
    IMPORT_ROWS_INVALID: some rows failed and, the import being all-or-nothing, nothing was
    written; the body carries the report with every failure.
    """
    report = import_service.import_file(
        session,
        kind=kind,
        stream=file.file,
        filename=file.filename,
        actor=actor,
        settings=settings,
        now=clock.now(),
        today=clock.today(),
        partial=partial,
    )
    if report.committed:
        return report
    error = {
        "code": "IMPORT_ROWS_INVALID",
        "message": f"{report.rows_failed} of {report.rows_read} rows failed; nothing was "
        "written (fix them, or import with partial=true to keep the valid rows)",
        "message_zh": f"{report.rows_read} 行中有 {report.rows_failed} 行未通过检查，未写入任何"
        "数据（请修改这些行，或以 partial=true 导入以保留有效的行）",
        "field": "file",
    }
    return JSONResponse(
        status_code=422, content={"error": error, "report": report.model_dump(mode="json")}
    )
