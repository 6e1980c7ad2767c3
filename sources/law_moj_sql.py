"""The SQL of the set-based law.moj ingest (:mod:`sources.law_moj_bulk`): parse, check, map to records.

Each statement stages one step in a temp table (``_blx`` parsed laws, ``_blf`` law checks and metadata,
``_bla`` articles, ``_blatt`` attachments, ``_bll`` what a law's records share, ``_blr`` ids and digests)
and ``_blv`` is the view the generic ingest writer reads. The texts reproduce
:meth:`sources.law_moj.LawMojSource.to_records` byte for byte; what they cannot, they name in ``why``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance.records import INGEST_RECORD_ID_SQL

#: the skip reason of a law with no articles (chapter headings at most), on the Python and the SQL path
NO_ARTICLES = "law without articles (chapter headings at most): nothing to ingest"

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

#: characters Python's ``str.strip()`` removes (``str.isspace``), for DuckDB's ``trim(s, chars)``
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


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
    "$.LawForeword",  # 17
    "$.EngLawForeword",  # 18
]
_PATHS_SQL = "[" + ", ".join(f"'{p}'" for p in _LAW_PATHS) + "]"
_STR_FIELDS = (1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 17, 18)
#: PY_WHITESPACE as a SQL string literal (the characters themselves, for ``trim``) and as an RE2 class body
_WS_SQL = f"'{PY_WHITESPACE}'"
_WS_RE = "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE)
_ODD_RE = "[\\x{b}\\x{e}\\x{f}\\x{1a}-\\x{1f}]"

#: laws up to this size go through ``json_structure`` as they are read: too small to nest deep enough for its
#: recursion to exhaust a thread's stack (~17,500 object levels on an 8 MiB stack; a level takes >= 5 bytes)
STRUCTURE_GUARD_BYTES = 32 * 1024

#: each law read and parsed for its types (json_structure) and its values (json_transform), in one statement (a
#: name twice in one object: DuckDB reads its first value, and so does the Python path, :mod:`sources.capped`)
PARSE_SQL = """
CREATE OR REPLACE TEMP TABLE _blx AS
SELECT ordinality - 1 AS law_i, CASE WHEN strlen(json) <= {guard} THEN json_structure(json) END AS st,
       json_transform(json, '{{
    "LawName": "VARCHAR", "LawURL": "VARCHAR", "EngLawURL": "VARCHAR", "LawCategory": "VARCHAR",
    "LawModifiedDate": "VARCHAR", "EngLawModifiedDate": "VARCHAR", "LawEffectiveDate": "VARCHAR",
    "LawEffectiveNote": "VARCHAR", "LawAbandonNote": "VARCHAR", "EngLawAbandonNote": "VARCHAR",
    "EngLawName": "VARCHAR", "LawLevel": "VARCHAR", "LawForeword": "VARCHAR", "EngLawForeword": "VARCHAR",
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
           -- a 前言 is a record of its own (sources/law_moj_foreword.py: EngLawForeword when given, even null)
           CASE WHEN eng AND json_exists(st, '$.EngLawForeword') THEN x.EngLawForeword ELSE x.LawForeword END
               AS foreword,
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
           -- attachments all objects or null (Python skips anything else, the SQL would store an empty one): a
           -- string, a number or a mix of kinds merges into a scalar type or "JSON" in the structure
           CASE WHEN eng THEN json_type(st, '$.EngLawAttachements[0]') = 'OBJECT'
                              OR json_extract_string(st, '$.EngLawAttachements[0]') = 'NULL'
                ELSE json_type(st, '$.LawAttachements[0]') = 'OBJECT'
                     OR json_extract_string(st, '$.LawAttachements[0]') = 'NULL'
           END AS atts_ok
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
       CASE WHEN NOT _pyblank(coalesce(foreword, '')) THEN _canon(foreword) END AS foreword,
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
    FROM e
    UNION ALL  -- a 前言: the record law_moj:PCODE:LANG:preamble before the articles (sources/law_moj_foreword.py)
    SELECT law_i, -1, eng, 'P', CASE WHEN eng THEN 'Preamble' ELSE '前言' END, foreword
    FROM _blf WHERE in_scope AND foreword IS NOT NULL),
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
         WHEN atype = 'P' THEN CASE WHEN length(content) > $max_chars THEN 'too large' END
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
           CASE WHEN atype = 'P' THEN 'preamble' ELSE number END
             || CASE WHEN atype <> 'P' AND row_number() OVER (PARTITION BY law_i, number, atype ORDER BY idx) > 1
                          THEN '#' || row_number() OVER (PARTITION BY law_i, number, atype ORDER BY idx) ELSE '' END
               AS key_no
    FROM (SELECT law_i, idx, atype, heading, number FROM _bla)),
r AS (
    SELECT law_i, idx, w.key_no, w.chapter, k.number_raw, l.version_meta, 'law_moj' AS source_id, l.pcode, l.lang,
           {_LOCATOR} AS locator, k.content AS text
    FROM _bla k JOIN w USING (law_i, idx) JOIN _bll l USING (law_i)
    WHERE k.atype IN ('A', 'P') AND w.atype IN ('A', 'P'))
SELECT law_i, idx, key_no, chapter, number_raw, {INGEST_RECORD_ID_SQL} AS k_id, sha256(text) AS k_sha,
       -- a record's part of a law's digest (sources/law_moj_twice.py): its key and its text without white space
       sha256('law_moj:' || pcode || ':' || lang || ':' || key_no || chr(31) || regexp_replace(text, '[{_WS_RE}]+', '', 'g'))
           AS k_twin
FROM r
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
