"""law.moj JSON files read by DuckDB: the set-based fast path of ``curate ingest law-moj``.

DuckDB parses the official JSON itself (``read_json_objects``) and maps laws to article records in
SQL (``unnest``), building the same ``doc_key``, locator, title, text, metadata JSON and version
metadata as :meth:`sources.law_moj.LawMojSource.to_records` does in Python, byte for byte. The SQL
only handles what it can reproduce exactly: a file in which any law or article falls outside that
(a missing or mistyped field, an article that is neither ``A`` nor ``C``, an empty or oversized
article, an unusual article number, control characters that ``json.dumps`` escapes differently,
a PCODE that occurs twice, a law with unusual identifiers) is left to the Python path as a whole,
so rejections, skips and quarantine rows stay exactly those of the Python path. Laws out of scope
are skips (counted and named like the Python path's).

Accepted files (the rest, and every XML or ZIP file, take the Python path):

* the official bulk wrapper ``{"UpdateDate": "…", "Laws": [ … ]}`` (UTF-8, optional BOM): the bytes of
  the ``Laws`` array are copied to a temporary file that DuckDB reads as an array, one law at a time
  (memory bounded by DuckDB's buffer pool, not by the file);
* a JSON array of law objects; a single law object.

The driver (:mod:`curate.ingest_fast`) stages the rows and writes them with the generic ingest
writer (ids by ``INGEST_RECORD_ID_SQL``, versions, ledger batch events).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance import db
from provenance.envsettings import env_bytes
from sources import capped
from sources.law_moj_sql import (
    ARTICLES_SQL,
    ATTACHMENTS_SQL,
    LAW_ROWS_SQL,
    LAWS_SQL,
    NO_ARTICLES,
    PARSE_SQL,
    RECORDS_SQL,
    RECORDS_VIEW_SQL,
    STRUCTURE_GUARD_BYTES,
    _macros,
    drop_temp,  # noqa: F401 (the driver, curate.ingest_fast, calls it from here)
)

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

#: a sources.law_moj.LawMojSource (not imported: that module imports this one)
LawMojSource = Any

_JSON_WS = rb"[ \t\n\r]*"
_WRAPPER_HEAD = re.compile(
    rb"^(?:\xef\xbb\xbf)?"
    + _JSON_WS
    + rb"\{"
    + _JSON_WS
    + rb'"UpdateDate"'
    + _JSON_WS
    + rb":"
    + _JSON_WS
    + rb'"([^"\\]*)"'
    + _JSON_WS
    + rb","
    + _JSON_WS
    + rb'"Laws"'
    + _JSON_WS
    + rb":"
    + _JSON_WS
    + rb"\["
)
_WRAPPER_TAIL = re.compile(rb"\]" + _JSON_WS + rb"\}" + _JSON_WS + rb"$")
_ARRAY_HEAD = re.compile(rb"^(?:\xef\xbb\xbf)?" + _JSON_WS + rb"\[")
_OBJECT_HEAD = re.compile(rb"^(?:\xef\xbb\xbf)?" + _JSON_WS + rb"\{")
_COPY_CHUNK = 8 * 2**20
_MAX_LAW_BYTES = 64 * 2**20


@dataclass
class BulkJson:
    """A law.moj JSON file the SQL path may take (``kind``: wrapper, array or object)."""

    path: Path
    kind: str
    update_date: str | None = None
    #: the Python path names every law ``file#i`` (streamed bulk file) instead of only when there are several
    always_index: bool = False
    laws: tuple[int, int] | None = None  # byte range of the ``Laws`` array (wrapper)
    source: Any = field(default=None, repr=False)
    source_id: str = "law_moj"

    def fallback(self) -> Iterator:
        """The Python path's raw items of this file."""
        assert self.source is not None
        return self.source.iter_file(self.path)

    # -- SQL --------------------------------------------------------------------------------
    def load(self, con: duckdb.DuckDBPyConnection, tmp_dir: Path) -> LoadedFile:
        """Stage the file's laws and records in temp tables (``ok=False``: the Python path must take the file)."""
        import duckdb

        src = self.path
        if self.kind == "wrapper":
            assert self.laws is not None
            src = tmp_dir / "laws.json"
            _copy_range(self.path, src, *self.laws)
        fmt = "unstructured" if self.kind == "object" else "array"
        # a law is an array element: 64 MiB is far above any law (a larger one declines the file)
        args = {
            "src": str(src),
            "max": _MAX_LAW_BYTES if fmt == "array" else max(2**24, min(src.stat().st_size + 1024, 2**31 - 1)),
        }
        read = f"read_json_objects($src, format='{fmt}', maximum_object_size=$max) WITH ORDINALITY"
        try:
            # the file is read and each law parsed here, straight into its structure and values (no copy of the text)
            con.execute(PARSE_SQL.format(read=read, guard=STRUCTURE_GUARD_BYTES), args)
            return self._map(con, read, args)
        except (
            duckdb.BinderException,
            duckdb.ParserException,
            duckdb.CatalogException,
            duckdb.NotImplementedException,
        ):
            raise  # a fault of this module's SQL, not of the file
        except duckdb.Error as exc:
            return _declined(f"DuckDB could not read it: {str(exc).splitlines()[0][:200]}")
        finally:
            if src != self.path:
                src.unlink(missing_ok=True)

    def _too_deep(self, con: duckdb.DuckDBPyConnection, read: str, args: dict) -> bool:
        """Whether a law nests deeper than MAX_DEPTH (Python's parser refuses deep input: the file is declined).

        ``json_structure`` keeps a law's depth unless it merges values of different kinds (or an empty object)
        into ``"JSON"``; it recurses, so it ran only on laws too small to nest deep enough to hurt. Laws that
        are larger or merged are measured on their text (read again; rare in the official dumps).
        """
        odd = [r[0] for r in con.execute("SELECT law_i FROM _blx WHERE st IS NULL OR contains(st, 'JSON')").fetchall()]
        if odd:
            texts = con.execute(
                f"SELECT json FROM {read} WHERE list_contains($odd, ordinality - 1)"
                " AND strlen(json) - strlen(replace(replace(json, '[', ''), '{', '')) > $depth",
                {**args, "odd": odd, "depth": MAX_DEPTH},
            ).fetchall()
            if any(json_depth(t) > MAX_DEPTH for (t,) in texts):
                return True
            # no law nests deeper than MAX_DEPTH: json_structure is safe on the larger ones now
            con.execute(
                f"UPDATE _blx SET st = json_structure(r.json) FROM (SELECT ordinality - 1 AS i, json FROM {read}) r"
                " WHERE _blx.st IS NULL AND r.i = _blx.law_i",
                args,
            )
        deep = con.execute(
            "SELECT st FROM _blx WHERE NOT contains(st, 'JSON')"
            " AND strlen(st) - strlen(replace(replace(st, '[', ''), '{', '')) > $depth",
            {"depth": MAX_DEPTH},
        ).fetchall()
        return any(json_depth(st) > MAX_DEPTH for (st,) in deep)

    def _map(self, con: duckdb.DuckDBPyConnection, read: str, args: dict) -> LoadedFile:
        src = self.source
        assert src is not None
        n_laws = con.execute("SELECT count(*) FROM _blx").fetchone()[0]
        if n_laws == 0 or (self.kind == "object" and n_laws != 1):
            return _declined("no law or several top-level values")
        if self._too_deep(con, read, args):
            return _declined("nested too deeply")
        many = self.always_index or n_laws > 1
        _macros(con)
        params = {
            "loc": str(self.path),
            "many": many,
            "update": self.update_date,
            **src.scope_params(),
            "wrapper_obj": self.kind == "object",
        }
        con.execute(LAWS_SQL, params)
        bad = con.execute("SELECT law_i, why FROM _blf WHERE why IS NOT NULL ORDER BY law_i LIMIT 1").fetchone()
        if bad:
            return _declined(f"law #{bad[0]}: {bad[1]}")
        dup = con.execute(
            "SELECT container FROM _blf WHERE in_scope GROUP BY container HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
        if dup:
            return _declined(f"{dup[0]} occurs twice")
        con.execute(ARTICLES_SQL, {"max_chars": capped.max_record_chars()})
        con.execute(ATTACHMENTS_SQL)
        con.execute("DROP TABLE _blx")  # the parsed laws are not read again: memory for the records' tables
        bad = con.execute(
            "SELECT law_i, idx, why FROM _bla WHERE why IS NOT NULL ORDER BY law_i, idx LIMIT 1"
        ).fetchone()
        if bad:
            return _declined(f"law #{bad[0]} article #{bad[1]}: {bad[2]}")
        bad = con.execute("SELECT law_i FROM _blatt WHERE odd ORDER BY law_i LIMIT 1").fetchone()
        if bad:
            return _declined(f"law #{bad[0]}: unusual attachment")
        con.execute(LAW_ROWS_SQL, {"licence": src.licence_id})
        with db.settings(
            con, threads=db.all_cores()
        ):  # ids, digests and window functions run in parallel (the parse above does not)
            con.execute(RECORDS_SQL)
        con.execute(RECORDS_VIEW_SQL)
        con.execute("DROP TABLE _blatt")  # only _blf, _bll, _blr and _bla (the texts) are read from here on
        skips = con.execute("SELECT item_loc FROM _blf WHERE NOT in_scope ORDER BY law_i").fetchall()
        # a law with no articles is a named skip, as on the Python path (law_moj.NO_ARTICLES): counted here, not the
        # whole file sent to the Python path for it (an attachment-only regulation in a 12k-law ChOrder.json)
        bare = con.execute(
            "SELECT item_loc || '/' || pcode FROM _blf WHERE in_scope AND law_i NOT IN (SELECT law_i FROM _blr)"
            " ORDER BY law_i"
        ).fetchall()
        zh = [r[0] for r in con.execute("SELECT pcode FROM _blf WHERE in_scope AND lang = 'zh'").fetchall()]
        clash, read = src.laws_read.bulk_clash(
            con, self.update_date, str(self.path)
        )  # a law twice: the Python path quarantines it
        if clash:
            return _declined(clash)
        containers = [
            r[0]
            for r in con.execute(
                "SELECT container FROM _bll WHERE law_i IN (SELECT law_i FROM _blr) ORDER BY law_i"
            ).fetchall()
        ]
        return LoadedFile(
            ok=True,
            items=n_laws,
            skips=[(loc, SCOPE_SKIP) for (loc,) in skips],
            bare=[(loc, NO_ARTICLES) for (loc,) in bare],
            containers=containers,
            on_written=lambda: (src.fsc_pcodes.update(zh), [src.laws_read.note(k, loc, d) for k, loc, d in read]),
        )


@dataclass
class LoadedFile:
    """Outcome of :meth:`BulkJson.load`: the records are the rows of the temp view ``_blv`` (``law_i``: the law)."""

    ok: bool
    items: int = 0
    skips: list[tuple[str, str]] = field(default_factory=list)
    #: laws in scope with no articles: items read, each a named skip (``law_moj.NO_ARTICLES``)
    bare: list[tuple[str, str]] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    declined: str = ""
    #: called once the driver takes the file (the source learns the file's in-scope Chinese PCODEs)
    on_written: Callable[[], Any] | None = None


#: deepest nesting of a law object the SQL path takes (a law is 3 levels deep)
MAX_DEPTH = 64
_ESCAPE_RE = re.compile(r"\\.", re.S)
_STRING_RE = re.compile(r'"[^"]*"')
_BRACKET_RE = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """Deepest nesting of brackets in JSON ``text`` (strings and escapes ignored).

    >>> json_depth('{"a": [1, {"b": "[[["}]}')
    3
    """
    bare = _STRING_RE.sub("", _ESCAPE_RE.sub("", text))
    depth = deepest = 0
    for ch in _BRACKET_RE.findall(bare):
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _declined(why: str) -> LoadedFile:
    return LoadedFile(ok=False, declined=why)


SCOPE_SKIP = "out of scope (--scope fsc)"

#: files smaller than this take the Python path: the SQL path costs ~0.07 s per file whatever its size (its
#: statements' planning, temp tables, the batch), the Python path ~0.1 ms per article, so it is the faster
#: below ~50 laws, ~0.7 MB (docs/benchmarks.md, issue 17). ``CURATE_INGEST_BULK_MIN_BYTES`` overrides it
#: (0: every file the SQL can read goes through it).
BULK_MIN_BYTES = 1 << 20


def bulk_min_bytes() -> int:
    """``$CURATE_INGEST_BULK_MIN_BYTES`` (checked), else :data:`BULK_MIN_BYTES`."""
    return env_bytes("CURATE_INGEST_BULK_MIN_BYTES", BULK_MIN_BYTES)


def classify(path: Path, source: LawMojSource, *, streamed: bool) -> BulkJson | None:
    """The file as a :class:`BulkJson`, or None when its shape is not one the SQL path reads (or it is small).

    ``streamed``: the Python path would stream this file (it names every law ``file#i`` then).
    """
    try:
        size = path.stat().st_size
        if size < bulk_min_bytes():
            return None
        with open(path, "rb") as fh:
            head = fh.read(4096)
            fh.seek(max(0, size - 4096))
            tail = fh.read()
    except OSError:
        return None
    m = _WRAPPER_HEAD.match(head)
    if m:
        if not _WRAPPER_TAIL.search(tail):
            return None
        try:
            update = m.group(1).decode("utf-8")
        except UnicodeDecodeError:
            return None
        end = size - len(tail) + tail.rindex(b"]") + 1
        return BulkJson(
            path,
            "wrapper",
            update_date=update,
            always_index=streamed,
            laws=(m.end() - 1, end),
            source=source,
        )
    if _ARRAY_HEAD.match(head):
        return BulkJson(path, "array", source=source)
    if _OBJECT_HEAD.match(head):
        return BulkJson(path, "object", source=source)
    return None


def _copy_range(src: Path, dst: Path, start: int, end: int) -> None:
    """Copy bytes ``[start, end)`` of ``src`` to ``dst`` (in the kernel where it can)."""
    import os

    with open(src, "rb") as fi, open(dst, "wb") as fo:
        left = end - start
        if hasattr(os, "copy_file_range"):
            try:
                pos = start
                while left > 0:
                    n = os.copy_file_range(fi.fileno(), fo.fileno(), left, pos)
                    if n <= 0:
                        break
                    pos += n
                    left -= n
            except OSError:
                fo.seek(0)
                fo.truncate()
                left = end - start
        fi.seek(end - left)
        while left > 0:
            buf = fi.read(min(_COPY_CHUNK, left))
            if not buf:
                break
            fo.write(buf)
            left -= len(buf)


def holds_any(con: duckdb.DuckDBPyConnection, needles: tuple[str, ...]) -> bool:
    """Whether a staged record's text, title or metadata could hold one of ``needles``: the tables the records view
    reads, each column on its own (articles' texts, headings and numbers; laws' names and metadata), no record
    assembled; an article no record takes may answer yes (the Python path then decides)."""
    cols = {"_bla": ("content", "heading", "number_raw"), "_bll": ("name_s", "name_l", "meta_head", "meta_tail")}
    for table, names in cols.items():
        where = " OR ".join(f"contains({c}, ${i + 1})" for i in range(len(needles)) for c in names)
        if con.execute(f"SELECT count(*) > 0 FROM {table} WHERE {where}", list(needles)).fetchone()[0]:
            return True
    return False
