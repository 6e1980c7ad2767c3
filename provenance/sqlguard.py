"""What the auditor's free SQL (`curate sql`, `curate audit sql`) may run, decided on DuckDB's parse tree.

A query is accepted only when DuckDB itself parses it as exactly one ``SELECT`` statement and
every table it reads is on an allow-list:

* ``connection.extract_statements`` splits and types the input, so a leading comment
  (``/**/ COPY ...``), a second statement or a ``PRAGMA`` (which DuckDB rewrites to a
  ``SELECT`` over ``pragma_*()``) cannot hide behind a first keyword; a ``';'`` inside a
  string literal is just a string.
* ``json_serialize_sql`` gives the statement's tree; every table reference in it (CTEs,
  subqueries, joins, ``DESCRIBE``/``SHOW``) is walked: a base table must be in
  :data:`READABLE_TABLES` (or ``information_schema``), a table function in
  :data:`ALLOWED_TABLE_FUNCTIONS`. So ``read_text``, ``read_parquet``, ``glob``, ``query``,
  ``query_table``, ``'file.csv'`` replacement scans and the sealed tables are refused by name,
  whatever expression builds their arguments. A CTE may bear no name DuckDB would find without it (:func:`_resolves`):
  its scope ends at its WITH, while the walk takes the name as the CTE's everywhere.
* every function call in it is walked too: :data:`DENIED_FUNCTIONS` (``current_setting`` tells the secret
  and temporary directories), macros made in the catalogue and DuckDB's own macros that read a table are
  refused.

This is the second wall: the connection it runs on (:func:`provenance.db.connect_readonly`) is
read-only with external access, extension loading and configuration changes switched off.
"""

from __future__ import annotations

import json
import string
from typing import Any

import duckdb

from provenance.errors import ReadOnlyError

#: catalogue tables the auditor may read (every table a migration creates must be listed here or in SEALED_TABLES)
READABLE_TABLES: frozenset[str] = frozenset(
    {
        "_schema_migrations",
        "runs",
        "sources",
        "records",
        "provenance_events",
        "ledger_format",
        "quarantine",
        "stage_marks",
        "exports",
        "export_items",
        "withdrawals",
        "reinstatements",
        "dedup_signatures",
        "dedup_buckets",
        "near_duplicates",
        "annotation_projects",
        "annotation_tasks",
        "annotation_push_pending",
        "annotations",
        "run_stats",
        "run_load_batches",  # which result batches of a run are loaded (counts only)
        "run_load_stale",  # how many results each load batch left out as stale (counts only)
        "run_load_stale_records",  # records whose results an unfinished run's load left out as stale (ids)
        "licence_holds",  # files held from export while their manifest rows disagree (pseudonymised names, counts)
        "verdict_members",  # per-record verdicts of a verdict batch event (script, 'clean'; never text)
        "pii_allowlist",  # keyed digests only (HMAC under the PII key), never values
        "annotation_pull_cursor",
        "annotation_task_files",  # paths of task files written for a manual import
    }
)

#: tables that hold raw personal data or key material: never readable through a reporting path
SEALED_TABLES: frozenset[str] = frozenset(
    {
        "raw_vault",  # raw text of scrubbed records (ciphertext + nonces)
        "pii_source_names",  # names found by the PII stage (ciphertext + nonces)
        "run_keys",  # MAC keys of unfinished runs' results
        "pii_rekey_map",  # old plain record ids -> keyed ids (`curate pii rekey`, issue 13)
    }
)

#: table functions that only generate values (no files, no other tables, no settings)
ALLOWED_TABLE_FUNCTIONS: frozenset[str] = frozenset({"range", "generate_series", "unnest"})

#: scalar functions that read settings, paths, variables or the log, or write to the log: ``current_setting``
#: tells the secret and temporary directories (the catalogue's path); ``getenv`` exists only in DuckDB's shell.
#: Functions that take SQL text: their string is parsed and bound on the auditor's connection, never walked here
#: (``json_serialize_plan(..., optimize := true)`` folded ``current_setting`` and a sealed table's row count and
#: min/max into its plan). ``stats``: the statistics of the column beneath an expression, so of the raw column
#: beneath the masking view's ``CASE WHEN unchecked THEN NULL`` (prefixes of unchecked titles and texts)
DENIED_FUNCTIONS: frozenset[str] = frozenset(
    {
        "current_setting",
        "getvariable",
        "getenv",
        "write_log",
        "json_serialize_plan",
        "json_serialize_sql",
        "json_deserialize_sql",
        "json_execute_serialized_sql",
        "stats",
    }
)

#: schemas of DuckDB's metadata views (table and column names only: the sealed tables' names and columns are those
#: of the shipped migrations). ``pg_catalog`` is not one: its ``pg_class.reltuples`` counts a sealed table's rows
_METADATA_SCHEMAS = frozenset({"information_schema"})

_HINT = "only one SELECT (or DESCRIBE/SHOW) over the catalogue tables is allowed here"


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def parse_select(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    """The parse tree of ``sql`` when it is exactly one SELECT statement; else :class:`ReadOnlyError`."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise ReadOnlyError(f"refused: the query does not parse ({str(exc).splitlines()[0]})") from exc
    if any(not st.query.strip() for st in statements):
        # statements DuckDB adds itself carry no text: a PIVOT whose values are not listed is read as a
        # CREATE TYPE (of its values) plus the SELECT
        raise ReadOnlyError(
            "refused: a PIVOT without its values listed makes DuckDB create a type first (a write); list them: "
            f"PIVOT runs ON status IN ('finished', 'failed') USING count(*); {_HINT}"
        )
    if len(statements) != 1:
        raise ReadOnlyError(f"refused: {len(statements)} statements given; {_HINT}")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise ReadOnlyError(f"refused: a {kind.name} statement is not read-only; {_HINT}")
    tree = json.loads(con.execute(f"SELECT json_serialize_sql({_lit(sql)})").fetchone()[0])
    if tree.get("error") or len(tree.get("statements", ())) != 1:
        # PRAGMA and other statements DuckDB rewrites into a SELECT do not serialise
        reason = tree.get("error_message", "not a plain SELECT")
        raise ReadOnlyError(f"refused: {reason}; {_HINT}")
    return tree["statements"][0]


#: DuckDB compares names folding ASCII letters only; Python's ``lower()`` folds more (the Kelvin sign ``\u212a`` is
#: ``k``): a CTE named ``"duc\u212adb_tables"`` made the bare ``duckdb_tables`` look like the CTE's to the walk
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _fold(name: str) -> str:
    """``name`` as DuckDB compares names: ASCII letters lower-cased, nothing else.

    >>> _fold("PG_Class"), _fold("duc\u212adb_tables") == "duckdb_tables"
    ('pg_class', False)
    """
    return name.translate(_ASCII_LOWER)


def _cte_names(node: Any, out: dict[str, str]) -> dict[str, str]:
    """Every CTE name in the tree, folded as DuckDB folds it (:func:`_fold`), with its name as given."""
    if isinstance(node, dict):
        cte_map = node.get("cte_map")
        if isinstance(cte_map, dict):
            for item in cte_map.get("map", ()):
                out.setdefault(_fold(str(item.get("key", ""))), str(item.get("key", "")))
        for v in node.values():
            _cte_names(v, out)
    elif isinstance(node, list):
        for v in node:
            _cte_names(v, out)
    return out


def _resolves(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether DuckDB binds the bare name ``name`` to something where no CTE of that name is in scope: a table, a view
    of its own (``pg_class``, ``pg_settings``, ``duckdb_databases``: internal, in no list of the catalogue's) or a
    file's replacement scan (the catalogue's own path). Only bound (``DESCRIBE``), never run; any error but "no such
    table" counts as found."""
    try:
        con.execute(f'DESCRIBE SELECT * FROM "{name.replace(chr(34), chr(34) * 2)}"')
    except duckdb.CatalogException:
        return False
    except duckdb.Error:
        return True
    return True


def _table_refs(node: Any):
    """Every table reference dict in the tree (base tables, table functions, SHOW/DESCRIBE)."""
    return (n for n in _nodes(node) if n.get("type") in ("BASE_TABLE", "TABLE_FUNCTION", "SHOW_REF"))


def _denied_functions(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """:data:`DENIED_FUNCTIONS`, macros made in the catalogue (an expression may hide any table read) and DuckDB's
    own macros that read a table function (``pg_get_viewdef``, ``get_block_size``: a database's size and memory)."""
    rows = con.execute(
        "SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE function_type NOT IN ('table', 'pragma')"
        " AND (NOT internal OR (function_type = 'macro' AND macro_definition ILIKE '%from%'))"
    ).fetchall()
    return DENIED_FUNCTIONS | {r[0] for r in rows}


def _check_functions(con: duckdb.DuckDBPyConnection, tree: Any) -> None:
    """Refuse a call of a :func:`_denied_functions` function anywhere in ``tree``."""
    denied = _denied_functions(con)
    for node in _nodes(tree):
        name = str(node.get("function_name", "")).lower()
        if node.get("class") in ("FUNCTION", "WINDOW") and name in denied:
            raise ReadOnlyError(
                f"refused: function `{name}` is not allowed (settings, paths, variables and macros are out of "
                f"reach); {_HINT}"
            )


def _nodes(node: Any):
    """Every dict in the tree."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _nodes(v)
    elif isinstance(node, list):
        for v in node:
            yield from _nodes(v)


def _scoped_nodes(node: Any, params: frozenset[str]):
    """Every dict in the tree with the lambda parameters in scope there.

    A lambda's parameters (`s -> s LIKE '%銀行%'`) are column references to the parse tree: they are names only
    inside that lambda's body, so `list_filter([1], s -> true) AND s.secret` does not make `s.secret` a name."""
    if isinstance(node, dict):
        yield node, params
        if node.get("class") == "LAMBDA":
            lhs = node.get("lhs") or {}
            own = {
                str(ref["column_names"][-1]).lower()
                for ref in [lhs, *(lhs.get("children") or [])]
                if ref.get("class") == "COLUMN_REF" and len(ref.get("column_names") or ()) == 1
            }
            yield from _scoped_nodes([v for k, v in node.items() if k != "lhs"] + [lhs], params | own)
            return
        for v in node.values():
            yield from _scoped_nodes(v, params)
    elif isinstance(node, list):
        for v in node:
            yield from _scoped_nodes(v, params)


def _without(node: Any, key: str) -> Any:
    """``node`` without ``key`` anywhere (for comparing trees whatever the text's positions)."""
    if isinstance(node, dict):
        return {k: _without(v, key) for k, v in node.items() if k != key}
    if isinstance(node, list):
        return [_without(v, key) for v in node]
    return node


def check_condition(con: duckdb.DuckDBPyConnection, condition: str, *, table: str, alias: str) -> None:
    """Raise :class:`ReadOnlyError` unless ``condition`` is one expression over ``table``'s own columns.

    ``condition`` is pasted by the caller as ``... WHERE ... AND (condition)``: it is parsed as
    ``SELECT * FROM table alias WHERE true AND (condition)`` and the tree must equal that of ``... AND (true)`` but
    for the condition, so nothing closes the parenthesis (``1=1) OR (1=1``, ``true) UNION (SELECT ...``, ``ORDER BY``), and
    the condition may name only ``table``'s columns (bare or ``alias.column``), call no subquery, parameter or
    :func:`_denied_functions` function: no file, sealed table or setting can be read through it, not even as a
    yes/no filter."""
    try:
        _check_condition(con, condition, table, alias)
    except RecursionError:
        raise ReadOnlyError("refused: the condition nests too deeply to be checked") from None


def _check_condition(con: duckdb.DuckDBPyConnection, condition: str, table: str, alias: str) -> None:
    # pasted as the callers do, after another condition: `1=1) OR (1=1` makes the OR the top of the WHERE
    head = f"SELECT * FROM {table} {alias} WHERE true AND ("
    tree, template = parse_select(con, f"{head}{condition})"), parse_select(con, f"{head}true)")
    node = tree.get("node") or {}
    top = (node.get("where_clause") or {}) if node.get("type") == "SELECT_NODE" else {}
    parts = top.get("children") or []
    # DuckDB flattens `true AND (a AND b)` into one AND of three: the condition is every part after `true`
    where = parts[1:] if top.get("type") == "CONJUNCTION_AND" and len(parts) >= 2 else None
    columns = {
        r[0].lower()
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main'"
            " AND database_name = current_database()",
            [table],
        ).fetchall()
    }
    for item, params in _scoped_nodes(where, frozenset()):
        kind = item.get("class")
        if kind in ("SUBQUERY", "PARAMETER", "STAR") or item.get("type") in ("BASE_TABLE", "TABLE_FUNCTION"):
            what = {"SUBQUERY": "a subquery", "PARAMETER": "a parameter", "STAR": "a * expression"}.get(kind, "a table")
            raise ReadOnlyError(f"refused: {what} is not allowed in a condition over `{table}`")
        if kind == "COLUMN_REF":
            names = [str(n).lower() for n in item.get("column_names", ())]
            if names[0] in params and len(names) <= 2:  # a parameter of an enclosing lambda, or a field of one
                continue
            if names[-1] not in columns or names[:-1] not in ([], [alias.lower()]):
                raise ReadOnlyError(
                    f"refused: `{'.'.join(names)}` is not a column of {table} (alias {alias}); only its columns"
                )
    _check_functions(con, where)
    if where is not None:
        top["children"] = template["node"]["where_clause"]["children"]
    if where is None or _without(tree, "query_location") != _without(template, "query_location"):
        raise ReadOnlyError("refused: the condition reaches outside its parentheses (one condition only)")


def check_select(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    *,
    readable: frozenset[str] = READABLE_TABLES,
    catalogue_name: str | None = None,
    masked: frozenset[str] = frozenset(),
) -> None:
    """Raise :class:`ReadOnlyError` (one line, exit code 2) unless ``sql`` is one allowed SELECT.

    ``catalogue_name`` is the database name the catalogue is attached under (its file stem);
    references qualified with any other database are refused. ``masked``: tables the caller puts a temporary view
    in front of (unqualified and ``main.`` names find the view): a reference naming the database is refused.
    """
    try:
        _check_select(con, sql, readable, catalogue_name, masked)
    except RecursionError:  # a parse tree deeper than Python's recursion limit (hundreds of nested calls)
        raise ReadOnlyError(f"refused: the query nests too deeply to be checked; {_HINT}") from None


def _check_select(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    readable: frozenset[str],
    catalogue_name: str | None,
    masked: frozenset[str],
) -> None:
    tree = parse_select(con, sql)
    _check_functions(con, tree)
    # a CTE may shadow nothing that is not readable: the names below are taken as the CTE's wherever they stand, but
    # DuckDB scopes them (another branch, a subquery beside the WITH, the CTE's own body find the real one). Review
    # 17: the names checked were the catalogue's tables and views, not DuckDB's own (`pg_class` counted the vault's
    # rows, `pg_settings` told the spill folder); DuckDB now says what the bare name would find
    ctes = _cte_names(tree, {})
    for name, given in ctes.items():
        if name in SEALED_TABLES or (name not in readable and _resolves(con, given)):
            raise ReadOnlyError(f"refused: a CTE may not be named `{name}`; {_HINT}")
    databases = {"", (catalogue_name or "").lower()}
    for ref in _table_refs(tree):
        kind = ref["type"]
        if kind == "TABLE_FUNCTION":
            fn = ref.get("function") or {}
            name = str(fn.get("function_name", "")).lower()
            if fn.get("schema") or fn.get("catalog") or name not in ALLOWED_TABLE_FUNCTIONS:
                raise ReadOnlyError(
                    f"refused: table function `{name}` is not allowed (files, settings and other tables are out "
                    f"of reach); {_HINT}"
                )
        elif kind == "SHOW_REF":
            if ref.get("query") is None and (ref.get("catalog_name") or ref.get("schema_name")):
                raise ReadOnlyError(f"refused: SHOW of another database or schema; {_HINT}")
        else:  # BASE_TABLE
            name = str(ref.get("table_name", "")).lower()
            schema = str(ref.get("schema_name", "")).lower()
            catalog = str(ref.get("catalog_name", "")).lower()
            if schema in _METADATA_SCHEMAS and catalog in databases | {"system"}:
                continue
            if name in SEALED_TABLES:
                raise ReadOnlyError(f"refused: table `{name}` holds sealed data and is not readable through this path")
            if name in masked and catalog:
                raise ReadOnlyError(f"refused: name `{name}` without the database (`{catalog}.`); {_HINT}")
            if catalog not in databases or schema not in ("", "main"):
                raise ReadOnlyError(f"refused: `{catalog or schema}.{name}` is outside the catalogue; {_HINT}")
            cte = _fold(str(ref.get("table_name", ""))) in ctes  # as DuckDB matches it (review 17: not lower())
            if name not in readable and not (cte and not catalog and not schema):
                raise ReadOnlyError(
                    f"refused: `{name}` is not a readable catalogue table (allow-list: provenance/sqlguard.py); {_HINT}"
                )
