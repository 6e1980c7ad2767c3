"""``curate audit verify-export DIR``: does an export folder still hold what the catalogue recorded?

The export event (ledger) lists every file the export wrote with its sha256, the manifest's sha256
and the ledger state (seq + hash) the export was made at. This recomputes the folder's hashes and
names every changed, missing or extra file, checks ``manifest.jsonl`` against ``export_items`` (record ids,
content digests and licences), and checks that the export's ledger state is still in the chain. Read-only.

After ``curate pii rekey`` (issue 13) the catalogue holds keyed ids and digests where the folder's
manifest has the old plain ones: ids are translated through ``pii_rekey_map``; a keyed digest is
compared with the key's digest function when given, otherwise counted as not checked without the key.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from provenance.errors import CatalogueError, UsageError
from provenance.export_out import sha256_file
from provenance.records import is_keyed_digest


def _event(con: duckdb.DuckDBPyConnection, seq: int) -> dict[str, Any]:
    ev = con.execute(f"SELECT detail FROM provenance_events WHERE seq = {int(seq)} AND action = 'export'").fetchall()
    if not ev:
        raise CatalogueError(f"the export event at seq {seq} is missing from the ledger; run `curate audit verify`")
    return json.loads(ev[0][0])


def _present(out: Path) -> set[str]:
    """Every entry under ``out`` that is not a folder (relative posix names): none is passed over, whatever its name
    or kind (a link, also one to a folder, which is not followed; a FIFO; a socket; a folder that cannot be read:
    see :func:`_odd`)."""
    found, unread = set(), []
    for top, dirs, files in os.walk(out, onerror=unread.append):  # a folder os.walk cannot list: named, not skipped
        here = Path(top)
        found.update((here / n).relative_to(out).as_posix() for n in files)
        found.update((here / n).relative_to(out).as_posix() for n in dirs if (here / n).is_symlink())
    for exc in unread:
        name = Path(exc.filename).relative_to(out).as_posix() if exc.filename else "."
        if name == ".":
            raise UsageError(f"`{out}` cannot be read ({exc.strerror}); nothing in it can be checked")
        found.add(name)
    return found


def _odd(out: Path, name: str) -> str | None:
    """What ``name`` under ``out`` is when it is not a regular file (an export writes regular files only), else None."""
    p = out / name
    if p.is_symlink():
        return "a symbolic link, not followed"
    mode = p.lstat().st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):  # listed by _present only when it could not be read
        return "a folder that could not be read, so what it holds was not checked"
    return "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file"


def _regular(path: Path) -> bool:
    """A plain file, not a link: what an export writes. Nothing else is read: a manifest linked to /dev/zero (or a
    FIFO) kept the check, and the portal's page that runs it, reading for ever."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _find_export(
    con: duckdb.DuckDBPyConnection, out: Path, export_id: str | None, hashes: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    """``(export_seq, event detail)`` of the export that wrote ``out``.

    Without ``export_id``: the newest export written to this folder; else the export whose ``manifest.jsonl`` the
    folder holds. Several exports can hold the same records (one record set for two purposes): then the one whose
    recorded files the folder holds, every one unchanged, or a one-line error listing the candidates (the newest
    was taken, and an intact folder was reported changed). One export id can be written several times with other
    documents (a custom licence catalogue named otherwise, a later curate): each writing is a candidate, the one
    written to this folder first, else the one whose files a copy holds unchanged, or the fewest changed (review
    16: only the newest was checked, and an intact copy of an earlier writing was reported changed). ``hashes`` caches the folder's
    file digests."""
    present = _present(out)

    def intact(files: dict[str, str]) -> bool:
        if not files or set(files) != present or any(_odd(out, n) for n in present):
            return False
        return all(hashes.setdefault(n, sha256_file(out / n)) == d for n, d in sorted(files.items()))

    if export_id:
        rows = con.execute(
            "SELECT export_seq, out_dir FROM exports WHERE export_id = ? ORDER BY export_seq DESC", [export_id]
        ).fetchall()
        if not rows:
            raise UsageError(f"no export `{export_id}` in the catalogue (see `curate audit exports`)")
        here = [seq for seq, out_dir in rows if out_dir == str(out.resolve())]
        if here:
            return here[0], _event(con, here[0])
        return _closest(con, out, present, [seq for seq, _ in rows], hashes)
    here = con.execute(
        "SELECT export_seq FROM exports WHERE out_dir = ? ORDER BY export_seq DESC LIMIT 1", [str(out.resolve())]
    ).fetchall()
    if here:
        return here[0][0], _event(con, here[0][0])
    manifest = out / "manifest.jsonl"
    digest = sha256_file(manifest) if _regular(manifest) else ""
    rows = con.execute(
        "SELECT export_id, export_seq FROM exports WHERE manifest_sha256 = ? ORDER BY export_seq DESC", [digest]
    ).fetchall()
    if not rows and (named := _named_export(con, out)):  # its manifest changed: checked, not "no export matches"
        return _closest(con, out, present, named, hashes)
    if not rows:
        raise UsageError(
            f"no export in the catalogue matches `{out}`; pass --export EXPORT_ID (see `curate audit exports`)"
        )
    ids = list(dict.fromkeys(r[0] for r in rows))
    if len(ids) == 1 and len(rows) == 1:
        return rows[0][1], _event(con, rows[0][1])
    found = [(eid, seq, detail) for eid, seq in rows if intact((detail := _event(con, seq)).get("files") or {})]
    if len({eid for eid, _, _ in found}) == 1:
        return found[0][1], found[0][2]  # the newest writing of that export whose files the folder holds
    if not found and len(ids) == 1:  # its files changed: checked against the writing it differs from least
        return _closest(con, out, present, [seq for _, seq in rows], hashes)
    raise UsageError(
        f"`{out}` holds the manifest.jsonl of {len(ids)} exports ({', '.join(ids)}) and "
        f"{'none' if not found else 'more than one'} of them file for file; pass --export EXPORT_ID"
    )


#: how an export's NOTICE.md and README.md name it (``Export `ID```, ``| export id | `ID` |``)
_NAMED_ID = re.compile(r"(?:^Export `|^\| export id \| `)([0-9a-f]{24})`", re.MULTILINE)


def _named_export(con: duckdb.DuckDBPyConnection, out: Path) -> list[int]:
    """The writings (export seqs, newest first) of the one export the folder's NOTICE.md and README.md name, when its
    manifest matches none (review 18: a copy whose manifest.jsonl was edited, the case a recipient checks for, was
    "no export matches", not a report of what changed); empty when they name none, or two, or an id not exported."""
    ids = set()
    for name in ("NOTICE.md", "README.md"):
        if _regular(out / name):
            with (out / name).open("rb") as fh:  # the head names it; a huge or binary file is not read whole
                ids.update(_NAMED_ID.findall(fh.read(1 << 16).decode("utf-8", errors="replace")))
    if len(ids) != 1:
        return []
    rows = con.execute("SELECT export_seq FROM exports WHERE export_id = ? ORDER BY export_seq DESC", [ids.pop()])
    return [seq for (seq,) in rows.fetchall()]


def _closest(
    con: duckdb.DuckDBPyConnection, out: Path, present: set[str], seqs: list[int], hashes: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    """Of one export id's writings (``seqs``, newest first), the one the folder differs from least. A writing that
    predates file hashes vouches for its manifest only: never "closest" while one with hashes exists (review 16 (r):
    a copy with the intact manifest and a forged shard was checked against it, and reported ok)."""
    events = [(seq, _event(con, seq)) for seq in seqs]
    return min(
        events, key=lambda e: (not e[1].get("files"), _mismatches(out, present, e[1].get("files") or {}, hashes))
    )


def _mismatches(out: Path, present: set[str], files: dict[str, str], hashes: dict[str, str]) -> int:
    """How many of an export writing's files the folder lacks, holds changed or holds besides (0: intact)."""
    if not files:
        return len(present) + 1
    same = {n for n, d in files.items() if n in present and hashes.setdefault(n, sha256_file(out / n)) == d}
    return len(files) - len(same) + len(present - set(files))


def _current_ids(con: duckdb.DuckDBPyConnection, listed: dict[str, Any]) -> dict[str, Any]:
    """``listed`` (the folder's manifest) under the catalogue's current record ids (``pii_rekey_map``)."""
    has_map = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'pii_rekey_map'"
    ).fetchall()[0][0]
    if not (has_map and listed):
        return listed
    mapping = dict(
        con.execute(
            "SELECT old_id, new_id FROM pii_rekey_map WHERE old_id IN (SELECT unnest($ids))", {"ids": list(listed)}
        ).fetchall()
    )
    return {mapping.get(k, k): v for k, v in listed.items()}


def _rekeyed(
    listed: dict[str, str | None],
    items: dict[str, str | None],
    key_digest: Callable[[str], str] | None,
) -> tuple[dict[str, str | None], int]:
    """``listed`` (the folder's manifest digests, under current ids) in the catalogue's current digests; and how
    many keyed digests could not be checked (no key)."""
    unchecked = 0
    for k, v in listed.items():
        now = items.get(k)
        if v != now and is_keyed_digest(now) and v and not is_keyed_digest(v):
            if key_digest is None:
                unchecked += 1
                listed[k] = now
            elif key_digest(v) == now:
                listed[k] = now
    return listed, unchecked


def _differ(listed: dict[str, Any], items: dict[str, Any]) -> int:
    """How many records are in one of the two but not the other, or in both with different values."""
    return len(set(listed) ^ set(items)) + sum(1 for k in set(listed) & set(items) if listed[k] != items[k])


#: unreadable manifest lines named one by one before the rest are counted
NAMED_LINES = 5


def _listed(manifest: Path, problems: list[str]) -> dict[str, tuple[Any, Any]]:
    """``record_id -> (content_sha256, licence_id)`` of the folder's ``manifest.jsonl``; a line that is not a record (not JSON,
    not an object, no string ``record_id``) or bytes that are not UTF-8 are problems, not a crash: a tampered
    manifest is what this command reports."""
    data = manifest.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"manifest.jsonl is not UTF-8 text (byte {exc.start})")
        text = data.decode("utf-8", errors="replace")
    listed: dict[str, tuple[Any, Any]] = {}
    bad: list[int] = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            row = None
        if not isinstance(row, dict) or not isinstance(row.get("record_id"), str):
            bad.append(n)
            continue
        listed[row["record_id"]] = (row.get("content_sha256"), row.get("licence_id"))
    problems += [f"manifest.jsonl line {n} is not a record" for n in bad[:NAMED_LINES]]
    if len(bad) > NAMED_LINES:
        problems.append(f"manifest.jsonl: {len(bad) - NAMED_LINES} more lines are not records")
    return listed


def _manifest_problems(
    con: duckdb.DuckDBPyConnection,
    listed: dict[str, tuple[Any, Any]],
    export_id: str | None,
    key_digest: Callable[[str], str] | None,
    notes: list[str],
) -> list[str]:
    """The folder's manifest rows against ``export_items``: record ids and content digests, then licences (exports
    made before their items were sealed in the ledger have only this evidence of the licence they shipped under)."""
    listed = _current_ids(con, listed)
    rows = con.execute(
        "SELECT record_id, content_sha256, licence_id FROM export_items WHERE export_id = ?", [export_id]
    ).fetchall()
    items = {rid: digest for rid, digest, _ in rows}
    digests, unchecked = _rekeyed({k: v[0] for k, v in listed.items()}, items, key_digest)
    if unchecked:
        notes.append(
            f"{unchecked} exported records have keyed digests in the catalogue since a rekey or sealing: "
            "not checked without the key (set CURATE_PII_KEY or CURATE_PII_KEY_FILE)"
        )
    problems = []
    if diff := _differ(digests, items):
        problems.append(f"manifest.jsonl and the catalogue's export_items disagree on {diff} records")
    lics = {rid: lic for rid, _, lic in rows}
    if diff := sum(1 for k, v in listed.items() if k in lics and v[1] != lics[k]):
        problems.append(
            f"manifest.jsonl and the catalogue's export_items disagree on the licence of {diff} records:"
            " export_items.licence_id was edited (or the manifest, if its sha256 differs too)"
        )
    return problems


def verify_export(
    con: duckdb.DuckDBPyConnection,
    out_dir: str | Path,
    export_id: str | None = None,
    *,
    key_digest: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """Check an export folder against the catalogue; returns ``{ok, export_id, problems, checked}``.

    ``key_digest`` (plain sha256 hex -> keyed digest, from the PII key) checks digests keyed since the export.
    """
    notes: list[str] = []
    out = Path(out_dir)
    if not out.is_dir():
        what = "a file" if out.is_file() else "not a folder" if out.exists() else "missing"
        raise UsageError(f"`{out}` is {what}; pass the export's folder (unpack an archive of it first)")
    hashes: dict[str, str] = {}
    seq, detail = _find_export(con, out, export_id, hashes)
    problems: list[str] = []
    files: dict[str, str] = detail.get("files") or {}
    present = _present(out)
    if not files:
        problems.append("the export predates per-file hashes: only its manifest is checked")
    odd = {n: kind for n in present if (kind := _odd(out, n))}
    for name, digest in sorted(files.items()):
        if name not in present:
            problems.append(f"missing file: {name}")
        elif name in odd:
            problems.append(f"not a regular file: {name} ({odd[name]})")
        elif hashes.setdefault(name, sha256_file(out / name)) != digest:
            problems.append(f"changed file: {name}")
    if files:
        problems += [
            f"extra entry: {n} ({odd[n]})" if n in odd else f"extra file: {n}" for n in sorted(present - set(files))
        ]
    manifest = out / "manifest.jsonl"
    if _regular(manifest):
        if sha256_file(manifest) != detail.get("manifest_sha256"):
            problems.append("manifest.jsonl differs from the manifest sha256 in the export event")
        problems += _manifest_problems(con, _listed(manifest, problems), detail.get("export_id"), key_digest, notes)
    elif not files:  # its manifest is all such a writing vouches for: a copy without it was "ok", nothing checked
        kind = _odd(out, "manifest.jsonl") if "manifest.jsonl" in present else None
        problems.append(f"not a regular file: manifest.jsonl ({kind})" if kind else "missing file: manifest.jsonl")
    state = detail.get("state_hash")
    if state and not con.execute("SELECT 1 FROM provenance_events WHERE hash = ? LIMIT 1", [state]).fetchall():
        from provenance.ledger import GENESIS

        if state != GENESIS:
            problems.append(f"the ledger state the export was made at ({state[:16]}…) is no longer in the chain")
    real = [p for p in problems if not p.startswith("the export predates")]
    return {
        "ok": not real,
        "export_id": detail.get("export_id"),
        "export_seq": seq,
        "state": {"seq": detail.get("state_seq"), "hash": state},
        "checked_files": len(files),
        "problems": problems,
        "notes": notes,
    }
