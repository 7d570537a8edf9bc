"""Streamed downloads that let go of the database as soon as streaming stops."""

from collections.abc import Generator
from typing import Any

import anyio
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send


class Download(StreamingResponse):
    """A streamed response that closes its generator when streaming ends, however it ends.

    When the client goes away, Starlette leaves the generator suspended for the garbage
    collector, and the request's session ends first. A generator suspended inside a COPY (the
    risk list's CSV) holds the session's connection, so that session's commit or rollback would
    wait for it forever; closed here, the COPY is cancelled and the connection is free again.
    """

    def __init__(self, content: Generator[bytes, None, None], **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._content = content

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Shielded: a cancelled request must still close it before its session ends.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self._content.close)
