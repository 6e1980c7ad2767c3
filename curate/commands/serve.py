"""``curate serve``: the read-only auditor portal; ``curate serve adduser``: its users."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from curate.commands._common import settings
from curate.commands.licences import CATALOGUE_OPTION


def _users_file(path: Path | None, what: str) -> Path:
    from curate.web.snapshot import portal_dir

    env = os.environ.get("CURATE_WEB_USERS")
    if not (path or env):  # the catalogue's own folder: none is made for a mistyped --db or $CURATE_DB
        _refuse_no_catalogue(what, "(or name a users file with --users)")
    return Path(path or env or portal_dir(settings().db_path) / "users.json")


def _refuse_no_catalogue(what: str, other: str = "") -> None:
    """Refuse, writing nothing, a --db that holds no catalogue: ``serve adduser`` saved its user in a
    ``.curate/<typo>/portal`` folder of its own, exit 0, and the portal on the real catalogue had no users; ``serve``
    wrote a session secret there before it said the catalogue did not exist (review 15)."""
    from provenance.dbnew import no_catalogue_reason
    from provenance.errors import CatalogueError

    db = settings().db_path
    why = no_catalogue_reason(db)
    if why:
        raise CatalogueError(
            f"{what}: catalogue `{db}` {why}, so nothing was written; check --db or $CURATE_DB {other}".rstrip()
        )


USERS_OPTION = click.option(
    "--users",
    "users",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Users file (default: $CURATE_WEB_USERS or <db dir>/.curate/<db>/portal/users.json).",
)


@click.group("serve", invoke_without_command=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind (loopback by default; any other only behind a reverse proxy, see README).",
)
@click.option("--port", type=int, default=8765, show_default=True, help="TCP port.")
@USERS_OPTION
@click.option("--https-only", is_flag=True, help="Mark the session cookie Secure (behind a TLS proxy).")
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="ADDRESS",
    help="A reverse proxy's address or network whose X-Forwarded-For header names the client (repeatable; a"
    " network must hold proxies only: a client in it can name any address); by default the header is ignored and"
    " the client is the connection's address.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="A host name (or address) users reach the portal by, e.g. the reverse proxy's public name (repeatable); the"
    " portal answers to the loopback names and --host, and refuses any other Host header (DNS rebinding).",
)
@click.option(
    "--anchor",
    "anchor_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Anchor file (`curate audit anchor --append FILE`) the ledger page checks.",
)
@CATALOGUE_OPTION
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    users: Path | None,
    https_only: bool,
    trusted_proxies: tuple[str, ...],
    allowed_hosts: tuple[str, ...],
    anchor_file: Path | None,
    licence_catalogue_file: Path | None,
) -> int:
    """Start the read-only auditor portal (login required; it reads a snapshot copy of the catalogue).
    --catalogue: what a bank sees and the report's exportable step follow that licence catalogue (a corrected copy
    exports are made with) instead of the shipped one."""
    if ctx.invoked_subcommand is not None:
        return 0
    import uvicorn

    from curate.reporting.catalogue_label import load_labelled
    from curate.web.app import PortalConfig, create_app
    from curate.web.auth import UserStore, load_secret
    from provenance.errors import ConfigError

    proxies = _trusted_proxies(trusted_proxies)
    # a bad file is refused before anything starts; the rules are those of the file now, whatever it becomes later
    cat, cat_label = load_labelled(licence_catalogue_file)
    s = settings()
    _refuse_no_catalogue("serve")  # before the session secret is made beside the users file
    users_file = _users_file(users, "serve")
    if not UserStore(users_file).names():
        raise ConfigError(f"no portal users in `{users_file}`; add one with `curate serve adduser NAME --role auditor`")
    secret = load_secret(users_file.parent / "secret.key")  # beside the users file, as the README says
    app = create_app(
        PortalConfig(
            db_path=s.db_path,
            users_file=users_file,
            secret=secret,
            https_only=https_only,
            anchor_file=anchor_file,
            licence_catalogue=cat,
            licence_label=cat_label,
            # the address it listens on too: `--host 0.0.0.0` prints http://0.0.0.0:PORT/, and an address is no name
            # DNS can re-point
            allowed_hosts=(*_allowed_hosts(allowed_hosts), *_allowed_hosts((host,), option="--host")),
        )
    )
    click.echo(f"auditor portal on http://{host}:{port}/ (catalogue {s.db_path}, snapshot copy; Ctrl-C stops)")
    if not _loopback(host):
        click.echo(
            f"warning: --host {host} serves the portal beyond this machine; put it behind a reverse proxy that"
            " terminates TLS (pass --https-only, and --trusted-proxy with its address) and times out slow clients:"
            " uvicorn waits for a request's headers as long as a client sends them, so many slow connections can use"
            " up the portal's (README, Auditor portal); it answers only to the host names it is given (--host,"
            " --allowed-host NAME for each name users type)",
            err=True,
        )
    if proxies and not https_only:  # a proxy that terminates TLS: a cookie not marked Secure is also sent over http
        click.echo(
            "warning: --trusted-proxy without --https-only: the session cookie is not marked Secure, so a browser"
            " sends it over plain http too, unless the proxy sends `X-Forwarded-Proto: https`; pass --https-only when"
            " the proxy terminates TLS",
            err=True,
        )
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning" if s.quiet else "info",
        server_header=False,
        # X-Forwarded-For is believed from the proxies named only: uvicorn believed it from any local client (its
        # default trusts 127.0.0.1), so one on this machine, or anyone through a proxy that passes the header on,
        # stepped round the per-address login limit and wrote the addresses it liked into the access log
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )
    from curate.web.accesslog import no_typed_values

    logging.getLogger("uvicorn.access").addFilter(no_typed_values)  # after Config has set up uvicorn's logging
    try:
        uvicorn.Server(config).run()
    finally:  # the snapshot copies hold the catalogue as it was: none outlives the portal
        app.state.view.close()
    return 0


def _trusted_proxies(values: tuple[str, ...]) -> list[str]:
    """``--trusted-proxy`` values as uvicorn takes them: each an IP address or network (``127.0.0.1``,
    ``10.0.0.0/8``, ``2001:db8::/32``); anything else is refused: ``*`` or a network of every address
    (``0.0.0.0/0``) would let any client name its own address, a host name is no address, and an address with a
    prefix (``10.0.0.5/24``, as ``ip addr`` shows the proxy's) would trust its whole network, the clients in it too.

    >>> _trusted_proxies(("127.0.0.1", "::1", "10.0.0.0/8", "2001:db8::/32"))
    ['127.0.0.1', '::1', '10.0.0.0/8', '2001:db8::/32']
    """
    import ipaddress

    from provenance.errors import UsageError

    out = []
    for value in values:
        v = value.strip()
        try:
            net = ipaddress.ip_network(v, strict=False)
        except ValueError:
            raise UsageError(
                f"--trusted-proxy `{value}` is not an IP address or network; name the reverse proxy's address as the"
                " portal sees it (e.g. `--trusted-proxy 127.0.0.1` for a proxy on this machine)"
            ) from None
        if net.prefixlen == 0:
            raise UsageError(
                f"--trusted-proxy `{value}` is every address: any client could name its own; name the reverse"
                " proxy's address or a network that holds proxies only"
            )
        try:
            ipaddress.ip_network(v)  # strict: no host bits under a prefix
        except ValueError:
            raise UsageError(
                f"--trusted-proxy `{value}` is an address with a prefix: name the proxy (`{v.split('/')[0]}`) or, if"
                f" the network holds proxies only, the network (`{net}`): any client in a trusted network can name"
                " its own address"
            ) from None
        if net.prefixlen == net.max_prefixlen:
            out.append(v.split("/")[0] if "%" in v else str(net.network_address))
        else:
            out.append(str(net))
    return out


def _allowed_hosts(values: tuple[str, ...], option: str = "--allowed-host") -> tuple[str, ...]:
    """``--allowed-host`` values (or ``--host``'s) as browsers send them in a Host header
    (:func:`curate.web.hosts.allowed_name`); a URL or anything else no browser sends is refused in one line, not
    started with a name that refuses every user (``--host`` of one: every request a traceback, before the last read
    of review 17)."""
    from curate.web.hosts import allowed_name
    from provenance.errors import UsageError

    try:
        return tuple(allowed_name(v) for v in values)
    except ValueError as exc:
        raise UsageError(f"{option} {exc}") from None


def _loopback(host: str) -> bool:
    """Whether ``host`` (``--host``) is reachable from this machine only.

    >>> _loopback("127.0.0.1"), _loopback("::1"), _loopback("localhost"), _loopback("0.0.0.0"), _loopback("10.1.2.3")
    (True, True, True, False, False)
    """
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to any address
        return False


def _terminal_to_ask_on() -> bool:
    """Whether a hidden prompt can ask someone: getpass asks on the controlling terminal (``/dev/tty``) even when
    standard input is redirected (``while read NAME ROLE; do curate serve adduser ...; done < users.txt`` at a
    terminal prompts for each password there), so only a process with no terminal at all (cron, CI, ``ssh host
    cmd``) is told to use --password-stdin."""
    import sys

    if sys.stdin is not None and sys.stdin.isatty():
        return True
    if os.name != "posix":
        return False
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True


@serve.command("adduser")
@click.argument("name")
@click.option("--role", required=True, help="auditor, or bank:<CODE> (sees only what that bank's licences allow).")
@USERS_OPTION
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (else prompt twice, hidden)."
)
def adduser(name: str, role: str, users: Path | None, password_stdin: bool) -> int:
    """Add (or reset) portal user NAME with an argon2-hashed password."""
    import sys

    from curate.web.auth import UserStore

    path = _users_file(users, f"serve adduser `{name}`")  # before a password is asked for
    if password_stdin:
        # a CRLF line and a byte-order mark (a password file saved by Notepad): a browser form sends neither
        password = sys.stdin.readline().rstrip("\r\n").removeprefix("\ufeff")
    elif not _terminal_to_ask_on():  # click read it from the pipe, warned it may be echoed, then "aborted"
        from provenance.errors import UsageError

        raise UsageError(
            f"serve adduser `{name}`: standard input is not a terminal, so the password cannot be asked for hidden;"
            " pass --password-stdin and give the password as one line on standard input"
        )
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    UserStore(path).add(name, role, password)
    click.echo(f"user {name} ({role}) saved in {path}")
    code = role.removeprefix("bank:") if role.startswith("bank:") else ""
    if code != code.upper():  # compared exactly: `bank:esun` is shown nothing licensed to `member:ESUN`
        click.echo(
            f"warning: bank codes are compared exactly: `{role}` sees what licences allow for `member:{code}`, not"
            f" `member:{code.upper()}`; the catalogue and agreements name banks in capitals (bank:{code.upper()})",
            err=True,
        )
    return 0
