"""Which names the portal answers to (the request's Host header): a page on a domain an attacker re-points at the
portal's address (DNS rebinding) is, to a browser, of the same origin as the portal, so it could read the login
form and its token from a steward's browser and spend the login tries of every user behind one address. The portal
answers to the loopback names and to the names it is given (``curate serve --host`` and ``--allowed-host``); any
other Host header, or none, is answered 400 in one line before a page, a session or a login is touched."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

#: the names of this machine's loopback interface, which no other machine's page can be served under
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

_REFUSED = (
    b"this portal does not answer to the host name the request named (Host header); if users reach it by that name,"
    b" start it with `curate serve --allowed-host NAME` (README, Auditor portal)\n"
)


def host_name(value: str) -> str:
    """The name in a Host header, lower case, without its port, brackets or a final dot.

    An IPv6 literal's zone (``%eth0``, ``%25eth0`` as a URL writes it) is left out: it names an interface of the
    machine that sends, no name DNS can re-point.

    >>> host_name("LOCALHOST.:8765"), host_name("[::1]:80"), host_name("portal.bank.example"), host_name("[fe80::1%25lo]:8")
    ('localhost', '::1', 'portal.bank.example', 'fe80::1')
    """
    value = value.strip().lower()
    if value.startswith("["):  # an IPv6 literal, with or without a port after its bracket
        return value[1:].split("]", 1)[0].split("%", 1)[0]
    if value.count(":") > 1:  # an IPv6 literal without brackets (`--host fe80::1%eth0`)
        return value.split("%", 1)[0]
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def allowed_name(value: str) -> str:
    """A name for ``--allowed-host`` as a browser sends it in a Host header: lower case, without port, brackets or a
    final dot, an internationalised name in its ASCII (punycode) form, which is what browsers send; a URL or
    anything else that is no host name is refused (``ValueError``), since it would never match and refuse every user.

    >>> allowed_name("Portal.Bank.Example:443"), allowed_name("銀行.example"), allowed_name("[::1]")
    ('portal.bank.example', 'xn--jn2ax2s.example', '::1')
    >>> allowed_name("fe80::1%eth0")  # `curate serve --host` of a link-local address: its zone left out
    'fe80::1'
    """
    name = host_name(value)
    if not name or any(c in name for c in "/@?#\\ \t%") or "//" in value:
        raise ValueError(f"`{value}` is not a host name (give the name alone, e.g. `portal.bank.example`)")
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"`{value}` is not a host name a browser can send") from None
    return name


class HostCheck:
    """ASGI middleware: a request whose Host header names none of ``allowed`` (nor a loopback name) is refused."""

    def __init__(self, app, allowed: tuple[str, ...] = ()) -> None:
        self.app = app
        self.allowed = frozenset(allowed_name(h) for h in (*LOOPBACK_NAMES, *allowed) if h)
        self._said: set[str] = set()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raws = [v for k, v in scope.get("headers") or [] if k.lower() == b"host"]
        name = host_name(raws[0].decode("latin-1")) if raws else ""
        if len(raws) == 1 and name in self.allowed:  # two Host headers: which one a part of the stack reads differs
            await self.app(scope, receive, send)
            return
        if name not in self._said and len(self._said) < 100:  # once per name, a bounded number of names
            self._said.add(name)
            log.warning("refused a request naming host %r (not this portal's; --allowed-host adds one)", name[:80])
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": _REFUSED})
