"""FSC case keys: a case's ``dataserno``, named by its site when that is not fsc.gov.tw.

Each bureau site (banking.gov.tw, ib.gov.tw, sfb.gov.tw ...) numbers its cases itself, so one number on two sites
names two cases (review 16): ``fsc:ib.gov.tw:202506300001`` beside ``fsc:202506300001`` (fsc.gov.tw's keys are
unchanged). A site is its host, any case, without ``www.``, a port or a trailing dot, over http or https. A list
page's rows link to their cases relative to the page (``home.jsp?dataserno=...``): they are read against the page's
own address (its ``saved from url`` note), else a bureau list's row was a new one-line case beside the case held in
full (review 16 r). A bureau case ingested before review 16 is held under the bare number: :func:`old_keys` finds
it, so the ingest names it (a notice) until it is withdrawn.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

__all__ = ["HOME", "SERNO", "full_cases", "old_keys", "serno", "site"]

#: the case number in a case's address
SERNO = re.compile(r"dataserno=(\d+)", re.IGNORECASE)
#: the site whose case numbers are keyed bare (the keys before review 16)
HOME = "fsc.gov.tw"
#: an address written without its scheme (``www.ib.gov.tw/ch/home.jsp?...``, as some CSV exports have it)
_BARE_HOST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.gov\.tw\.?(?::\d+)?/", re.IGNORECASE)


def site(url: str | None, base: str | None = None) -> str:
    """The site of ``url`` (read against ``base`` when relative), ``''`` when it names none.

    >>> site("HTTP://WWW.IB.GOV.TW:8080/ch/home.jsp"), site("www.fsc.gov.tw./x"), site("home.jsp", "https://sfb.gov.tw/a")
    ('ib.gov.tw', 'fsc.gov.tw', 'sfb.gov.tw')
    """
    text = str(url or "").strip()
    if _BARE_HOST.match(text):
        text = "//" + text
    try:
        if base:
            text = urljoin(str(base).strip(), text)
        host = urlsplit(text).hostname or ""
    except ValueError:  # not an address (`http://[x`): no site, the number alone, as before
        return ""
    return host.rstrip(".").removeprefix("www.")


def serno(text: str | None, base: str | None = None) -> str | None:
    """A case's key from its address: the ``dataserno``, named by its site when that is not fsc.gov.tw.

    >>> serno("home.jsp?dataserno=2025"), serno("https://www.ib.gov.tw/ch/home.jsp?dataserno=2025")
    ('2025', 'ib.gov.tw:2025')
    >>> serno("home.jsp?dataserno=2025", base="https://www.banking.gov.tw/ch/home.jsp?id=2")
    'banking.gov.tw:2025'
    """
    m = SERNO.search(text or "")
    if m is None:
        return None
    host = site(text, base)
    return f"{host}:{m.group(1)}" if host and host != HOME else m.group(1)


def full_cases(con: Any, source_id: str = "fsc") -> list[str]:
    """Keys of the cases the catalogue (an open connection) holds in full (a record of ``source_id`` read from a
    detail page, the feed or CSV, not superseded): its stored serno, and its address's, so a bureau case held under
    the bare number before review 16 still has its list rows skipped."""
    rows = con.execute(
        "SELECT json_extract_string(metadata, '$.serno'), json_extract_string(metadata, '$.url') FROM records"
        " WHERE source_id = ? AND status <> 'superseded'"
        " AND coalesce(json_extract_string(metadata, '$.kind'), '') <> 'list'",
        [source_id],
    ).fetchall()
    return sorted({k for stored, url in rows for k in (stored, serno(url)) if k})


def old_keys(con: Any, source_id: str = "fsc") -> dict[str, tuple[str, str]]:
    """``{new key: (old doc_key, record_id)}``: the active cases of another site than fsc.gov.tw that the catalogue
    holds under the bare number (ingested before review 16), by the key they are ingested under now."""
    found: dict[str, tuple[str, str]] = {}
    rows = con.execute(
        "SELECT doc_key, json_extract_string(metadata, '$.url'), record_id FROM records"
        " WHERE source_id = ? AND status = 'active'",
        [source_id],
    ).fetchall()
    for doc_key, url, rid in rows:
        bare = doc_key.removeprefix(f"{source_id}:")
        new = serno(url)
        if bare.isdigit() and new and new != bare and new.endswith(f":{bare}"):
            found[new] = (doc_key, rid)
    return found
