"""``curate audit verify-export DIR``: does an export folder still hold what the catalogue recorded?

The export event (ledger) lists every file the export wrote with its sha256, the manifest's sha256
and the ledger state (seq + hash) the export was made at. This recomputes the folder's hashes and
names every changed, missing or extra file, checks ``manifest.jsonl`` against ``export_items``,
and checks that the export's ledger state is still in the chain. Read-only.

After ``curate pii rekey`` (issue 13) the catalogue holds keyed ids and digests where the folder's
manifest has the old plain ones: ids are translated through ``pii_rekey_map``; a keyed digest is
compared with the key's digest function when given, otherwise counted as not checked without the key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from provenance.errors import CatalogueError, UsageError
from provenance.export_out import sha256_file
from provenance.records import is_keyed_digest


def _find_export(con: duckdb.DuckDBPyConnection, out: Path, export_id: str | None) -> tuple[int, dict[str, Any]]:
    """``(export_seq, event detail)`` of the export that wrote ``out``."""
    if export_id:
        rows = con.execute(
            "SELECT export_seq FROM exports WHERE export_id = ? ORDER BY export_seq DESC", [export_id]
        ).fetchall()
    else:
        manifest = out / "manifest.jsonl"
        digest = sha256_file(manifest) if manifest.is_file() else ""
        rows = con.execute(
            "SELECT export_seq FROM exports WHERE manifest_sha256 = ? OR out_dir = ? ORDER BY export_seq DESC",
            [digest, str(out.resolve())],
        ).fetchall()
    if not rows:
        raise UsageError(
            f"no export in the catalogue matches `{out}`; pass --export EXPORT_ID (see `curate audit exports`)"
        )
    seq = rows[0][0]
    ev = con.execute(f"SELECT detail FROM provenance_events WHERE seq = {int(seq)} AND action = 'export'").fetchall()
    if not ev:
        raise CatalogueError(f"the export event at seq {seq} is missing from the ledger; run `curate audit verify`")
    return seq, json.loads(ev[0][0])


def _rekeyed(
    con: duckdb.DuckDBPyConnection,
    listed: dict[str, str | None],
    items: dict[str, str | None],
    key_digest: Callable[[str], str] | None,
) -> tuple[dict[str, str | None], int]:
    """``listed`` (the folder's manifest) in the catalogue's current ids and digests; and how many keyed
    digests could not be checked (no key)."""
    has_map = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'pii_rekey_map'"
    ).fetchall()[0][0]
    if has_map and listed:
        mapping = dict(
            con.execute(
                "SELECT old_id, new_id FROM pii_rekey_map WHERE old_id IN (SELECT unnest($ids))", {"ids": list(listed)}
            ).fetchall()
        )
        listed = {mapping.get(k, k): v for k, v in listed.items()}
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
        raise UsageError(f"`{out}` is not a folder")
    seq, detail = _find_export(con, out, export_id)
    problems: list[str] = []
    files: dict[str, str] = detail.get("files") or {}
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != ".lock"}
    if not files:
        problems.append("the export predates per-file hashes: only its manifest is checked")
    for name, digest in sorted(files.items()):
        if name not in present:
            problems.append(f"missing file: {name}")
        elif sha256_file(out / name) != digest:
            problems.append(f"changed file: {name}")
    if files:
        problems += [f"extra file: {name}" for name in sorted(present - set(files))]
    manifest = out / "manifest.jsonl"
    if manifest.is_file():
        if sha256_file(manifest) != detail.get("manifest_sha256"):
            problems.append("manifest.jsonl differs from the manifest sha256 in the export event")
        listed = {}
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                listed[row["record_id"]] = row.get("content_sha256")
        items = dict(
            con.execute(
                "SELECT record_id, content_sha256 FROM export_items WHERE export_id = ?", [detail.get("export_id")]
            ).fetchall()
        )
        listed, unchecked = _rekeyed(con, listed, items, key_digest)
        if unchecked:
            notes.append(
                f"{unchecked} exported records have keyed digests in the catalogue since a rekey or sealing: "
                "not checked without the key (set CURATE_PII_KEY or CURATE_PII_KEY_FILE)"
            )
        if listed != items:
            diff = len(set(listed) ^ set(items)) + sum(1 for k in set(listed) & set(items) if listed[k] != items[k])
            problems.append(f"manifest.jsonl and the catalogue's export_items disagree on {diff} records")
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
