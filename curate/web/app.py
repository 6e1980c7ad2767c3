"""The portal's Starlette application: login, search, record, exports, withdrawals, ledger,
licences and the curation report; all read-only (see :mod:`curate.web.snapshot`).

Security: every page needs a login (signed HttpOnly SameSite=Strict session cookie); forms carry
a CSRF token; failed logins are rate-limited per user name and client address; responses carry a
Content-Security-Policy that allows only this origin (no CDN, no external request); every query
is parameterised on a read-only snapshot connection with external access off.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from curate.catalogue_check import CatalogueCheck, check_catalogue
from curate.reporting.catalogue_label import catalogue_label
from curate.web import data
from curate.web.auth import LoginLimiter, SessionRegistry, User, UsersFileError, UserStore, csrf_ok, csrf_token
from curate.web.hosts import HostCheck
from curate.web.limits import BodyLimit
from curate.web.snapshot import CatalogueView
from provenance.audit import export_not_found
from provenance.errors import WorkbenchError
from provenance.licences import PURPOSES, LicenceCatalogue, default_licence_catalogue


def _templates() -> Jinja2Templates:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")), autoescape=True)
    return Jinja2Templates(env=env)


TEMPLATES = _templates()
#: no inline script runs on the portal's pages (the export chart is a file of its own): markup that slipped past
#: escaping into a page (a title, a licence name) could not run script there; styles may be inline (plotly sets them)
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def report_csp(html: str) -> str:
    """The report's policy: one self-contained file (``curate report`` writes it to disk too) whose plotly.js and
    figures are inline scripts, named by their SHA-256 (:func:`curate.reporting.html.script_hashes`): no other inline
    script runs there either."""
    from curate.reporting.html import script_hashes

    return CSP.replace("script-src 'self'", f"script-src 'self' {script_hashes(html)}")


_STATIC = Path(__file__).parent / "static"


log = logging.getLogger(__name__)

#: a session's longest life (the cookie's max_age and the session id's)
SESSION_SECONDS = 8 * 3600
#: a session unused this long ends (the next page is the login; a page's request counts as use)
SESSION_IDLE_SECONDS = 30 * 60


@dataclass
class PortalConfig:
    db_path: Path
    users_file: Path
    secret: str
    https_only: bool = False
    snapshot_dir: Path | None = None
    refresh_interval: float = 2.0
    licence_catalogue: LicenceCatalogue | None = None
    anchor_file: Path | None = None
    #: how the pages and the report name ``licence_catalogue`` (taken when it was loaded; default: from its file now)
    licence_label: str | None = None
    #: the host names (Host header) the portal answers to besides the loopback ones (:mod:`curate.web.hosts`)
    allowed_hosts: tuple[str, ...] = ()


def _user(request: Request) -> User | None:
    """The session's user while its session id is live here and its password has not been reset since."""
    name = request.session.get("user")
    if not name or not request.app.state.sessions.alive(request.session.get("sid")):
        return None
    user = request.app.state.users.get(name)
    if user is None or user.role != request.session.get("role") or user.stamp != request.session.get("stamp"):
        return None
    return user


def _shown_user(request: Request) -> User | None:
    """:func:`_user` for the page's header: None while the users file cannot be read (the error page says so)."""
    try:
        return _user(request)
    except UsersFileError:
        return None


def _unreadable_users(request: Request, exc: Exception) -> Response:
    """The users file was broken by hand while the portal runs: every page (the login too) says the portal cannot
    check logins, and the log says why in one line (once per distinct problem), not a 500 and a traceback; nobody is
    let in until it is fixed."""
    said = str(exc)
    if request.app.state.users_problem != said:
        request.app.state.users_problem = said
        log.error("%s", said)
    message = "入口網站暫時無法驗證登入 the portal cannot check logins now: its users file is unreadable (see its log)"
    return page("error.html.j2", request, 503, message=message)


def _purpose(request: Request) -> str:
    p = request.query_params.get("purpose") or request.session.get("purpose") or "training"
    p = p if p in PURPOSES else "training"
    request.session["purpose"] = p
    return p


def page(name: str, request: Request, status: int = 200, **ctx: Any) -> Response:
    view: CatalogueView = request.app.state.view
    at = view.refreshed_at
    ctx.update(
        request=request,
        user=_shown_user(request),
        csrf=csrf_token(request.session),
        purposes=PURPOSES,
        purpose=request.session.get("purpose", "training"),
        generation=view.generation,
        # when it was taken, and why the catalogue's later changes are not in it (a writer holds it, no room to copy)
        snapshot_at=time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at)) if at else "",
        snapshot_stale=view.last_skip,
    )
    return TEMPLATES.TemplateResponse(request, name, ctx, status_code=status)


def guarded(*, auditor_only: bool = False):
    """Require a logged-in user (else redirect to /login); optionally the auditor role."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(request: Request) -> Response:
            user = _user(request)
            if user is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            if auditor_only and user.role != "auditor":
                return page("error.html.j2", request, 403, message="這一頁只開放給稽核人員 auditors only")
            try:
                return fn(request, user)
            except WorkbenchError as exc:
                return page("error.html.j2", request, 404, message=str(exc))

        return inner

    return wrap


def login_form(request: Request) -> Response:
    nxt = request.query_params.get("next", "/")
    return page("login.html.j2", request, next=nxt if nxt.startswith("/") and not nxt.startswith("//") else "/")


async def login_submit(request: Request) -> Response:
    form = await request.form()
    nxt = str(form.get("next") or "/")
    nxt = nxt if nxt.startswith("/") and not nxt.startswith("//") else "/"
    if not csrf_ok(request.session, form.get("csrf")):
        return page("login.html.j2", request, 400, next=nxt, error="表單已過期，請重新送出 form expired; try again")
    name = str(form.get("username") or "")[:64]
    password = str(form.get("password") or "")[:1024]
    client = request.client.host if request.client else "-"
    limiter: LoginLimiter = request.app.state.limiter
    if not limiter.attempt(name, client):  # counted before the check: tries sent together wait their turn
        return page(
            "login.html.j2", request, 429, next=nxt, error="嘗試次數過多，請稍後再試 too many failed logins; wait"
        )
    from starlette.concurrency import run_in_threadpool

    user = await run_in_threadpool(request.app.state.users.authenticate, name, password)
    if user is None:
        return page("login.html.j2", request, 401, next=nxt, error="帳號或密碼錯誤 wrong user name or password")
    limiter.succeeded(name, client)
    # the session this browser held (another user's, or its own from before) ends here, not in 8 hours: a copy of
    # its cookie stops working, as at "Log out"
    request.app.state.sessions.end(request.session.get("sid"))
    request.session.clear()
    sid = request.app.state.sessions.open()
    request.session.update({"user": user.name, "role": user.role, "stamp": user.stamp, "sid": sid})
    csrf_token(request.session)
    return RedirectResponse(nxt, status_code=303)


async def logout(request: Request) -> Response:
    form = await request.form()
    if csrf_ok(request.session, form.get("csrf")):
        request.app.state.sessions.end(request.session.get("sid"))  # a copy of the cookie ends with it
        request.session.clear()
        return RedirectResponse("/login", status_code=303)
    if _shown_user(request) is None:
        return RedirectResponse("/login", status_code=303)
    # a form from before another login in this browser: the login page it led to looked like a logout, while the
    # session went on; it says so, and its header's "Log out" carries this session's token
    message = "尚未登出，請再按一次「登出」 NOT logged out: the form was out of date; press Log out again"
    return page("error.html.j2", request, 400, message=message)


def _sees_export(user: User, audience: str) -> bool:
    """Whether ``user`` may see an export made for ``audience`` (a bank: public, consortium and its own)."""
    return user.bank is None or audience in ("public", "consortium", f"member:{user.bank}")


def _sees_event(user: User, event: dict[str, Any]) -> bool:
    """Whether ``user`` may see a ledger event on a record page: a bank sees no other bank's annotation work (its
    pushes and pulls name its Label Studio instance, projects and task ids). An event's bank is the one its detail
    or, for an annotation event, its run names (:func:`curate.web.data.event_banks`); an annotation event that names
    none (a 漏標's ``missed_pii_sealed``, written with no bank) is not shown to a bank."""
    if user.bank is None:
        return True
    bank = event.get("bank")
    if event.get("stage") == "annotation":
        return bank == user.bank
    return bank in (None, user.bank)


def _visible(con, user: User, rows: list[dict[str, Any]], purpose: str, cat: LicenceCatalogue) -> list[dict]:
    if user.bank is None:
        return rows
    allowed = data.bank_allowed(con, user.bank, data.record_ids_of(rows), purpose, cat)
    return [r for r in rows if allowed.get(r["record_id"]) == ""]


def _bank_cluster(con, bank: str, cluster: dict[str, Any], purpose: str, cat: LicenceCatalogue) -> dict[str, Any]:
    """``cluster`` as a bank may read it: the survivor and the members it may see (the rule the record page applies),
    and how many others there are; their ids, rule and Jaccard would name records of another bank's licence."""
    ids = [cluster["survivor"], *(m["record_id"] for m in cluster["members"])]
    allowed = data.bank_allowed(con, bank, ids, purpose, cat)
    members = [m for m in cluster["members"] if allowed.get(m["record_id"]) == ""]
    survivor = cluster["survivor"] if allowed.get(cluster["survivor"]) == "" else None
    hidden = len(cluster["members"]) - len(members) + (survivor is None)
    return {**cluster, "survivor": survivor, "members": members, "hidden": hidden}


#: the event details that name another record: a near duplicate's representative, a duplicate's survivor and the
#: member of a chain it matched (``matched``: dedup's ``duplicate_of``/``near_duplicate_of``, a chain release)
_LINK_KEYS = ("representative", "survivor", "matched")


def _hide_linked_records(con, bank: str, events: list[dict[str, Any]], purpose: str, cat: LicenceCatalogue) -> None:
    """Blank, in ``events``' details, the ids of linked records ``bank`` may not see (a near duplicate's event names
    its representative, a chained duplicate the member it matched: possibly another bank's licensed record), as the
    cluster does."""
    linked = {
        e["detail"][k] for e in events if isinstance(e.get("detail"), dict) for k in _LINK_KEYS if k in e["detail"]
    }
    ids = [i for i in linked if isinstance(i, str)]
    allowed = data.bank_allowed(con, bank, ids, purpose, cat) if ids else {}
    for e in events:
        detail = e.get("detail")
        if not isinstance(detail, dict) or not any(k in detail for k in _LINK_KEYS):
            continue
        for k in _LINK_KEYS:
            if k in detail and allowed.get(detail[k]) != "":
                detail[k] = f"(not shown: not licensed for member:{bank})"
        e["detail_json"] = json.dumps(detail, ensure_ascii=False, indent=2, sort_keys=True)


def _other_banks_terms(obj: Any, mine: set[str]) -> bool:
    """Replace, anywhere in ``obj`` (an event's detail), licence terms whose audience names none of ``mine`` (an
    agreement with another bank: its id, licensor, terms and expiry), and an agreement's terms that name no audience
    (a manifest row whose audience was left out, kept with a warning: whose agreement it is, the terms do not say;
    its licensor and id do); whether any were."""
    found = False
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for k, v in list(items):
        if k == "licence_terms" and isinstance(v, dict) and (v.get("audience") or v.get("agreement_id")):
            aud = v.get("audience") or ()
            if isinstance(aud, str):  # one audience, as the licence rules read it (Terms.from_mapping): never split,
                aud = {aud}  # so `member:ESUN;consortium` (which every export refuses) names no audience of a bank's
            else:  # a list; any other value (a number a hand-made metadata holds) names no audience of the bank's
                aud = set(map(str, aud)) if isinstance(aud, list | tuple) else set()
            if not aud & mine:
                obj[k], found = "(not shown: an agreement with another bank, or naming no audience)", True
                continue
        found = _other_banks_terms(v, mine) or found
    return found


def _hide_other_agreements(bank: str, events: list[dict[str, Any]]) -> None:
    """Blank, in ``events``' details, the licence terms of an agreement with another bank: a terms correction
    (``licence_terms_changed``) names the old and new terms, and a record licensed to one bank once may be another's
    to read now (the licences page shows a bank no other bank's agreement either)."""
    mine = {"public", "consortium", f"member:{bank}"}
    for e in events:
        if isinstance(e.get("detail"), dict) and _other_banks_terms(e["detail"], mine):
            e["detail_json"] = json.dumps(e["detail"], ensure_ascii=False, indent=2, sort_keys=True)


@guarded()
def home(request: Request, user: User) -> Response:
    purpose = _purpose(request)
    q = request.query_params.get("q", "")[:200]
    rows: list[dict[str, Any]] = []
    cut = False
    if q:
        with request.app.state.view.reading() as con:
            keep = (
                None if user.bank is None else lambda found: _visible(con, user, found, purpose, request.app.state.cat)
            )
            rows, cut = data.search_filtered(con, q, keep)  # a bank's filter before the limit, not after it
    return page("home.html.j2", request, q=q, rows=rows, cut=cut, scan=f"{data.SEARCH_SCAN:,}", limit=data.SEARCH_LIMIT)


@guarded()
def record(request: Request, user: User) -> Response:
    purpose = _purpose(request)
    ref = request.path_params["record_id"][:64]
    # a bank reads a record it may not see as one that is not there: a 403 naming the refusing rule told it which ids
    # (or 8-hex prefixes) are another bank's records, as a 403 on `/exports/N` told it which exports are
    missing = "找不到紀錄 record not found" + (
        "" if user.bank is None else f", or not licensed for member:{user.bank} ({purpose})"
    )
    with request.app.state.view.reading() as con:
        rid, candidates = data.resolve_record(con, ref)
        if user.bank is not None:  # one verdict query for a record there or not ("-", no id: the 404 takes as long)
            ids = [rid] if rid else candidates or ["-"]  # catalogue ids only: what was typed is never in its SQL
            allowed = data.bank_allowed(con, user.bank, ids, purpose, request.app.state.cat)
        if rid is None:
            cands = [c for c in candidates if user.bank is None or allowed.get(c) == ""]
            # a bank's 8-hex prefix that only a record it may not see shares opens its record, as a unique one does:
            # "ambiguous" with one candidate told it another bank's record starts so
            if user.bank is not None and len(cands) == 1 and len(ref.strip()) >= 8 and len(candidates) <= 20:
                rid = cands[0]
            else:
                msg = missing if not cands else "前綴不唯一 ambiguous prefix; candidates:"
                return page("error.html.j2", request, 404, message=msg, candidates=cands)
        if user.bank is not None and allowed.get(rid) != "":
            return page("error.html.j2", request, 404, message=missing)
        rep = data.record_page(con, rid, request.app.state.cat)
        if user.bank is not None:
            if rep["cluster"]:
                rep["cluster"] = _bank_cluster(con, user.bank, rep["cluster"], purpose, request.app.state.cat)
            _hide_linked_records(con, user.bank, rep["events"], purpose, request.app.state.cat)
            _hide_other_agreements(user.bank, rep["events"])
    rep["exports"] = [e for e in rep["exports"] if _sees_export(user, e["audience"])]
    rep["events"] = [e for e in rep["events"] if _sees_event(user, e)]
    if user.bank is not None and rep.get("source"):
        rep["source"] = _bank_source(rep["source"])
    return page("record.html.j2", request, r=rep)


def _bank_source(source: dict[str, Any]) -> dict[str, Any]:
    """``source`` as a bank reads it: a web address it came from, never a folder or manifest on the server (a
    documents source's origin is its manifests' paths: the server's layout and a steward's naming), as the export
    page shows a bank no folder."""
    origin = source.get("origin") or ""
    if not origin or all(o.startswith(("https://", "http://")) for o in origin.split(";")):
        return source
    return {**source, "origin": None, "origin_hidden": True}


@guarded()
def exports(request: Request, user: User) -> Response:
    with request.app.state.view.reading() as con:
        rows = data.exports_list(con, request.app.state.cat)
    rows = [r for r in rows if _sees_export(user, r["audience"])]
    return page("exports.html.j2", request, rows=rows)


def _export(request: Request, user: User, *, verify: bool) -> Response:
    ref = request.path_params["export_id"][:64]
    with request.app.state.view.reading() as con:
        audience = data.export_audience(con, ref)
        if audience is None or not _sees_export(user, audience):
            # as an export that is not there, before anything of it is read: its audience, a 403 or the time its
            # page takes told a bank counting up `/exports/N` which banks have member exports and how many
            raise export_not_found(ref)
        rep = data.export_page(con, ref, request.app.state.cat)
        check = data.verify_export_folder(con, rep["export_id"]) if verify else None
    if user.bank is not None:  # the recall's rule code, not the engine's reason: it names another bank's grant
        rep["licence_refused"] = [{**r, "reason": ""} for r in rep["licence_refused"]]
        # the folders are the server's layout (and a steward's naming): a bank is told how many, an auditor where
        rep["folders_hidden"], rep["out_dirs"] = len(rep["out_dirs"]), []
    return page("export.html.j2", request, e=rep, check=check, licence_label=request.app.state.cat_label)


@guarded()
def export_detail(request: Request, user: User) -> Response:
    return _export(request, user, verify=False)


async def export_verify(request: Request) -> Response:
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        return page("error.html.j2", request, 400, message="CSRF token missing or wrong; reload the page")
    from starlette.concurrency import run_in_threadpool

    @guarded(auditor_only=True)
    def run(req: Request, user: User) -> Response:
        return _export(req, user, verify=True)

    return await run_in_threadpool(run, request)


@guarded(auditor_only=True)
def withdrawals(request: Request, user: User) -> Response:
    number = request.query_params.get("page", "1")
    # ASCII digits only: str.isdigit() also takes "²" and "①", which int() refuses (a 500 with a traceback); a number
    # of ten digits or more is past the last page, as 999 is (not page 1), and never given to int() whole; leading
    # zeros do not count (a padded "0000000001" is page 1, not past the end)
    digits = number.isascii() and number.isdigit()
    number = number.lstrip("0") or "0"
    number = (int(number) if len(number) < 10 else 10**9) if digits else 1
    with request.app.state.view.reading() as con:
        info = data.withdrawals_page(con, number)
    return page("withdrawals.html.j2", request, w=info, rows=info["rows"])


def _checked(state) -> CatalogueCheck:
    """``curate audit verify``'s checks of the current snapshot, run once per generation (seconds on a large
    catalogue; the ledger page and the report show them)."""
    view: CatalogueView = state.view
    view.refresh()
    # one check at a time: requests arriving together wait for the first one's result instead of each running
    # the checks (four at once on 200k records: ~21 s each and 1.1 GB, against 6.9 s and 0.55 GB for one)
    with state.check_lock:
        cached = state.check_cache
        if cached is None or cached[0] != view.generation:
            with view.reading() as con:
                cached = state.check_cache = (view.generation, check_catalogue(con))
    return cached[1]


@guarded(auditor_only=True)
def ledger_view(request: Request, user: User) -> Response:
    check = _checked(request.app.state)
    with request.app.state.view.reading() as con:
        info = data.ledger_page(con, request.app.state.anchor_file, check)
    return page("ledger.html.j2", request, info=info)


@guarded()
def licences(request: Request, user: User) -> Response:
    cat: LicenceCatalogue = request.app.state.cat
    rows = [cat.licences[k].as_dict() for k in sorted(cat.licences)]
    if user.bank is not None:  # another bank's agreement (its terms, expiry) is that bank's business, as its exports
        mine = {"public", "consortium", f"member:{user.bank}"}
        rows = [r for r in rows if mine.intersection(r["audience"])]
    return page("licences.html.j2", request, rows=rows, licence_label=request.app.state.cat_label)


@guarded(auditor_only=True)
def report(request: Request, user: User) -> Response:
    state = request.app.state
    view: CatalogueView = state.view
    view.refresh()
    with state.report_lock:  # built once per snapshot, whoever asks at the same time (as _checked)
        cached = state.report_cache
        if cached is None or cached[0] != view.generation:
            from curate.reporting import build_report

            check = _checked(state)
            with view.reading() as con:
                html = build_report(
                    con,
                    catalogue=str(view.db_path.name),
                    check=check,
                    licence_catalogue=state.cat,
                    licence_label=state.cat_label,
                )
            cached = state.report_cache = (view.generation, html, report_csp(html))
    return HTMLResponse(cached[1], headers={"Content-Security-Policy": cached[2]})


def plotly_js(request: Request) -> Response:
    from curate.reporting.html import plotly_js as js

    return Response(js(), media_type="text/javascript", headers={"Cache-Control": "private, max-age=86400"})


def export_chart_js(request: Request) -> Response:
    text = (_STATIC / "export-chart.js").read_text(encoding="utf-8")
    return Response(text, media_type="text/javascript", headers={"Cache-Control": "private, max-age=86400"})


def _secure(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    flags = [a.strip().lower() for a in value.split(b";")[1:]]
    return (name, value + b"; secure") if name.lower() == b"set-cookie" and b"secure" not in flags else (name, value)


class SecurityHeaders:
    """CSP, no framing, no sniffing, no referrer, no caching of pages; a cookie sent over https is Secure."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                extra = {
                    b"content-security-policy": CSP.encode(),
                    b"x-frame-options": b"DENY",
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"no-referrer",
                }
                if not scope["path"].startswith("/static/"):
                    extra[b"cache-control"] = b"no-store"
                if scope.get("scheme") == "https":  # TLS here or at a trusted proxy (X-Forwarded-Proto): never sent
                    headers = [_secure(k, v) for k, v in headers]  # over plain http, whatever --https-only says
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    """On shutdown (Ctrl-C, SIGTERM) the snapshot copies are closed and deleted."""
    try:
        yield
    finally:
        app.state.view.close()


def create_app(config: PortalConfig, view: CatalogueView | None = None) -> Starlette:
    """The portal application for ``config`` (a snapshot view is created unless given)."""
    routes = [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", home),
        Route("/record/{record_id}", record),
        Route("/exports", exports),
        Route("/exports/{export_id}", export_detail, methods=["GET"]),
        Route("/exports/{export_id}/verify", export_verify, methods=["POST"]),
        Route("/withdrawals", withdrawals),
        Route("/ledger", ledger_view),
        Route("/licences", licences),
        Route("/report", report),
        Route("/static/plotly.js", plotly_js),
        Route("/static/export-chart.js", export_chart_js),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(HostCheck, allowed=config.allowed_hosts),
        Middleware(BodyLimit),
        Middleware(
            SessionMiddleware,
            secret_key=config.secret,
            session_cookie="curate_portal",
            max_age=SESSION_SECONDS,
            same_site="strict",
            https_only=config.https_only,
        ),
    ]
    app = Starlette(
        routes=routes, middleware=middleware, lifespan=_lifespan, exception_handlers={UsersFileError: _unreadable_users}
    )
    app.state.users_problem = None
    app.state.view = view or CatalogueView(config.db_path, config.snapshot_dir, interval=config.refresh_interval)
    app.state.users = UserStore(config.users_file)
    app.state.limiter = LoginLimiter()
    app.state.sessions = SessionRegistry(SESSION_SECONDS, SESSION_IDLE_SECONDS)
    app.state.cat = config.licence_catalogue or default_licence_catalogue()
    app.state.cat_label = config.licence_label or catalogue_label(app.state.cat)
    app.state.report_cache = None
    app.state.check_cache = None
    app.state.check_lock, app.state.report_lock = threading.Lock(), threading.Lock()
    app.state.anchor_file = config.anchor_file
    return app
