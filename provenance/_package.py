"""Metadata documents of an export: NOTICE.md, dataset card, Croissant and SPDX 3.0 JSON-LD.

Pure functions of the export summary, so the same export state gives byte-identical files.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

from provenance._selection import STAGE_CHANGES
from provenance.licence_terms import credit_value
from provenance.licences import LicenceCatalogue

_NS = "urn:finllm-curate:export"
#: who makes every export: the SPDX document's creating Organization and Croissant's (required) ``creator``
STEWARDS = "FinLLM consortium data stewards"
#: the files an export writes beside its data shards
DOCUMENTS = ("manifest.jsonl", "blocked.csv", "NOTICE.md", "README.md", "croissant.json", "spdx.jsonld")
#: SPDX 3.0.1 ExpandedLicensing/CustomLicense as its JSON-LD context names it: the element a LicenseRef- id's
#: ``customIdToUri`` entry points at
_CUSTOM = "expandedlicensing_CustomLicense"
FIELD_DOCS: dict[str, str] = {
    "record_id": "Catalogue record id (sha256); look it up with `curate audit record ID`.",
    "source_id": "Source the record was ingested from.",
    "licence_id": "Effective licence (SPDX id or LicenseRef-; `A AND B` for records merged from several).",
    "attribution": "Attribution statement(s) the licence requires for this record.",
    "text": "Record text after the processing stages.",
    "title": "Title of the item (e.g. law name).",
    "locator": "Where in the source the record came from (e.g. PCODE/article).",
    "lang": "Language tag.",
    "script": "Chinese script: traditional / simplified / mixed / neutral.",
    "doc_key": "Stable identity of the logical item across versions.",
    "stage": "Last processing stage that produced this version.",
    "content_sha256": "sha256 of text (UTF-8); for sources that expect personal data, 'hmac:' + a keyed digest.",
    "pii_state": "PII stage outcome: clean (nothing found) / scrubbed (personal data replaced); empty for a record "
    "that has not passed the PII stage (only in an export made with `--pii-gate expected`: see the PII gate above).",
}


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


#: what markdown (CommonMark, GitHub's) reads as markup in a line of text: the escape, code, emphasis, strikethrough,
#: link and image brackets, a heading, a table cell, and a URL's ``://`` or ``www.`` (GitHub links bare URLs)
_MARKUP_RE = re.compile(r"[\\`*_~\[\]#|]|:(?=//)|(?<=www)\.", re.IGNORECASE)
#: what starts a block at the beginning of a line: a list item (``-``, ``+``, ``1.``, ``1)``) or a setext underline
_LINE_START_RE = re.compile(r"^([-+=]|\d+(?=[.)]))")


def markdown_text(line: str) -> str:
    r"""One line of plain text (a statement that credits data rows' titles, creators and agencies) as markdown shows
    it, and only as text: ``<``, ``>`` and ``&`` as HTML entities, markdown's metacharacters backslash-escaped, so
    no title can become a heading, a link, an image or HTML in NOTICE.md. The data's ``attribution`` column keeps
    the plain text.

    >>> markdown_text("## 講義 [點我](http://evil.example) <b>C#</b> & McGraw-Hill | 東華書局")
    '\\#\\# 講義 \\[點我\\](http\\://evil.example) &lt;b&gt;C\\#&lt;/b&gt; &amp; McGraw-Hill \\| 東華書局'
    >>> markdown_text("1. 元照出版 www.angle.com.tw")
    '1\\. 元照出版 www\\.angle.com.tw'
    """
    text = _MARKUP_RE.sub(lambda m: "\\" + m.group(0), html.escape(line, quote=False))
    return _LINE_START_RE.sub(_escape_line_start, text, count=1)


def _escape_line_start(m: re.Match[str]) -> str:
    """``-`` as ``\\-``; ``1.`` as ``1\\.``: the backslash goes before the character that makes the block."""
    return f"{m.group(0)}\\" if m.group(0).isdigit() else f"\\{m.group(0)}"


def _name(info: Mapping[str, Any]) -> str:
    return f"finllm-{info['purpose']}-{info['audience'].replace(':', '-')}-{info['export_id'][:12]}"


def notice(
    info: Mapping[str, Any],
    cat: LicenceCatalogue,
    used_ids: list[str],
    attributions: Mapping[str, Mapping[str, Mapping[str, int]]],
) -> str:
    """NOTICE.md: every licence used and every required attribution statement."""
    lines = [
        f"# NOTICE: {_name(info)}",
        "",
        f"Export `{info['export_id']}` (purpose {info['purpose']}, audience {info['audience']}, "
        f"commercial {'yes' if info['commercial'] else 'no'}). {info['records']} records.",
        "",
        _commercial_statement(info),
        "",
        _pii_statement(info),
        "",
        "## Licences",
        "",
        *_catalogue_statement(info),
    ]
    for lid in used_ids:
        lic = cat[lid]
        obligations = []
        if lic.attribution_required:
            obligations.append("attribution required")
        if lic.share_alike:
            obligations.append("share-alike: adaptations must carry the same licence")
        if not lic.sublicensable or not lic.transferable:  # each word from its own flag (CC: only not sublicensable)
            words = [
                w for w, ok in (("sublicensable", lic.sublicensable), ("transferable", lic.transferable)) if not ok
            ]
            obligations.append(f"not {' or '.join(words)}")
        if not lic.commercial:
            obligations.append("non-commercial")
        url = f" <{lic.url}>" if lic.url else ""
        # the catalogue's name as text (its url is one http(s) URL, checked when the catalogue was loaded)
        lines.append(
            f"* `{lid}`: {markdown_text(lic.name)}{url}" + (f" ({'; '.join(obligations)})" if obligations else "")
        )
    lines += _grants(info)
    lines += ["", "## Attribution statements", ""]
    if not attributions:
        lines.append("No included licence requires attribution.")
    for label in sorted(attributions):
        lines += [f"### {label}", ""]
        for statement in sorted(attributions[label]):
            sources = attributions[label][statement]
            lines.append("Sources: " + ", ".join(f"`{s}` ({n} records)" for s, n in sorted(sources.items())))
            lines += ["", *[f"> {markdown_text(ln)}" if ln else ">" for ln in statement.splitlines()], ""]
    lines += _modifications(info)
    return "\n".join(lines).rstrip() + "\n"


def _catalogue_statement(info: Mapping[str, Any]) -> list[str]:
    """NOTICE's line on a licence catalogue other than the shipped one (``export dataset --catalogue``)."""
    if info.get("catalogue_shipped", True):
        return []
    return [
        f"The licence facts below come from a **custom licence catalogue** `{_plain(info['catalogue_name'])}` "
        f"(sha256 `{info['catalogue_sha256']}`), not the one shipped with the workbench.",
        "",
    ]


def _catalogue_cell(info: Mapping[str, Any]) -> str:
    if info.get("catalogue_shipped", True):
        return "shipped"
    name = _plain(info["catalogue_name"]).replace("|", "\\|")  # a table cell ends at a `|`, also in a code span
    return f"**custom** `{name}` (sha256 `{info['catalogue_sha256']}`)"


def _grant_line(g: Mapping[str, Any]) -> str:
    """One agreement or grant as NOTICE.md states it: id, purposes, audience, commercial use, expiry, records."""
    ids = ", ".join(f"`{_plain(a)}`" for a in g["agreement_ids"])
    return (
        f"* `{g['licence']}`" + (f", agreement {ids}" if ids else "") + f": purposes {', '.join(g['purposes'])};"
        f" audience {', '.join(g['audience'])}; commercial use {'yes' if g['commercial'] else 'no'}; "
        + (f"**expires {g['expiry']}**: no use after that date" if g["expiry"] else "no expiry")
        + f" ({g['records']} records)"
    )


def _plain(value: Any) -> str:
    """An agreement id (a manifest's column) or a file name as one plain line for a code span (no backtick), or why
    it is not shown."""
    text, why = credit_value(value)
    return text.replace("`", "") if not why else f"(not shown: {why})"


def _grants(info: Mapping[str, Any]) -> list[str]:
    """NOTICE's section on the agreements and time-limited grants its records are under: what recipients may do
    with them and until when (the card has the same table)."""
    grants = info.get("grants") or []
    if not grants:
        return []
    return [
        "",
        "## Agreements and grants",
        "",
        "Records under an agreement or a time-limited grant may be used only for its purposes, by its audience and "
        "until its expiry (column `licence_id`; `curate audit record RECORD_ID` names a record's agreement):",
        "",
        *(_grant_line(g) for g in grants),
    ]


def _modifications(info: Mapping[str, Any]) -> list[str]:
    """The NOTICE's modifications section (CC BY 4.0 §3(a)(1)(B): say whether and how the material was changed)."""
    stages = info.get("stages") or {}
    changed = {k: v for k, v in stages.items() if k != "ingest"}
    lines = ["", "## Modifications", ""]
    if not changed:
        return [*lines, "Every text is as it was taken in from its source (column `stage` = `ingest`)."]
    lines.append(
        f"{sum(changed.values())} of {info['records']} texts were modified by the curation stages (column `stage` "
        "names the last stage that changed a text, and its attribution says 本文經修改 / modified); "
        "`curate audit record RECORD_ID` shows every change. The stages:"
    )
    lines.append("")
    for stage, n in sorted(changed.items()):
        lines.append(f"* `{stage}` ({n} records): {STAGE_CHANGES.get(stage, 'changed by this stage')}")
    return lines


def _pii_statement(info: Mapping[str, Any]) -> str:
    unchecked = info.get("pii_unchecked", 0)
    if info.get("pii_gate", "all") == "all":
        return "PII gate: **all** (every record has passed the PII stage: personal data found was masked)."
    return (
        "PII gate: **expected** (`--pii-gate expected`): only records of sources marked `pii_expected` and "
        f"annotators' corrections had to pass the PII stage; **{unchecked} records have not** (column `pii_state` "
        "empty) and may hold unmasked personal data (names, ID numbers, phone numbers)."
    )


#: what the card of an export with no records says (`datasets` cannot load an empty split)
EMPTY_NOTE = (
    "**This export is empty: no record qualified** (reasons under *Blocked records* and in `blocked.csv`). "
    "It has no data files, so `datasets.load_dataset` cannot load it (it reports that no file matches "
    "`data/train-*`): the `datasets` library has no empty split."
)


def config_name(info: Mapping[str, Any]) -> str:
    """The card's config name, ``export-<id>``: ``datasets`` caches by folder and config, so a re-export
    into the same folder must not reuse the previous export's cache."""
    return f"export-{info['export_id']}"


def _commercial_statement(info: Mapping[str, Any]) -> str:
    if info["commercial"]:
        return (
            "Stated use: **commercial** (`--commercial`): records whose licences do not permit commercial "
            "use were left out."
        )
    return (
        "Stated use: **non-commercial** (`--non-commercial`): records under non-commercial licences are "
        "included; this export must not be used commercially."
    )


def card(info: Mapping[str, Any], cat: LicenceCatalogue, used_ids: list[str], shards: list[str]) -> str:
    """README.md dataset card with the YAML header ``datasets.load_dataset`` reads.

    ``language`` lists the Hub tags actually present (``zh-Hant``, ``en``...); the config is named
    ``export-<id>`` so that ``datasets`` never serves a previous export's cache; an empty export has
    no data files (its config matches none, so ``load_dataset`` fails instead of reading the metadata
    files as data) and says so.
    """
    ext = "parquet" if info["format"] == "parquet" else "jsonl"
    languages = info.get("languages") or []
    config = [
        "configs:",
        f"- config_name: {config_name(info)}",
        "  data_files:",
        "  - split: train",
        f"    path: data/train-*.{ext}",
    ]
    lines = [
        "---",
        "license: other",
        f"license_name: {_name(info)}-licences",
        "license_link: NOTICE.md",
        *(["language:", *[f"- {lang}" for lang in languages]] if languages else []),
        f"pretty_name: {_name(info)}",
        # kept for an empty export too: without it `datasets` would load blocked.csv as the data
        *config,
        "---",
        "",
        f"# {_name(info)}",
        "",
        "Licence-gated export of the FinLLM curation catalogue. Every record carries its licence and "
        "attribution; see `NOTICE.md` before any use.",
        "",
        _commercial_statement(info),
        "",
        _pii_statement(info),
        "",
        *([] if shards else [EMPTY_NOTE, ""]),
        "| property | value |",
        "| --- | --- |",
        f"| export id | `{info['export_id']}` |",
        f"| purpose | {info['purpose']} |",
        f"| audience | {info['audience']} |",
        f"| commercial use | {'yes' if info['commercial'] else 'no'} |",
        f"| records | {info['records']} |",
        f"| languages | {', '.join(languages) or '(none)'} |",
        f"| near duplicates | {'dropped' if info.get('drop_near_duplicates') else 'kept'} |",
        f"| deleted-article stubs | {'kept' if info.get('include_deleted_stubs') else 'left out'} |",
        f"| PII gate | {info.get('pii_gate', 'all')} ({info.get('pii_unchecked', 0)} records not PII-checked) |",
        f"| modified texts | {sum(n for k, n in (info.get('stages') or {}).items() if k != 'ingest')} (NOTICE.md) |",
        f"| characters | {info['characters']} |",
        f"| shards | {len(shards)} ({info['format']}) |",
        f"| catalogue state (ledger seq, hash) | {info.get('state_seq', '')} `{info['state_hash']}` |",
        f"| manifest sha256 | `{info['manifest_sha256']}` |",
        f"| licence catalogue | {_catalogue_cell(info)} |",
        "",
        "## Licences",
        "",
        "| licence | records |",
        "| --- | --- |",
    ]
    lines += [f"| `{k}` | {v} |" for k, v in info["licences"].items()]
    if info.get("grants"):
        lines += [
            "",
            "## Agreements and grants",
            "",
            "Use only for these purposes and audiences, and not after the expiry (NOTICE.md):",
            "",
            "| licence | agreement | purposes | audience | commercial | expiry | records |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| `{g['licence']}` | {', '.join(markdown_text(_plain(a)) for a in g['agreement_ids']) or '-'} | "
            f"{', '.join(g['purposes'])} | {', '.join(g['audience'])} | {'yes' if g['commercial'] else 'no'} | "
            f"{g['expiry'] or 'none'} | {g['records']} |"
            for g in info["grants"]
        ]
    lines += [
        "",
        "## Blocked records",
        "",
        "Records not included, by reason (details in `blocked.csv`):",
        "",
        "| reason | records |",
        "| --- | --- |",
    ]
    lines += [f"| {k} | {v} |" for k, v in info["blocked"].items()] or ["| (none) | 0 |"]
    lines += ["", "## Columns", ""] + [f"* `{k}`: {v}" for k, v in FIELD_DOCS.items()]
    lines += [
        "",
        "## Files",
        "",
        "* `manifest.jsonl`: every included record id with its content hash.",
        "* `blocked.csv`: every excluded record with licence and reason.",
        "* `NOTICE.md`: licences and required attribution statements.",
        "* `croissant.json`: Croissant 1.0 metadata.",
        "* `spdx.jsonld`: SPDX 3.0 document of the package.",
        "",
        "Provenance of any record: `curate audit record RECORD_ID`; of this export: "
        f"`curate audit export {info['export_id']}`.",
    ]
    return "\n".join(lines) + "\n"


def croissant(
    info: Mapping[str, Any], cat: LicenceCatalogue, used_ids: list[str], shard_hashes: Mapping[str, str]
) -> str:
    """croissant.json (Croissant 1.0) describing the shards and their columns: every property the standard requires
    of a Dataset (``creator`` too), and each shard's ``sha256`` and ``contentSize`` (in bytes, the unit Croissant assumes)."""
    from provenance._croissant_context import CONTEXT

    parquet, sizes = info["format"] == "parquet", info.get("shard_bytes") or {}
    encoding = "application/x-parquet" if parquet else "application/jsonlines"
    distribution = [
        {
            "@type": "cr:FileObject",
            "@id": name,
            "name": name,
            "contentUrl": name,
            "encodingFormat": encoding,
            **({"contentSize": str(sizes[name])} if name in sizes else {}),
            "sha256": sha,
        }
        for name, sha in sorted(shard_hashes.items())
    ]
    distribution.append(
        {
            "@type": "cr:FileSet",
            "@id": "shards",
            "name": "shards",
            "encodingFormat": encoding,
            "includes": f"data/train-*.{'parquet' if parquet else 'jsonl'}",
        }
    )
    fields = [
        {
            "@type": "cr:Field",
            "@id": f"records/{c}",
            "name": c,
            "description": d,
            "dataType": "sc:Text",
            "source": {"fileSet": {"@id": "shards"}, "extract": {"column": c}},
        }
        for c, d in FIELD_DOCS.items()
    ]
    licences = [cat[lid].url or f"{_NS}:licence:{lid}" for lid in used_ids]
    doc = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": _name(info),
        "description": (
            f"FinLLM curation export {info['export_id']}: {info['records']} records permitted for "
            f"{info['purpose']} by {info['audience']}"
            f"{' (commercial use)' if info['commercial'] else ''}. See NOTICE.md."
        ),
        "url": f"{_NS}:{info['export_id']}",
        "creator": {"@type": "sc:Organization", "name": STEWARDS},
        "version": "1.0.0",
        "datePublished": info["as_of"][:10],
        "license": licences or ["NOASSERTION"],
        "citeAs": f"FinLLM curation export {info['export_id']}",
        "distribution": distribution,
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": "records",
                "name": "records",
                "description": "One row per exported record.",
                "key": {"@id": "records/record_id"},
                "field": fields,
            }
        ],
    }
    return _dump(doc)


def spdx(info: Mapping[str, Any], cat: LicenceCatalogue, used_ids: list[str], shard_hashes: Mapping[str, str]) -> str:
    """spdx.jsonld: an SPDX 3.0.1 JSON-LD document for the dataset package and its licences.

    The graph in order: who made it, the data files, the package, its licences, the relationships
    between them, then the document itself.
    """
    base = f"{_NS}:{info['export_id']}"
    ci = "_:creationinfo"
    graph: list[dict[str, Any]] = [
        {
            "type": "CreationInfo",
            "@id": ci,
            "specVersion": "3.0.1",
            "created": info["as_of"],
            "createdBy": [f"{base}:agent"],
            "createdUsing": [f"{base}:tool"],
        },
        {
            "type": "Organization",
            "spdxId": f"{base}:agent",
            "creationInfo": ci,
            "name": STEWARDS,
        },
        {"type": "Tool", "spdxId": f"{base}:tool", "creationInfo": ci, "name": "finllm-curate"},
    ]
    files = _spdx_files(graph, base, ci, shard_hashes)
    pkg = _spdx_package(graph, base, ci, info)
    expr_id = _spdx_licences(graph, base, ci, cat, used_ids)
    rels = [("declared", "hasDeclaredLicense", [expr_id]), ("concluded", "hasConcludedLicense", [expr_id])]
    if files:
        rels.append(("contains", "contains", files))
    for name, kind, to in rels:
        graph.append(
            {
                "type": "Relationship",
                "spdxId": f"{base}:rel:{name}",
                "creationInfo": ci,
                "from": pkg,
                "relationshipType": kind,
                "to": to,
            }
        )
    graph.append(
        {
            "type": "SpdxDocument",
            "spdxId": f"{base}:document",
            "creationInfo": ci,
            "name": f"SPDX document for {_name(info)}",
            "dataLicense": f"{base}:data-licence",
            # expandedLicensing only where one of its elements is in the graph (a CustomLicense per LicenseRef- id)
            "profileConformance": ["core", "software", "dataset", "simpleLicensing"]
            + (["expandedLicensing"] if any(e["type"] == _CUSTOM for e in graph) else []),
            "rootElement": [pkg],
            "element": sorted(e.get("spdxId") for e in graph if e.get("spdxId")),
        }
    )
    graph.append(
        {
            "type": "simplelicensing_LicenseExpression",
            "spdxId": f"{base}:data-licence",
            "creationInfo": ci,
            "simplelicensing_licenseExpression": "CC0-1.0",
        }
    )
    return _dump({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": graph})


def _spdx_files(graph: list[dict[str, Any]], base: str, ci: str, shard_hashes: Mapping[str, str]) -> list[str]:
    """One ``software_File`` per data shard, with its sha256; returns their ids."""
    files = []
    for i, (name, sha) in enumerate(sorted(shard_hashes.items())):
        fid = f"{base}:file:{i}"
        files.append(fid)
        graph.append(
            {
                "type": "software_File",
                "spdxId": fid,
                "creationInfo": ci,
                "name": name,
                "software_primaryPurpose": "data",
                "verifiedUsing": [{"type": "Hash", "algorithm": "sha256", "hashValue": sha}],
            }
        )
    return files


def _spdx_package(graph: list[dict[str, Any]], base: str, ci: str, info: Mapping[str, Any]) -> str:
    """The ``dataset_DatasetPackage`` (purpose, audience, size, catalogue state); returns its id."""
    pkg = f"{base}:dataset"
    graph.append(
        {
            "type": "dataset_DatasetPackage",
            "spdxId": pkg,
            "creationInfo": ci,
            "name": _name(info),
            "software_packageVersion": info["export_id"],
            "software_downloadLocation": "NOASSERTION",
            "software_primaryPurpose": "data",
            "releaseTime": info["as_of"],
            "builtTime": info["as_of"],
            "originatedBy": [f"{base}:agent"],
            "dataset_datasetType": ["text"],
            "dataset_intendedUse": f"{info['purpose']} by {info['audience']}"
            f"{' (commercial)' if info['commercial'] else ' (non-commercial)'}",
            # SPDX 3.0.1 Dataset/datasetSize: "measured in bytes" (the data shards'); the record count goes in comment
            "dataset_datasetSize": info.get("data_bytes", 0),
            # "no" only where every record passed the PII stage; a looser gate let unchecked texts out
            "dataset_hasSensitivePersonalInformation": "noAssertion" if info.get("pii_unchecked") else "no",
            "comment": f"{info['records']} records; catalogue state {info['state_hash']};"
            f" manifest sha256 {info['manifest_sha256']}",
        }
    )
    return pkg


def _spdx_licences(graph: list[dict[str, Any]], base: str, ci: str, cat: LicenceCatalogue, used_ids: list[str]) -> str:
    """A ``CustomLicense`` per ``LicenseRef-`` id and the licence expression of the package; returns its id."""
    lic_elems = []
    for lid in used_ids:
        if lid.startswith("LicenseRef-"):
            lic = cat[lid]
            eid = f"{base}:licence:{lid}"
            graph.append(
                {
                    "type": _CUSTOM,
                    "spdxId": eid,
                    "creationInfo": ci,
                    "name": lid,
                    "simplelicensing_licenseText": lic.name,
                    **({"expandedlicensing_seeAlso": [lic.url]} if lic.url else {}),
                }
            )
            lic_elems.append(eid)
    expr_id = f"{base}:licence-expression"
    graph.append(
        {
            "type": "simplelicensing_LicenseExpression",
            "spdxId": expr_id,
            "creationInfo": ci,
            "simplelicensing_licenseExpression": " AND ".join(used_ids) if used_ids else "NOASSERTION",
            **(
                {
                    "simplelicensing_customIdToUri": [
                        {"type": "DictionaryEntry", "key": lid, "value": f"{base}:licence:{lid}"}
                        for lid in used_ids
                        if lid.startswith("LicenseRef-")
                    ]
                }
                if lic_elems
                else {}
            ),
        }
    )
    return expr_id
