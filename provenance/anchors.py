"""Ledger head anchors: a head (seq, hash, count) kept outside the database.

``curate audit anchor --append FILE`` writes the head to the auditor's file; ``curate audit verify --anchor FILE``
proves that every anchored head is still in the chain, which catches truncation and a recomputed chain even when
the tables that point at the ledger (runs, exports, withdrawals: :mod:`provenance.crosscheck`) were cut too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from provenance import ledger
from provenance.errors import LedgerError, UsageError
from provenance.export_out import refuse_overlap
from provenance.verdicts import VERDICT_BATCH


@dataclass(frozen=True, slots=True)
class Anchor:
    """A ledger head kept outside the database: ``count`` events, the newest with ``hash``."""

    seq: int
    hash: str
    count: int
    at: str
    catalogue: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "count": self.count, "at": self.at, "catalogue": self.catalogue}


def current_anchor(con: duckdb.DuckDBPyConnection, catalogue: str = "") -> Anchor:
    """The head of the ledger now, as an anchor to keep outside the database.

    Raises:
        LedgerError: the chain does not verify (:func:`provenance.ledger.verify`): an anchor certifies the history
            up to its head, so a broken one is never anchored.
    """
    chain = ledger.verify(con)
    if not chain.ok:
        raise LedgerError(
            f"the ledger is broken at {chain.at} ({chain.reason}): its head is not anchored, since an anchor"
            " certifies the history up to it; run `curate audit verify` to see what was changed"
        )
    seq, h = ledger.head(con)
    beyond = positions_not_in_chain(con, seq)
    if beyond:
        raise LedgerError(
            f"the ledger's head is seq {seq}, but the catalogue names ledger positions its chain does not hold"
            f" ({'; '.join(beyond)}): events were cut off its end or the chain was rewritten; its head is not"
            " anchored, since an anchor would certify that history; run `curate audit verify` to see what was changed"
        )
    count = con.execute("SELECT count(*) FROM provenance_events").fetchall()[0][0]
    at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return Anchor(seq=seq, hash=h, count=count, at=at, catalogue=catalogue)


#: rows that name a ledger position by seq: ``(table, seq column, label SQL, the action of the event there)``; none
#: may lie past the head, and the event at each (but a run's head: any event) must be of its action: one cut off the
#: end and replaced by later appends (the next export, say) leaves the row pointing at another event
_POSITIONS = (
    ("runs", "ledger_seq", "'run ' || run_id", None),
    ("exports", "export_seq", "'export ' || export_id", "export"),
    ("withdrawals", "withdrawal_seq", "'withdrawal of ' || scope || ' ' || target", "withdrawal"),
    ("reinstatements", "reinstatement_seq", "'reinstatement'", "reinstatement"),
    ("verdict_members", "batch_seq", "'verdict members'", VERDICT_BATCH),
)


def positions_not_in_chain(con: duckdb.DuckDBPyConnection, head_seq: int, limit: int = 3) -> list[str]:
    """What the catalogue records about the ledger that a chain ending at ``head_seq`` does not hold: a row naming a
    seq past the head (a run's head, an export's, withdrawal's or reinstatement's event, a verdict batch) or one
    whose event is not there (another event holds its seq: the tail was cut and later events appended), a finished
    run's head hash or an export event's recorded state that the chain no longer has. Any of them means events were
    cut off the end or the chain was recomputed; :func:`current_anchor` refuses to anchor such a head (an anchor taken
    then would certify the cut history, and the evidence would be gone once those rows are cut too)."""
    from provenance.crosscheck_base import has_column
    from provenance.crosscheck_rows import EXPORT_STATE

    found: list[str] = []
    for table, col, label, action in _POSITIONS:
        if not has_column(con, table, col):
            continue
        other = f" OR e.action IS DISTINCT FROM '{action}'" if action else ""
        found += [
            f"{r[0]} at seq {r[1]}"
            + ("" if r[1] is not None and r[1] > head_seq else f", which holds no {action} event")
            for r in con.execute(
                f"SELECT t.l, t.s FROM (SELECT DISTINCT {label} AS l, {col} AS s FROM {table}) t"
                f" LEFT JOIN provenance_events e ON e.seq = t.s WHERE t.s > {int(head_seq)}{other}"
                f" ORDER BY 2, 1 LIMIT {limit}"
            ).fetchall()
        ]
    if has_column(con, "runs", "ledger_hash"):
        found += [
            f"run {r[0]} finished at seq {r[1]} with a hash the chain no longer has"
            for r in con.execute(
                "SELECT r.run_id, r.ledger_seq FROM runs r JOIN provenance_events e ON e.seq = r.ledger_seq"
                f" WHERE r.ledger_seq > 0 AND e.hash IS DISTINCT FROM r.ledger_hash ORDER BY 2, 1 LIMIT {limit}"
            ).fetchall()
        ]
    found += [
        f"export event {r[0]} names a ledger state the chain no longer has"
        for r in con.execute(f"SELECT * FROM ({EXPORT_STATE}) LIMIT {limit}").fetchall()
    ]
    return found


def append_anchor(
    path: str | Path,
    anchor: Anchor,
    catalogue: list[Path] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> None:
    """Append ``anchor`` as one JSON line to the auditor's anchor file (created if missing).

    Refused when ``path`` is one of the ``catalogue``'s files (:func:`provenance.export_out.catalogue_files`), or
    an existing file that is not an anchor file: appending would damage it; and, given the catalogue's ``con``, when
    the file holds a head that chain does not hold (:func:`refuse_other_chain`)."""
    p = Path(path)
    refuse_overlap(p, catalogue or [], option="--append", kind="file")
    created = not p.exists()
    if not created and (not p.is_file() or p.stat().st_size):
        try:
            held = read_anchors(p)
        except _CutLine:
            raise
        except UsageError as exc:
            raise UsageError(
                f"--append `{p}` exists and is not an anchor file (JSON lines with seq and hash); appending would"
                " damage it: name a new file or an anchor file"
            ) from exc
        if con is not None:
            refuse_other_chain(con, p, held)
    line = (json.dumps(anchor.as_dict(), sort_keys=True) + "\n").encode("utf-8")
    with p.open("a+b", buffering=0) as fh:
        _lock(fh.fileno())
        size = fh.seek(0, os.SEEK_END)
        # a file saved without its last line end (an editor): the anchor was appended to that line, damaging both
        lead = b"\n" if size and fh.seek(size - 1) >= 0 and fh.read(1) != b"\n" else b""
        try:
            data = memoryview(lead + line)
            while data:
                data = data[os.write(fh.fileno(), data) :]
            os.fsync(fh.fileno())  # the auditor's copy: on disk when the command says it was appended
        except OSError:  # a full disk, a quota, a file-size limit: what was written would be a cut-off last line
            _take_back(fh.fileno(), size)
            raise
    if created:
        with contextlib.suppress(OSError):  # its name too (a folder that cannot be opened: not ours to sync)
            fd = os.open(p.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


#: flock errors of a filesystem that has no locks (NFS without its lock daemon: ENOLCK; some FUSE mounts)
_NO_LOCKS = frozenset({errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL})


def _lock(fd: int) -> None:
    """Lock the anchor file open as ``fd`` for an append: two appends at once take turns, each line whole. Where
    its filesystem has no locks the append goes on unlocked (a single ``O_APPEND`` write still keeps each line
    whole): it was refused with a traceback (review 17), an auditor's anchor file on NFS is common."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as exc:
        if exc.errno not in _NO_LOCKS:
            raise


def _take_back(fd: int, size: int) -> None:
    """Cut the anchor file open as ``fd`` back to the ``size`` it had before a failed append (a new one: empty, which
    the next append takes as new), not a cut-off last line that `verify --anchor` and the next append refuse until it
    is removed by hand. Under the append's lock, so no other append's line is cut."""
    with contextlib.suppress(OSError):
        os.ftruncate(fd, size)
        os.fsync(fd)


def refuse_other_chain(con: duckdb.DuckDBPyConnection, p: Path, held: list[Anchor]) -> None:
    """Refuse to append to anchor file ``p`` when a head it holds (``held``, but the empty ledger's, which every chain
    has) is not in ``con``'s chain as anchored: the file is another catalogue's, or this chain was cut or rewritten
    since. Appending would put a head the file's catalogue never had into its file (its `verify --anchor` then fails
    for it), or a new head beside the ones that prove the cut.

    Raises:
        LedgerError: naming the first such head and how to go on.
    """
    vouching = [a for a in held if a.seq > 0 or a.hash != ledger.GENESIS]  # a forged seq-0 line is named too
    problems = check_anchors(con, vouching) if vouching else []
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise LedgerError(
            f"anchor file `{p}` holds heads that are not in this catalogue's chain: {problems[0]}{more}; nothing was"
            " appended: it is another catalogue's anchor file (name this catalogue's own, or a new file), or this"
            " chain was cut or rewritten since (run `curate audit verify --anchor` on it)"
        )


class _CutLine(UsageError):
    """The anchor file's last line is cut off: a write that did not end (a crash, a full disk)."""


#: the longest anchor line read (one is about 200 bytes, with the catalogue's path); a longer one is no anchor line
MAX_LINE = 64 * 1024


def read_anchors(path: str | Path) -> list[Anchor]:
    """Every anchor in an anchor file (JSON lines with ``seq`` and ``hash``).

    Read a line at a time, each at most :data:`MAX_LINE` bytes: a file that is no anchor file (the catalogue itself,
    named by mistake) is refused at its first line, never read whole (a 400 MB file took 840 MB before)."""
    p = Path(path)
    if not p.exists():
        raise UsageError(f"anchor file `{p}` does not exist; write one with `curate audit anchor --append {p}`")
    if not p.is_file():
        raise UsageError(
            f"anchor file `{p}` is not a regular file (a device, a pipe or a folder), so not an anchor file;"
            " name the file `curate audit anchor --append FILE` writes"
        )
    out: list[Anchor] = []
    # bytes read as latin-1 characters, one each, so a line ends at \n, \r\n or a lone \r (an old Mac editor's
    # file is lines, not one line longer than MAX_LINE) and is bounded in bytes; each is decoded as UTF-8 below
    with p.open("r", encoding="latin-1", newline="") as fh:
        n = offset = 0
        while line_chars := fh.readline(MAX_LINE + 1):
            raw = line_chars.encode("latin-1")
            if len(raw) > MAX_LINE:
                raise UsageError(
                    f"anchor file `{p}` line {n + 1} is longer than {MAX_LINE} bytes, so not an anchor file (was"
                    " another file named?); write anchors with `curate audit anchor --append FILE`"
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise UsageError(
                    f"anchor file `{p}` is not UTF-8 text (byte {offset + exc.start}), so not an anchor file; "
                    "write anchors with `curate audit anchor --append FILE`"
                ) from exc
            offset += len(raw)
            ended = raw.endswith((b"\n", b"\r"))
            parts = text.splitlines()
            for i, line in enumerate(parts):
                n += 1
                if line.strip():
                    last = not ended and i == len(parts) - 1
                    out.append(_line_anchor(p, n, line, whole=len(out) if last else 0))
    return out


def _line_anchor(p: Path, n: int, line: str, *, whole: int) -> Anchor:
    """Line ``n`` of anchor file ``p`` as an anchor; ``whole``: the anchors before it when it is the last line and
    has no line end (a write that did not end), else 0."""
    try:
        return _anchor(json.loads(line))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if whole and line.lstrip().startswith("{"):
            raise _CutLine(
                f"anchor file `{p}` line {n}, its last, is cut off ({exc}): a write that did not end (a crash,"
                f" a full disk?); the {whole} anchor(s) before it are whole: remove that line (or restore the"
                " file from the auditor's copy) and run the command again"
            ) from exc
        raise UsageError(
            f"anchor file `{p}` line {n} is not an anchor (JSON with seq and hash): {exc}; "
            "write anchors with `curate audit anchor --append FILE`"
        ) from exc


def _count(d: dict[str, Any], key: str, default: Any = None) -> int:
    v = d.get(key, default)
    if type(v) is not int or v < 0:  # not a bool, a float or a negative number read as a seq
        raise ValueError(f"{key} {v!r} is not a whole number >= 0")
    return v


def _anchor(d: dict[str, Any]) -> Anchor:
    """One anchor line, checked: ``seq`` and ``count`` whole numbers, ``hash`` 64 hex digits."""
    h = d["hash"]
    if not isinstance(h, str) or len(h) != 64 or any(c not in "0123456789abcdef" for c in h):
        raise ValueError(f"hash {h!r} is not 64 hex digits")
    seq = _count(d, "seq")
    return Anchor(seq, h, _count(d, "count", seq), str(d.get("at") or "time not recorded"), str(d.get("catalogue", "")))


#: the largest seq the ledger can hold (BIGINT): an anchor naming a larger one is missing from any chain
_MAX_SEQ = 2**63 - 1


def _heads(con: duckdb.DuckDBPyConnection, seqs: list[int]) -> dict[int, tuple[str | None, int]]:
    """``{seq: (hash, events up to it)}`` of the anchored ``seqs`` the ledger holds, in one query: an anchor file
    of an hourly job holds thousands of heads, and two queries each took 1.6 ms even on a small ledger."""
    wanted = sorted({s for s in seqs if 0 < s <= _MAX_SEQ})
    if not wanted:
        return {}
    from provenance.db import execute

    rows = execute(
        con,
        "WITH a AS (SELECT unnest($1::BIGINT[]) AS s),"
        " c AS (SELECT seq, count(*) OVER (ORDER BY seq) AS held FROM provenance_events WHERE seq IS NOT NULL)"
        " SELECT DISTINCT ON (e.seq) e.seq, e.hash, c.held FROM c JOIN a ON c.seq = a.s"
        " JOIN provenance_events e ON e.seq = c.seq",
        [wanted],
    ).fetchall()
    return {seq: (h, held) for seq, h, held in rows}


def check_anchors(con: duckdb.DuckDBPyConnection, anchors: list[Anchor]) -> list[str]:
    """Problems with ``anchors``: each anchored head must still be in the chain with the same hash, and the ledger
    must hold the anchor's ``count`` events up to it (a line whose count disagrees was altered). ``catalogue`` is not
    compared: it is the path the catalogue had then, and a moved copy or a backup is verified under another one."""
    if not anchors:  # an emptied anchor file vouches for nothing: "0 anchored heads ok" would read as a pass
        return [
            "the anchor file holds no anchor, so nothing outside the catalogue vouches for its chain (was it emptied"
            " or overwritten?); verify against the auditor's own copy, or start one with `curate audit anchor --append`"
        ]
    problems = []
    total = con.execute("SELECT count(*) FROM provenance_events").fetchall()[0][0]
    if total and all(a.seq == 0 and a.hash == ledger.GENESIS for a in anchors):
        # the genesis is in every chain, an emptied or rewritten one's too: no more than none once there are events
        # (while the ledger is still empty it is the whole chain: a new catalogue's first anchor is no failure)
        return [
            "the anchor file holds only the empty ledger's head (seq 0), which every chain has, so nothing outside the"
            f" catalogue vouches for its {total} events (anchored only before the first event, or overwritten?);"
            " verify against the auditor's own copy, or append an anchor of the ledger now"
            " (`curate audit anchor --append`)"
        ]
    found = _heads(con, [a.seq for a in anchors])
    for a in anchors:
        if a.seq == 0:
            if a.hash != ledger.GENESIS:
                problems.append(f"anchor seq 0 has hash {a.hash[:12]}…, not the genesis hash")
            continue
        if a.seq not in found:
            problems.append(
                f"anchored head seq {a.seq} (taken {a.at}) is missing: the ledger has {total} events; "
                "events were deleted from its end (truncation)"
            )
            continue
        h, held = found[a.seq]
        if held != a.count:
            problems.append(
                f"anchor seq {a.seq} (taken {a.at}) says {a.count} events, the ledger holds {held} up to it: the"
                " anchor line was altered (an anchor's count is the events up to its head); compare the file with"
                " the auditor's own copy"
            )
        if h != a.hash:
            now = f"{h[:12]}…" if h else "none (NULL)"
            problems.append(
                f"anchored head seq {a.seq} (taken {a.at}) has hash {now}, anchored {a.hash[:12]}…: "
                "the chain up to it was rewritten"
            )
    return problems
