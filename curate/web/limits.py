"""A ceiling on what one request may make the portal hold: its forms are a token, a user name, a password and a
page to return to, yet Starlette reads a form body whole into memory, so anyone who can reach the login page
could make the portal hold gigabytes per request before being told the form is wrong."""

from __future__ import annotations

#: largest request body the portal reads (its largest form, the login, is about 1.2 KiB)
MAX_BODY_BYTES = 64 * 1024

_TOO_LARGE = f"request body too large: the portal's forms take at most {MAX_BODY_BYTES // 1024} KiB\n".encode()


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` (by its Content-Length or as it streams) is answered 413
    and never read further; a body within it is buffered and passed on as one message."""

    def __init__(self, app, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def _refuse(self, send) -> None:
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": _TOO_LARGE})

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if not length.isdigit() or int(length[:12]) > self.max_bytes:
            await self._refuse(send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:  # chunked, or longer than it said
                await self._refuse(send)
                return
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
