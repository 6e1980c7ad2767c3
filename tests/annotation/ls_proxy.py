"""A small forwarding proxy in front of the test Label Studio that answers chosen paths itself (an HTML login
page or malformed JSON served with HTTP 200, as a single sign-on or a proxy in front of Label Studio does)."""

from __future__ import annotations

import http.server
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Proxy:
    """``url`` forwards to ``upstream``; a path starting with a key of ``answers`` gets (status, body, type)."""

    upstream: str
    url: str = ""
    answers: dict[str, tuple[int, bytes, str]] = field(default_factory=dict)

    def answer(self, path: str) -> tuple[int, bytes, str] | None:
        return next((a for prefix, a in self.answers.items() if path.startswith(prefix)), None)


def _handler(proxy: Proxy) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def _forward(self) -> None:
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else None
            got = proxy.answer(self.path)
            if got is None:
                skip = ("host", "content-length", "connection", "accept-encoding")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
                req = urllib.request.Request(
                    proxy.upstream + self.path, data=body, method=self.command, headers=headers
                )
                try:
                    with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310 (the test's own server)
                        got = (r.status, r.read(), r.headers.get("Content-Type", "application/json"))
                except urllib.error.HTTPError as e:
                    got = (e.code, e.read(), e.headers.get("Content-Type", "application/json"))
            status, data, ctype = got
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

    return Handler


@contextmanager
def proxy_to(upstream: str) -> Iterator[Proxy]:
    """A running :class:`Proxy` to ``upstream`` on a free port of 127.0.0.1."""
    proxy = Proxy(upstream.rstrip("/"))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    proxy.url = f"http://127.0.0.1:{srv.server_address[1]}"
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join()
