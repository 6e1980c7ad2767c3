"""Portal users, passwords, roles, CSRF tokens and the failed-login limiter.

Users live in a JSON file (``curate serve adduser`` writes it, mode 0600) holding argon2id
hashes (argon2-cffi), never passwords. Roles:

* ``auditor``: every record's metadata, the ledger and exports; never the raw-text vault, and
  text of ``pii_expected`` sources only once it has passed the PII stage;
* ``bank:<CODE>``: only records whose licence the licence catalogue allows for ``member:<CODE>``
  and the chosen purpose (``training`` by default), the same rule an export applies.

A session is a signed cookie naming a session id that the running portal holds (:class:`SessionRegistry`) and a
stamp of the user's password hash: logging out ends the session id, and resetting the password
(``curate serve adduser`` again) changes the stamp, so a copied cookie stops working either way; a restart of
the portal ends every session; a session unused for 30 minutes ends too.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import re
import secrets
import stat
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import ConfigError, UsageError
from provenance.faults import fault
from provenance.secretfile import SecretFile, SecretFileTooLarge, read_secret_file, secret_text

#: matched whole (``fullmatch``): ``$`` also matches before a final newline, so ``bank:CTBC\n`` passed
_ROLE_RE = re.compile(r"auditor|bank:[A-Za-z0-9_.-]+")
_NAME_RE = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
MIN_PASSWORD = 10

log = logging.getLogger(__name__)


#: the shortest session-signing secret accepted (from the environment or a file): a short one is brute-forced
#: offline from any captured cookie, and then sessions can be forged
MIN_SECRET = 32


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: str
    #: a digest of the stored password hash: a session made before the password was reset carries another one
    stamp: str = ""

    @property
    def bank(self) -> str | None:
        """The bank code of a ``bank:<CODE>`` user, else None."""
        return self.role.split(":", 1)[1] if self.role.startswith("bank:") else None


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def parse_role(role: str) -> str:
    """``auditor`` or ``bank:<CODE>``; anything else is a usage error."""
    if not _ROLE_RE.fullmatch(role or ""):
        raise UsageError(f"unknown role `{role}`; valid: auditor, bank:<CODE> (e.g. bank:CTBC)")
    return role


class UsersFileError(ConfigError):
    """The users file cannot be read (broken by hand, unreadable): the portal checks no login until it is fixed."""


class UserStore:
    """The users file: ``{"users": {name: {"role": ..., "hash": argon2id}}}``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _read(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        try:
            with self.path.open("rb") as fh:
                mode = os.fstat(fh.fileno()).st_mode
                # whoever may write it adds an auditor of their own; whoever may read it cracks the hashes offline
                if stat.S_ISREG(mode) and mode & 0o006:
                    raise UsersFileError(
                        f"the portal users file `{self.path}` can be read or written by every user of this machine "
                        f"(mode {stat.S_IMODE(mode):04o}); make it private with `chmod 600 {self.path}` and check "
                        "that every user in it is one you added (where modes cannot change, a mounted secret or a "
                        f"Windows drive, name a private copy: `install -m 600 {self.path} COPY`, `--users COPY`)"
                    )
                data = json.loads(fh.read().decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise UsersFileError(f"cannot read the portal users file `{self.path}`: {exc}; fix or remove it") from exc
        users = data.get("users", {}) if isinstance(data, dict) else None
        if not isinstance(users, dict):  # hand-edited: a list of pairs would read as users through dict()
            raise UsersFileError(
                f'cannot read the portal users file `{self.path}`: it is not {{"users": {{NAME: {{"role": ..., '
                '"hash": ...}}}}; fix or remove it (`curate serve adduser` writes it)'
            )
        return users

    def names(self) -> list[str]:
        return sorted(self._read())

    def add(self, name: str, role: str, password: str) -> None:
        """Add or replace a user (the file is written 0600, atomically, one writer at a time)."""
        if not _NAME_RE.fullmatch(name):
            raise UsageError(f"user name `{name}` must be 1-64 letters, digits or _ . @ -")
        parse_role(role)
        if len(password) < MIN_PASSWORD:
            raise UsageError(f"the password must have at least {MIN_PASSWORD} characters")
        entry = {"role": role, "hash": _hasher().hash(password)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # read, change and replace under a lock, through a temporary file of this writer's own: two adds at once each
        # wrote its copy over the other's (one user lost, while both said "saved")
        lock = os.open(f"{self.path}.lock", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            users = self._read()
            users[name] = entry
            _replace_whole(self.path, json.dumps({"users": users}, ensure_ascii=False, indent=2, sort_keys=True))
        finally:
            os.close(lock)  # releases the lock

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password matches its argon2 hash; None otherwise (same cost either way)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        entry = self._entry(name)
        h = _hasher()
        target = entry["hash"] if entry else _DUMMY_HASH.get(h)
        try:
            h.verify(target, password)
        except (VerificationError, InvalidHashError):
            return None
        return _user(name, entry) if entry else None

    def get(self, name: str) -> User | None:
        entry = self._entry(name)
        return _user(name, entry) if entry else None

    def _entry(self, name: str) -> dict[str, str] | None:
        """``name``'s entry when its role is one the portal knows (as :func:`parse_role` reads it); None otherwise. The
        file may be edited by hand, and a role such as ``Bank:CTBC`` names no bank: the pages would take it for a
        user that every record is open to."""
        entry = self._read().get(name)
        if entry is None:
            return None
        role = entry.get("role") if isinstance(entry, dict) else None
        if not isinstance(role, str) or not _ROLE_RE.fullmatch(role) or not isinstance(entry.get("hash"), str):
            log.warning(
                "portal user `%s` in `%s` has no valid role (auditor or bank:<CODE>); it cannot log in", name, self.path
            )
            return None
        return entry


def _user(name: str, entry: dict[str, str]) -> User:
    return User(name, entry["role"], hashlib.sha256(entry["hash"].encode()).hexdigest()[:32])


class SessionRegistry:
    """The session ids this portal process issued and has not ended: logout ends one, so does ``max_age`` after its
    login, and so does ``idle`` seconds without a request (a browser left logged in at a desk, or a copy of its
    cookie, opened the pages for the session's whole life however long nobody used it)."""

    def __init__(self, max_age: float, idle: float | None = None) -> None:
        self.max_age = max_age
        self.idle = max_age if idle is None else idle
        #: per live session id: (when it ends whatever happens, when it was last used)
        self._live: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _ok(self, entry: tuple[float, float], now: float) -> bool:
        return entry[0] > now and now - entry[1] <= self.idle

    def open(self) -> str:
        now = time.monotonic()
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._live = {k: e for k, e in self._live.items() if self._ok(e, now)}
            self._live[sid] = (now + self.max_age, now)
        return sid

    def alive(self, sid: object) -> bool:
        """Whether ``sid`` is live; a live one counts as used now, one idle too long is ended for good."""
        now = time.monotonic()
        with self._lock:
            entry = self._live.get(sid) if isinstance(sid, str) else None
            if entry is None:
                return False
            if not self._ok(entry, now):
                del self._live[sid]
                return False
            self._live[sid] = (entry[0], now)
            return True

    def end(self, sid: object) -> None:
        with self._lock:
            if isinstance(sid, str):
                self._live.pop(sid, None)


class _Dummy:
    """A hash of a random password, so unknown users cost as much as wrong passwords."""

    def __init__(self) -> None:
        self._hash: str | None = None

    def get(self, hasher) -> str:
        if self._hash is None:
            self._hash = hasher.hash(secrets.token_hex(16))
        return self._hash


_DUMMY_HASH = _Dummy()


def load_secret(path: Path) -> str:
    """The session-signing secret: ``$CURATE_WEB_SECRET``, ``$CURATE_WEB_SECRET_FILE``, or a key file
    created once (0600) at ``path`` (``curate serve``: beside the users file; a ``$CURATE_WEB_SECRET_FILE`` that names
    nothing is refused, never created); one under :data:`MIN_SECRET` characters
    is refused wherever it comes from. A file is read by :func:`provenance.secretfile.read_secret_file` (the PII key
    file's rules: one every user of the machine may read or write is refused, at most 64 KiB, a pipe read once)."""
    if os.environ.get("CURATE_WEB_SECRET"):
        value = os.environ["CURATE_WEB_SECRET"]
        if len(value.strip()) < MIN_SECRET:
            raise ConfigError(
                f"$CURATE_WEB_SECRET is too short; use at least {MIN_SECRET} characters"
                " (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`), or unset it to use a key file"
            )
        return value
    named = os.environ.get("CURATE_WEB_SECRET_FILE")
    file = Path(named or path)
    # a file named by the variable is read, never made: a mistyped path (or a pipe closed after an `export`) was
    # created with a new secret, in silence, and the one meant (shared by two portals behind one address) unused
    if not named and not file.exists():
        try:
            _create_secret(file)
        except OSError as exc:
            raise ConfigError(
                f"cannot create the portal secret `{file}`: {exc.strerror or exc}; make its folder writable, or set "
                "$CURATE_WEB_SECRET_FILE"
            ) from exc
    # whoever reads it signs cookies the portal takes for its own
    spec = SecretFile(
        file, f"the portal secret `{file}`", "CURATE_WEB_SECRET_FILE", "start the portal again", " curate serve ..."
    )
    try:
        data = read_secret_file(spec)
    except SecretFileTooLarge as exc:
        raise ConfigError(f"{exc}; name a file that holds the secret") from None
    except ConfigError as exc:
        if not named or os.path.lexists(file) or named.startswith(("/dev/fd/", "/proc/self/fd/")):
            raise  # a pipe's refusal says it is open only on its command's line
        # the refusal named no way on: a first start that relied on the file being made (it was, before) stopped here
        raise ConfigError(
            f"{exc}; $CURATE_WEB_SECRET_FILE is read, never made: make it with `(umask 077; python -c 'import secrets; "
            f"print(secrets.token_hex(32))' > {file})`, or unset the variable to use the key file made beside the "
            "users file"
        ) from None
    text = secret_text(data)
    if text is None:
        raise ConfigError(
            f"the portal secret `{file}` is not text (UTF-8 or UTF-16); put a secret of at least {MIN_SECRET} "
            "characters in it, e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    value = text.strip()
    if len(value) < MIN_SECRET:
        raise ConfigError(f"the portal secret in `{file}` is too short; use at least {MIN_SECRET} characters")
    return value


def _create_secret(file: Path) -> None:
    """A new key file at ``file`` (0600) unless one is there: created whole (a temporary file renamed into place) under
    an flock on ``<file>.lock``, so two first starts at once read one key, never a half-written or empty file."""
    file.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(f"{file}.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if file.exists():  # the other start made it meanwhile
            return
        _replace_whole(file, secrets.token_hex(32) + "\n")
    finally:
        os.close(lock)


def _replace_whole(file: Path, text: str) -> None:
    """Write ``text`` to ``file`` whole (0600): a temporary file of its own, synced, renamed into place. Called
    under ``<file>.lock``, so no other writer is between the two: a temporary file a killed writer left (holding
    the users' password hashes, or a portal secret) is removed first, never left beside the file for good."""
    mine = re.compile(rf"\.{re.escape(file.name)}\.[a-z0-9_]{{8}}\.tmp")  # mkstemp's names, nothing else
    for left in file.parent.glob(f".{glob.escape(file.name)}.*.tmp"):
        if mine.fullmatch(left.name) and left.is_file() and not left.is_symlink():
            left.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())  # a power cut after the rename: the new file, not an empty one
        fault("portal_file_written")  # crash tests: the temporary file written, not yet in place
        os.replace(tmp, file)
    finally:
        Path(tmp).unlink(missing_ok=True)


def csrf_token(session: dict) -> str:
    """This session's CSRF token (created on first use)."""
    tok = session.get("csrf")
    if not tok:
        tok = session["csrf"] = secrets.token_urlsafe(32)
    return tok


def csrf_ok(session: dict, sent: str | None) -> bool:
    tok = session.get("csrf")
    # as bytes: compare_digest refuses str with non-ASCII characters (a TypeError: a 500 for a token like "é")
    return bool(tok and sent and hmac.compare_digest(str(tok).encode(), str(sent).encode()))


def address_key(address: str) -> str:
    """The client address the per-address login limit counts: an IPv6 address's /64 (one host or site is given a
    whole /64: counted per address, it had 2**64 addresses of five tries each), an IPv4-mapped one as IPv4.

    >>> address_key("2001:db8::1:2"), address_key("::ffff:10.0.0.9"), address_key("10.0.0.9")
    ('2001:db8::/64', '10.0.0.9', '10.0.0.9')
    """
    try:
        ip = ipaddress.ip_address(address.split("%")[0])  # a scope (fe80::1%eth0) names no other host
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class LoginLimiter:
    """At most ``attempts`` failed logins per user name and per client address (:func:`address_key`: an IPv6 one's
    /64) within ``window`` seconds.

    A login clears its user name's failures and, of its address's, only those on that name: clearing the address's
    all let a user who knows one password (a bank's own) log in between guesses at other users' names and guess on
    without end from one address.

    >>> lim = LoginLimiter(attempts=2)
    >>> lim.attempt("esun", "10.0.0.9"), lim.attempt("alice", "10.0.0.9")
    (True, True)
    >>> lim.succeeded("esun", "10.0.0.9")  # the address keeps its failure on `alice`
    >>> lim.attempt("bob", "10.0.0.9"), lim.attempt("bob", "10.0.0.9")
    (True, False)
    """

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts, self.window = attempts, window
        #: per ``user:NAME`` and ``ip:ADDRESS``, the failed (or still checked) tries: (when, on which user name)
        self._fails: dict[str, deque[tuple[float, str]]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[tuple[float, str]]:
        q = self._fails.setdefault(key, deque())
        while q and now - q[0][0] > self.window:
            q.popleft()
        return q

    def attempt(self, name: str, address: str) -> bool:
        """Take one try for the user name and the address, counted as failed until :meth:`succeeded` clears it;
        False (nothing taken) when either has no try left in the window. Checking and counting are one step: a try
        counted only after its password check let every try sent meanwhile through."""
        now = time.monotonic()
        keys = (f"user:{name}", f"ip:{address_key(address)}")
        with self._lock:
            if len(self._fails) > 10_000:  # user names and addresses whose tries are all older than the window
                self._fails = {k: q for k, q in self._fails.items() if q and now - q[-1][0] <= self.window}
            if any(len(self._recent(k, now)) >= self.attempts for k in keys):
                return False
            for k in keys:
                self._recent(k, now).append((now, name))
            return True

    def succeeded(self, name: str, address: str) -> None:
        """``name`` logged in from ``address``: its failures end; the address's on other names stay counted."""
        with self._lock:
            self._fails.pop(f"user:{name}", None)
            key = f"ip:{address_key(address)}"
            q = self._fails.get(key)
            if q is not None:
                self._fails[key] = deque(t for t in q if t[1] != name)
