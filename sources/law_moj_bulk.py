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
from provenance.envsettings import env_int
from provenance.records import INGEST_RECORD_ID_SQL
from sources import capped

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

#: a sources.law_moj.LawMojSource (not imported: that module imports this one)
LawMojSource = Any

#: characters Python's ``str.strip()`` removes (``str.isspace``), for DuckDB's ``trim(s, chars)``
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
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
        zh = [r[0] for r in con.execute("SELECT pcode FROM _blf WHERE in_scope AND lang = 'zh'").fetchall()]
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
            containers=containers,
            on_written=lambda: src.fsc_pcodes.update(zh),
        )


@dataclass
class LoadedFile:
    """Outcome of :meth:`BulkJson.load`: the records are the rows of the temp view ``_blv`` (``law_i``: the law)."""

    ok: bool
    items: int = 0
    skips: list[tuple[str, str]] = field(default_factory=list)
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
    return env_int("CURATE_INGEST_BULK_MIN_BYTES", BULK_MIN_BYTES, minimum=0, unit="bytes")


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


def _macros(con: duckdb.DuckDBPyConnection) -> None:
    # each pattern and character set is one literal: built of chr() calls it was planned again at every use,
    # 0.2 s of planning per file (a directory of single-law files took 25x the Python path's time)
    con.execute(
        f"CREATE OR REPLACE TEMP MACRO _pystrip(s) AS CASE WHEN regexp_matches(s, '^[{_WS_RE}]|[{_WS_RE}]$')"
        f" THEN trim(s, {_WS_SQL}) ELSE s END"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO _canon(s) AS"
        " CASE WHEN contains(s, chr(13)) THEN regexp_replace(s, '\\r\\n?', chr(10), 'g') ELSE s END"
    )
    con.execute(f"CREATE OR REPLACE TEMP MACRO _pyblank(s) AS regexp_matches(s, '^[{_WS_RE}]*$')")
    con.execute("CREATE OR REPLACE TEMP MACRO _js(s) AS coalesce(to_json(s)::VARCHAR, 'null')")
    # characters json.dumps escapes in lower-case hex and DuckDB's to_json in upper case
    con.execute(f"CREATE OR REPLACE TEMP MACRO _odd(s) AS coalesce(regexp_matches(s, '{_ODD_RE}'), false)")


# law-level fields (1-based positions in the path lists below)
_LAW_PATHS = [
    "$.LawName",  # 1
    "$.LawURL",  # 2
    "$.EngLawURL",  # 3
    "$.LawArticles",  # 4
    "$.EngLawArticles",  # 5
    "$.LawCategory",  # 6
    "$.LawModifiedDate",  # 7
    "$.EngLawModifiedDate",  # 8
    "$.LawEffectiveDate",  # 9
    "$.LawEffectiveNote",  # 10
    "$.LawAbandonNote",  # 11
    "$.EngLawAbandonNote",  # 12
    "$.EngLawName",  # 13
    "$.LawLevel",  # 14
    "$.LawAttachements",  # 15
    "$.EngLawAttachements",  # 16
]
_PATHS_SQL = "[" + ", ".join(f"'{p}'" for p in _LAW_PATHS) + "]"
_STR_FIELDS = (1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14)
#: PY_WHITESPACE as a SQL string literal (the characters themselves, for ``trim``) and as an RE2 class body
_WS_SQL = f"'{PY_WHITESPACE}'"
_WS_RE = "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE)
_ODD_RE = "[\\x{b}\\x{e}\\x{f}\\x{1a}-\\x{1f}]"

#: laws up to this size go through ``json_structure`` as they are read: too small to nest deep enough for its
#: recursion to exhaust a thread's stack (~17,500 object levels on an 8 MiB stack; a level takes >= 5 bytes)
STRUCTURE_GUARD_BYTES = 32 * 1024

#: each law read and parsed for its types (json_structure) and its values (json_transform), in one statement
PARSE_SQL = """
CREATE OR REPLACE TEMP TABLE _blx AS
SELECT ordinality - 1 AS law_i, CASE WHEN strlen(json) <= {guard} THEN json_structure(json) END AS st,
       json_transform(json, '{{
    "LawName": "VARCHAR", "LawURL": "VARCHAR", "EngLawURL": "VARCHAR", "LawCategory": "VARCHAR",
    "LawModifiedDate": "VARCHAR", "EngLawModifiedDate": "VARCHAR", "LawEffectiveDate": "VARCHAR",
    "LawEffectiveNote": "VARCHAR", "LawAbandonNote": "VARCHAR", "EngLawAbandonNote": "VARCHAR",
    "EngLawName": "VARCHAR", "LawLevel": "VARCHAR",
    "LawArticles": [{{"ArticleType": "VARCHAR", "ArticleNo": "VARCHAR", "ArticleContent": "VARCHAR",
                     "ArticleConctent": "VARCHAR"}}],
    "EngLawArticles": [{{"EngArticleType": "VARCHAR", "EngArticleNo": "VARCHAR", "EngArticleContent": "VARCHAR"}}],
    "LawAttachements": [{{"FileName": "VARCHAR", "FileURL": "VARCHAR"}}],
    "EngLawAttachements": [{{"FileName": "VARCHAR", "FileURL": "VARCHAR"}}]}}') AS x
FROM {read}
"""

#: one row per law: checks (``why`` names the first thing the SQL cannot reproduce), scope and law metadata
LAWS_SQL = f"""
CREATE OR REPLACE TEMP TABLE _blf AS
WITH f AS (
    SELECT law_i, json_type(st) AS jt, eng, json_exists(st, '$.Laws') AS has_laws,
           -- json_structure: the JSON type of each field ('VARCHAR', 'NULL', ...; SQL NULL when absent); the
           -- types of every article (or attachment) merged into one, so one look covers all of them
           json_extract_string(st, {_PATHS_SQL}) AS t, json_type(st, {_PATHS_SQL}) AS tt,
           [x.LawName, x.LawURL, x.EngLawURL, NULL, NULL, x.LawCategory, x.LawModifiedDate, x.EngLawModifiedDate,
            x.LawEffectiveDate, x.LawEffectiveNote, x.LawAbandonNote, x.EngLawAbandonNote, x.EngLawName, x.LawLevel]
               AS v,
           CASE WHEN eng THEN json_type(st, '$.EngLawArticles[0]') = 'OBJECT'
                              OR json_extract_string(st, '$.EngLawArticles[0]') = 'NULL'
                ELSE json_type(st, '$.LawArticles[0]') = 'OBJECT' OR json_extract_string(st, '$.LawArticles[0]') = 'NULL'
           END AS arts_objects,
           list_bool_and([y IS NULL OR y IN ('VARCHAR', 'NULL') FOR y IN json_extract_string(st, [
               '$.LawArticles[0].ArticleType', '$.LawArticles[0].ArticleNo', '$.LawArticles[0].ArticleContent',
               '$.LawArticles[0].ArticleConctent', '$.EngLawArticles[0].EngArticleType',
               '$.EngLawArticles[0].EngArticleNo', '$.EngLawArticles[0].EngArticleContent',
               '$.LawAttachements[0].FileName', '$.LawAttachements[0].FileURL',
               '$.EngLawAttachements[0].FileName', '$.EngLawAttachements[0].FileURL'])]) AS arts_strings,
           CASE WHEN eng THEN json_type(st, '$.EngLawAttachements[0]') ELSE json_type(st, '$.LawAttachements[0]') END
               IN ('OBJECT', 'VARCHAR') AS atts_ok
    FROM (SELECT *, json_exists(st, '$.EngLawArticles') OR json_exists(st, '$.EngLawURL') AS eng FROM _blx)),
g AS (
    SELECT *, CASE WHEN eng AND t[3] IS NOT NULL THEN 3 ELSE 2 END AS url_i,
           CASE WHEN eng THEN 5 ELSE 4 END AS arts_i, CASE WHEN eng THEN 16 ELSE 15 END AS att_i,
           CASE WHEN eng THEN 'en' ELSE 'zh' END AS lang
    FROM f),
h AS (
    SELECT *, v[url_i] AS url,
           upper(regexp_extract(coalesce(v[url_i], ''), '(?i)pcode=([A-Z][0-9]{{7}})', 1)) AS pcode,
           _pystrip(coalesce(v[6], '')) AS category,
           _pystrip(_canon(coalesce(v[10], ''))) AS effective_note,
           CASE WHEN $many THEN $loc || '#' || law_i ELSE $loc END AS item_loc
    FROM g),
c AS (
    SELECT *,
      CASE
        WHEN jt IS DISTINCT FROM 'OBJECT' THEN 'not an object'
        WHEN $wrapper_obj AND has_laws THEN 'a wrapper object'
        WHEN t[1] IS NULL OR t[url_i] IS NULL OR t[arts_i] IS NULL THEN 'missing fields'
        WHEN NOT list_bool_and([t[i] IS NULL OR t[i] IN ('VARCHAR', 'NULL') FOR i IN {list(_STR_FIELDS)}])
            THEN 'a field is not a string'
        WHEN tt[arts_i] <> 'ARRAY' THEN 'articles not a list'
        WHEN NOT arts_objects THEN 'an article is not an object'
        WHEN NOT arts_strings THEN 'an article field is not a string'
        WHEN NOT (t[att_i] IS NULL OR t[att_i] = 'NULL' OR tt[att_i] = 'ARRAY') THEN 'attachments not a list'
        WHEN tt[att_i] = 'ARRAY' AND NOT atts_ok THEN 'an attachment is not an object'
        WHEN regexp_matches(coalesce(url, ''), '[^\\x00-\\x7f]') THEN 'non-ASCII URL'
        WHEN pcode = '' THEN 'no PCODE'
        WHEN list_bool_or([_odd(v[i]) FOR i IN {list(_STR_FIELDS)}]) OR _odd($loc) OR _odd($update)
            THEN 'control characters'
        WHEN NOT regexp_matches(coalesce(CASE WHEN eng THEN v[8] ELSE v[7] END, ''), '^[ !#-\\[\\]-~]*$')
            THEN 'unusual modification date'
      END AS why
    FROM h),
s AS (
    SELECT *,
      $all OR list_contains($allow, pcode) OR (NOT eng AND (starts_with(category, $fsc_prefix)
          OR list_contains($fsc_repealed, category))) AS zh_scope
    FROM c)
SELECT law_i, eng, lang, pcode, why, item_loc,
       'law_moj:' || pcode || ':' || lang AS container,
       -- an English law is in scope when its Chinese law is (earlier in this file, this run or the catalogue)
       -- (coalesce: with no Chinese law in scope the window is NULL, and a NULL here lost the skip from the report)
       zh_scope OR (eng AND (list_contains($known, pcode) OR coalesce(
           min(CASE WHEN NOT eng AND zh_scope THEN law_i END) OVER (PARTITION BY pcode) < law_i, false))) AS in_scope,
       _pystrip(coalesce(CASE WHEN eng THEN v[13] ELSE v[1] END, 'None')) AS name_s,
       ltrim(coalesce(CASE WHEN eng THEN v[13] ELSE v[1] END, 'None'), {_WS_SQL}) AS name_l,
       nullif(CASE WHEN eng THEN v[8] ELSE v[7] END, '') AS as_of,
       -- json.dumps(law_meta, ensure_ascii=False) without its closing brace
       '{{"pcode": ' || _js(pcode) || ', "law_name": ' || _js(v[1])
         || ', "eng_law_name": ' || _js(nullif(_pystrip(coalesce(v[13], '')), ''))
         || ', "law_level": ' || _js(v[14]) || ', "law_category": ' || _js(nullif(category, ''))
         || ', "law_modified_date": ' || _js(nullif(CASE WHEN eng THEN v[8] ELSE v[7] END, ''))
         || ', "law_effective_date": ' || _js(nullif(_pystrip(coalesce(v[9], '')), ''))
         || ', "law_effective_note": ' || _js(nullif(effective_note, ''))
         || ', "repealed": ' || CASE WHEN _pystrip(coalesce(CASE WHEN eng THEN v[12] ELSE v[11] END, '')) = '廢'
                                    THEN 'true' ELSE 'false' END
         || ', "attachments": ' AS law_head,
       ', "update_date": ' || _js($update) || ', "origin": ' || _js($loc)
         || ', "copyright_status": "excluded (TW Copyright Act Art. 9(1)(1)-(2))"' AS law_tail,
       -- json.dumps(version_meta, sort_keys=True, ensure_ascii=False)
       '{{"law_category": ' || _js(nullif(category, '')) || ', "law_effective_note_sha256": "'
         || substr(sha256(effective_note), 1, 16) || '", "law_level": ' || _js(v[14]) || ', "law_name": '
         || _js(v[1]) || ', "repealed": '
         || CASE WHEN _pystrip(coalesce(CASE WHEN eng THEN v[12] ELSE v[11] END, '')) = '廢'
                 THEN 'true' ELSE 'false' END || '}}' AS version_meta
FROM s
"""

#: one row per article of the in-scope laws (``why``: what the SQL cannot reproduce), then attachments
ARTICLES_SQL = """
CREATE OR REPLACE TEMP TABLE _bla AS
-- not materialised: a CTE read twice is copied whole by default (every article's text, 4 of 7 s at 1M articles)
WITH x AS NOT MATERIALIZED (SELECT law_i, eng, x FROM _blf JOIN _blx USING (law_i) WHERE in_scope),
a AS (
    SELECT law_i, false AS eng, unnest(x.LawArticles) AS a, generate_subscripts(x.LawArticles, 1) - 1 AS idx
    FROM x WHERE NOT eng),
e AS (
    SELECT law_i, true AS eng, unnest(x.EngLawArticles) AS a, generate_subscripts(x.EngLawArticles, 1) - 1 AS idx
    FROM x WHERE eng),
g AS (
    SELECT law_i, idx, eng, a.ArticleType AS atype, _pystrip(coalesce(a.ArticleNo, '')) AS number_raw,
           _canon(coalesce(a.ArticleContent, a.ArticleConctent)) AS content
    FROM a
    UNION ALL
    SELECT law_i, idx, eng, a.EngArticleType, _pystrip(coalesce(a.EngArticleNo, '')), _canon(a.EngArticleContent)
    FROM e),
n AS (
    SELECT *,
      replace(coalesce(
        nullif(CASE WHEN eng THEN regexp_extract(number_raw, '^ *(?i:article) +([0-9]+(?: *- *[0-9]+)?) *$', 1) END, ''),
        nullif(regexp_extract(number_raw, '^ *(?:第 *)?([0-9]+(?: *- *[0-9]+)?) *(?:條)? *$', 1), '')), ' ', '')
        AS number
    FROM g)
SELECT law_i, idx, atype, number_raw, number, content,
       CASE WHEN atype = 'C' THEN coalesce(nullif(_pystrip(coalesce(content, '')), ''), chr(0)) END AS heading,
       CASE
         WHEN atype IS NULL OR atype NOT IN ('A', 'C') THEN 'not an article or heading'
         WHEN atype = 'C' AND _odd(content) THEN 'control characters'
         WHEN atype = 'C' THEN NULL
         WHEN content IS NULL OR number IS NULL THEN 'no number or content'
         WHEN _pyblank(content) THEN 'empty text'
         WHEN length(content) > $max_chars THEN 'too large'
         WHEN regexp_matches(number, '[0-9]{5}') THEN 'long article number'
         WHEN _odd(number_raw) THEN 'control characters'
       END AS why
FROM n
"""

#: the stored JSON of each in-scope law's attachments; ``odd`` when one is not what the SQL reproduces
ATTACHMENTS_SQL = """
CREATE OR REPLACE TEMP TABLE _blatt AS
SELECT law_i, '[' || coalesce(string_agg('{"file_name": ' || _js(a.FileName) || ', "file_url": ' || _js(a.FileURL) || '}',
                                         ', ' ORDER BY k), '') || ']' AS att,
       bool_or(_odd(a.FileName) OR _odd(a.FileURL)) AS odd
FROM (SELECT law_i, unnest(atts) AS a, generate_subscripts(atts, 1) AS k
      FROM (SELECT law_i, CASE WHEN eng THEN x.EngLawAttachements ELSE x.LawAttachements END AS atts
            FROM _blf JOIN _blx USING (law_i) WHERE in_scope))
WHERE a IS NOT NULL  -- Python skips attachments that are not objects (null)
GROUP BY law_i
"""

#: per in-scope law: what its records share, built once (the metadata JSON around the article's own keys)
LAW_ROWS_SQL = """
CREATE OR REPLACE TEMP TABLE _bll AS
SELECT l.law_i, l.version_meta, l.pcode, l.lang, l.container, l.as_of, l.name_s, l.name_l,
       $licence AS licence_id,
       l.law_head || coalesce(t.att, '[]') || l.law_tail || ',"article_no": ' AS meta_head,
       CASE WHEN l.as_of IS NULL THEN '}' ELSE ',"as_of":' || _js(l.as_of) || '}' END AS meta_tail
FROM _blf l LEFT JOIN _blatt t USING (law_i) WHERE l.in_scope
"""

_LOCATOR = "l.pcode || '/' || l.lang || '/' || key_no"

#: the records' keys, ids and content digests (the text stays in ``_bla``, what a law's records share in ``_bll``:
#: one copy of the texts, not two, which at 1M articles kept DuckDB from spilling them)
RECORDS_SQL = f"""
CREATE OR REPLACE TEMP TABLE _blr AS
-- ids and content digests computed once here (the writer takes precomputed ``k_id``/``k_sha`` as they are)
WITH w AS (  -- narrow rows for the window functions: chapter heading in force, n-th article of that number
    SELECT law_i, idx, atype,
           nullif(last_value(heading IGNORE NULLS) OVER (
               PARTITION BY law_i ORDER BY idx ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), chr(0)) AS chapter,
           number || CASE WHEN row_number() OVER (PARTITION BY law_i, number, atype ORDER BY idx) > 1
                          THEN '#' || row_number() OVER (PARTITION BY law_i, number, atype ORDER BY idx) ELSE '' END
               AS key_no
    FROM (SELECT law_i, idx, atype, heading, number FROM _bla)),
r AS (
    SELECT law_i, idx, w.key_no, w.chapter, k.number_raw, l.version_meta, 'law_moj' AS source_id,
           {_LOCATOR} AS locator, k.content AS text
    FROM _bla k JOIN w USING (law_i, idx) JOIN _bll l USING (law_i)
    WHERE k.atype = 'A' AND w.atype = 'A')
SELECT law_i, idx, key_no, chapter, number_raw, {INGEST_RECORD_ID_SQL} AS k_id, sha256(text) AS k_sha FROM r
"""

#: the records, in the columns of the generic ingest writer: read once, by the writer's INSERT
RECORDS_VIEW_SQL = f"""
CREATE OR REPLACE TEMP VIEW _blv AS
SELECT law_i, l.version_meta, 'law_moj:' || l.pcode || ':' || l.lang || ':' || key_no AS doc_key,
       'law_moj' AS source_id, {_LOCATOR} AS locator,
       -- f"{{name}} {{number_raw}}".strip(), number_raw being stripped already
       CASE WHEN r.number_raw = '' THEN l.name_s WHEN l.name_l = '' THEN r.number_raw
            ELSE l.name_l || ' ' || r.number_raw END AS title,
       a.content AS text, l.lang, l.licence_id,
       concat(l.meta_head, _js(r.number_raw), ', "article_index": ', r.idx, ', "chapter": ', _js(r.chapter),
              l.meta_tail) AS metadata,
       l.container, l.as_of, r.k_id, r.k_sha
FROM _blr r JOIN _bll l USING (law_i) JOIN _bla a USING (law_i, idx)
"""


def drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temp tables of one file."""
    con.execute("DROP VIEW IF EXISTS _blv")
    for t in ("_blx", "_blf", "_bla", "_blatt", "_bll", "_blr"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
