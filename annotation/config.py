"""Where a bank's Label Studio is and how to authenticate: resolved from the environment or files.

Resolution for bank ``B`` (first match wins; ``KEY`` = ``B`` upper-cased, non-alphanumerics -> ``_``):

1. ``LABEL_STUDIO_URL__KEY`` with ``LABEL_STUDIO_API_KEY__KEY`` or ``LABEL_STUDIO_API_KEY_FILE__KEY``
   (a bank that requires its own Label Studio instance);
2. the banks file ``$LABEL_STUDIO_BANKS_FILE`` (TOML: ``[banks.B] url = "..."  api_key_file = "..."``;
   tokens are never written in it, only the path of a key file);
3. ``LABEL_STUDIO_URL`` with ``LABEL_STUDIO_API_KEY`` or ``LABEL_STUDIO_API_KEY_FILE``;
4. the ``env`` file written by ``make labelstudio`` in its cache: ``$LABEL_STUDIO_CACHE/env`` when
   ``LABEL_STUDIO_CACHE`` is set (the same variable `make labelstudio` honours), else
   ``.cache/labelstudio/env`` in the current directory, then in the project.

Label Studio Community has no per-user permissions, so banks are separated by project and, where a
bank requires it, by instance.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from annotation.errors import shown_url
from provenance.envsettings import env_int, env_seconds
from provenance.errors import ConfigError
from provenance.secretfile import SecretFile, SecretFileTooLarge, read_secret_file, secret_text

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: what a Label Studio token is made of: visible ASCII (a legacy token is hex, a Personal Access Token a JWT)
_TOKEN = re.compile(r"[\x21-\x7e]+")
ENV_FILE = Path(".cache") / "labelstudio" / "env"


@dataclass(frozen=True, slots=True)
class LabelStudioConfig:
    """Connection settings for one Label Studio instance."""

    url: str
    api_key: str
    #: seconds before one HTTP request times out
    timeout: float = 60.0
    #: retries after the first attempt for transient failures (connection refused, timeouts, 429, 5xx)
    retries: int = 4
    #: first backoff delay in seconds; doubles each retry, capped at ``backoff_max``
    backoff: float = 0.5
    backoff_max: float = 8.0
    #: where the settings came from (for messages; never the token)
    origin: str = ""

    def __post_init__(self) -> None:
        # a token is visible ASCII: HTTP refused a line break in it with an error that quoted the whole header (the
        # token in the clear, on the error line and in logs), a non-ASCII character with a traceback
        if not _TOKEN.fullmatch(self.api_key):
            raise ConfigError(
                f"the Label Studio API token ({self.origin or 'arguments'}) holds a space, a line break, a control or "
                "a non-ASCII character, which no token has (a file saved with Windows line ends read by "
                "`$(cat FILE)`?): copy the Personal Access Token again from Label Studio (Account & Settings), or "
                "give it in a file with LABEL_STUDIO_API_KEY_FILE"
            )

    def __repr__(self) -> str:  # keep the token out of logs and tracebacks
        return f"LabelStudioConfig(url={shown_url(self.url)!r}, origin={self.origin!r})"

    @property
    def instance(self) -> str:
        """The instance key stored with tasks: the URL without a trailing slash, and without a ``user:password@``
        part (the catalogue holds no secret)."""
        return shown_url(self.url, mark="").rstrip("/")


def bank_key(bank: str) -> str:
    """Environment-variable suffix for a bank.

    >>> bank_key("bank-a")
    'BANK_A'
    """
    return re.sub(r"[^A-Za-z0-9]", "_", bank).upper()


def _read_key_file(path: str | Path, what: str, variable: str | None = "LABEL_STUDIO_API_KEY_FILE") -> str:
    """The token in a key file, read by :func:`provenance.secretfile.read_secret_file` (the PII key file's rules: a
    regular file every user of the machine may read or write is refused, at most 64 KiB, a pipe read once per
    process): UTF-8 (a byte-order mark, Notepad's, dropped) or UTF-16 with its mark (PowerShell 5.1's ``>``, which
    raised a traceback), white space around it dropped. Whoever reads the token acts in Label Studio as its user
    (every project of every bank on that instance, the raw text of what a reviewer reads). ``variable`` names where
    a pipe may be given instead (None for a banks file's ``api_key_file``)."""
    p = Path(path).expanduser()
    spec = SecretFile(p, f"the Label Studio token file {p} ({what})", variable, command=" curate ...")
    try:
        data = read_secret_file(spec)
    except SecretFileTooLarge as exc:
        raise ConfigError(f"{exc}; name the file that holds the Personal Access Token") from None
    text = secret_text(data)
    if text is None:
        raise ConfigError(
            f"the Label Studio token file {p} ({what}) is not text (UTF-8 or UTF-16); copy the Personal Access Token "
            "again from Label Studio (Account & Settings) into a plain text file"
        )
    token = text.strip()
    if not token:
        raise ConfigError(f"the Label Studio token file {p} ({what}) is empty")
    return token


def _read_env_file(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def _pair(env: Mapping[str, str], suffix: str, origin: str) -> tuple[str, str, str] | None:
    url = env.get(f"LABEL_STUDIO_URL{suffix}")
    if not url:
        return None
    # white space around it dropped first (`export LABEL_STUDIO_API_KEY=$(cat FILE)` keeps a Windows line end's CR):
    # a variable that holds nothing else is unset, and the key file, if one is named, is read
    key = (env.get(f"LABEL_STUDIO_API_KEY{suffix}") or "").strip()
    key_file = env.get(f"LABEL_STUDIO_API_KEY_FILE{suffix}")
    if not key and key_file:
        key = _read_key_file(key_file, origin, f"LABEL_STUDIO_API_KEY_FILE{suffix}")
    if not key:
        raise ConfigError(
            f"LABEL_STUDIO_URL{suffix} is set ({origin}) but neither LABEL_STUDIO_API_KEY{suffix} "
            f"nor LABEL_STUDIO_API_KEY_FILE{suffix}; give a Personal Access Token"
        )
    return url, key, origin


def env_file_candidates(env: Mapping[str, str], cwd: Path) -> list[Path]:
    """Where `make labelstudio` writes its ``env`` file, in lookup order.

    >>> env_file_candidates({"LABEL_STUDIO_CACHE": "/srv/ls"}, Path("/x"))
    [PosixPath('/srv/ls/env')]
    """
    if env.get("LABEL_STUDIO_CACHE"):
        return [Path(env["LABEL_STUDIO_CACHE"]).expanduser() / "env"]
    return [cwd / ENV_FILE, PROJECT_ROOT / ENV_FILE]


def resolve(bank: str, *, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> LabelStudioConfig:
    """Settings for ``bank``'s Label Studio (see the module docstring for the order)."""
    env = os.environ if env is None else env
    cwd = cwd or Path.cwd()
    found = _pair(env, f"__{bank_key(bank)}", f"environment, bank {bank}")
    if found is None and env.get("LABEL_STUDIO_BANKS_FILE"):
        path = Path(env["LABEL_STUDIO_BANKS_FILE"]).expanduser()
        try:
            banks = tomllib.loads(path.read_text(encoding="utf-8")).get("banks", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read LABEL_STUDIO_BANKS_FILE {path}: {exc}") from exc
        entry = banks.get(bank)
        if entry is not None:
            if "api_key" in entry:
                raise ConfigError(
                    f"{path}: [banks.{bank}] holds a token; put it in a key file and name it with api_key_file"
                )
            if "url" not in entry or "api_key_file" not in entry:
                raise ConfigError(f"{path}: [banks.{bank}] needs url and api_key_file")
            found = (entry["url"], _read_key_file(entry["api_key_file"], str(path), None), f"{path} [banks.{bank}]")
    if found is None:
        found = _pair(env, "", "environment")
    if found is None:
        for candidate in env_file_candidates(env, cwd):
            if candidate.exists():
                found = _pair(_read_env_file(candidate), "", str(candidate))
                break
    if found is None:
        raise ConfigError(
            "no Label Studio configured: start the local one with `make labelstudio` (with the same "
            "LABEL_STUDIO_CACHE, if you set one), or set "
            "LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY (a Personal Access Token)"
        )
    url, key, origin = found
    url = url.strip()  # (a CR kept by `$(cat FILE)`, as around the token: refused as a URL to percent-encode)
    if not re.match(r"^https?://", url):
        raise ConfigError(f"Label Studio URL {shown_url(url)!r} ({origin}) must start with http:// or https://")
    _check_url(url, origin)
    return LabelStudioConfig(
        url=url.rstrip("/"),
        api_key=key,
        origin=origin,
        timeout=env_seconds("LABEL_STUDIO_TIMEOUT", 60.0, env=env),
        retries=env_int("LABEL_STUDIO_RETRIES", 4, minimum=0, unit="retries", env=env),
    )


def _check_url(url: str, origin: str) -> None:
    """One line for a URL the HTTP client cannot use (a password with an unencoded ``#``, ``?`` or ``/`` read as
    the port: a traceback from deep inside a push), before it is used as the instance key."""
    import httpx

    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ConfigError(
            f"Label Studio URL {shown_url(url)!r} ({origin}) is not a valid URL ({str(exc).split(':')[0]}); "
            "percent-encode the user name and password in it (# ? / @ as %23 %3F %2F %40), or better, give the "
            "API token only (LABEL_STUDIO_API_KEY)"
        ) from None


__all__ = ["LabelStudioConfig", "bank_key", "resolve"]
