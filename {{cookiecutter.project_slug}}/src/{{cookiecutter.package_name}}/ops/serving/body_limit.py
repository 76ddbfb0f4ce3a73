"""A request body over the limit gets a 413 in JSON, whether or not it says its length.

FastAPI's own `max_body_size` (0.165) answers a declared Content-Length over the limit in
plain text, before any handler of ours can name the fix; this answers both cases alike.

Content-Length is checked first; a body sent in chunks (no Content-Length) is counted as it
arrives and refused as soon as it passes the limit, so no client makes the server hold more
than the limit. A body within it is handed on to the app unchanged.
"""

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """ASGI middleware: 413 for an HTTP request body over `limit` bytes."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await self.refuse(send)
            return
        messages: list[Message] = []
        size, more = 0, True
        while more:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":  # the client went away: let the app see it
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                await self.refuse(send)
                return
            more = message.get("more_body", False)

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def refuse(self, send: Send) -> None:
        body: dict[str, Any] = {"detail": f"the body is over {self.limit >> 20} MiB: send fewer rows per request"}
        content = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": content})
