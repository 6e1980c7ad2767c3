"""FSC sanction cases (裁罰案件) and press releases: RSS/XML feed, saved HTML pages, CSV.

One record per case. Regulation G0380177 Art. 3 publishes, for every case, the date
(裁罰及處分時間), the sanctioned party (受裁罰及處分之對象), the legal basis (法令依據), the facts and
reasons (違反事實理由) and the result (裁罰及處分結果); 裁處書 use labels such as 發文日期, 受處分人,
主旨, 事實, 理由及法令依據, 罰鍰金額. These are parsed into ``metadata``:

* ``date`` (ISO, from ROC or Gregorian dates; a case whose date does not exist is quarantined,
  ``BAD_DATE``), ``doc_no``, ``subject``;
* ``institution`` and ``ubn`` only when the respondent is an organisation (a person's name is
  personal data and stays in the text only, for the PII stage to mask);
* ``legal_basis`` (the labelled text, else the provisions cited), ``laws_cited``;
* ``result`` and ``fines_twd`` / ``fine_twd_total`` (新臺幣300萬元 -> 3000000; 億/萬/千/百 combined,
  ASCII, full-width or Chinese digits: 新臺幣1億2,000萬元, 一千二百萬元; an amount not read whole is left out);
* ``spans``: ``{facts|reasons|facts_reasons|...: [start, end]}`` character offsets into the
  record text. Narratives name people, so they are referenced, not copied into metadata.

Licence: ``LicenseRef-TW-Copyright-Art9``. 裁處書 and 新聞稿 are 公文 without copyright (Copyright
Act Art. 9(1)(1)); this id says *why* they are free, which OGDL-Taiwan-1.0 (an open-data licence
grant) would not. The source is ``pii_expected``: nothing is exported or annotated before the
PII stage ran.

Inputs are classified by suffix (``.xml``/``.rss`` feed, ``.html``/``.htm`` page, ``.csv``).
A case page's number (``serno``, the key ``fsc:<serno>``) comes from its own address only (canonical
link, ``og:url``, a browser's ``saved from url`` note), never from links to other cases (上一筆/下一筆,
related cases); a page without one is keyed by its content, one whose addresses disagree is quarantined.
A saved list page yields its rows only for cases not already read from a detail page, the feed or a
CSV row, in the same batch or (``known_full_cases``, read by :func:`known_full_cases`) in the catalogue:
a list row is a one-line title and never supersedes a case's full text (those rows are counted and named
as skips). A page with its own case number or a case's sections (受處分人, 事實, 理由) beside such rows is a
case page (its related-cases table), never a list. A CSV row whose number of fields differs
from the header's is quarantined (``BAD_CSV_ROW``) and the file's other rows are read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from provenance.errors import ConfigError
from sources import folder_files, fsc_keys, moda_text
from sources.base import Notice, RawItem, Record, Rejection, Skip, Source, SourceInfo, unsupported_file
from sources.documents import ExtractionError, decode_text, detect_lang
from sources.fsc_keys import full_cases
from sources.fsc_keys import serno as _serno
from sources.fsc_parse import ImpossibleDate, cited_provisions, parse_date, parse_fines, read_date

__all__ = [
    "FscReason",
    "FscSource",
    "cited_provisions",
    "full_cases",
    "parse_case_text",
    "parse_date",
    "parse_fines",
]

DEFAULT_LICENCE = "LicenseRef-TW-Copyright-Art9"


_LINK_ADVICE = "a symlink to a file outside the folder; copy the file in if it is an FSC case"


class FscReason:
    """Stable quarantine/skip reasons of the FSC ingestor."""

    BAD_FEED = "unreadable RSS/XML feed"
    BAD_CSV = "unreadable CSV"
    BAD_CSV_ROW = "CSV row that cannot be read (a field too many or too few, a stray or unclosed quote)"
    LINK_OUTSIDE = folder_files.LINK_OUTSIDE
    UNDECODABLE_ROW = "CSV row that is not UTF-8 text (the file's other rows are read)"
    EMPTY = "empty file"
    NO_CASE = "no sanction case found"
    UNSUPPORTED = "unsupported file type"
    DUPLICATE = "case already read in this batch"
    HELD_IN_FULL = "list entry of a case the catalogue holds in full (detail page, feed item or CSV row)"
    UNDECODABLE = "undecodable text"
    BAD_DATE = "date that does not exist (114/02/30, 2025-13-01)"
    TWO_ADDRESSES = "case page whose own addresses (canonical link, og:url, saved-from note) name different cases"
    OLD_KEY = "bureau case also held under its number alone (ingested before review 16): withdraw that record once"


#: canonical key -> labels as printed (longest first within a key is not needed: see _LABEL_RE)
LABELS: dict[str, tuple[str, ...]] = {
    "date": ("裁罰及處分時間", "發文日期", "裁處日期", "處分日期", "發布日期", "日期"),
    "doc_no": ("發文字號", "文號"),
    "respondent": (
        "受裁罰及處分之對象",
        "受處分人名稱",
        "受處分人姓名",
        "受處分人",
        "受處分對象",
        "被處分人",
        "相對人",
    ),
    "ubn": ("統一編號", "統一號碼"),
    "representative": ("代表人或管理人姓名", "代表人姓名", "代表人"),
    "address": ("地址", "住所", "營業所"),
    "subject": ("主旨", "標題"),
    "facts_reasons": ("違反事實理由",),
    "facts": ("事實",),
    "reasons_legal": ("理由及法令依據",),
    "reasons": ("理由",),
    "legal_basis": ("法令依據",),
    "result": ("裁罰及處分結果", "處分結果", "裁處結果", "罰鍰金額", "處分內容", "處分"),
    "appeal": ("繳款方式", "注意事項", "救濟"),
    "text": ("內容", "全文"),
    "link": ("連結", "網址", "link", "url"),
    "bureau": ("單位", "發布單位", "局處"),
}
_ALL_LABELS = sorted(((lab, key) for key, labs in LABELS.items() for lab in labs), key=lambda x: -len(x[0]))
_LABEL_RE = re.compile(
    r"^[\s\u3000]*(?:[一二三四五六七八九十]+、)?(?P<label>"
    + "|".join("[\\s\\u3000]*".join(map(re.escape, lab)) for lab, _ in _ALL_LABELS if lab.isascii() is False)
    + r")[\s\u3000]*(?:[:：]|$|[\s\u3000]+)"
)
_ORG = re.compile(
    r"(銀行|公司|保險|證券|金控|控股|合作社|農會|漁會|基金|信託|票券|期貨|投信|投顧|商業|分行|事務所|協會|交易所|中心|集團)"
)
_SERNO = fsc_keys.SERNO


def parse_case_text(lines: list[str]) -> tuple[str, dict[str, tuple[int, int]]]:
    """Join cleaned lines into the record text and find labelled sections.

    Returns ``(text, {key: (start, end)})`` with offsets of each section's value in ``text``.

    >>> text, spans = parse_case_text(["主　旨：核處罰鍰。", "事實：", "甲銀行未確認客戶身分。"])
    >>> text[slice(*spans["facts"])]
    '甲銀行未確認客戶身分。'
    """
    text_lines = [ln.strip() for ln in lines if ln.strip()]
    text = "\n".join(text_lines)
    spans: dict[str, tuple[int, int]] = {}
    pos = 0
    current: str | None = None
    start = 0
    for ln in text_lines:
        m = _LABEL_RE.match(ln)
        if m is not None:
            if current is not None and current not in spans:
                spans[current] = (start, pos - 1)
            label = re.sub(r"[\s\u3000]", "", m.group("label"))
            current = next(key for lab, key in _ALL_LABELS if lab == label)
            start = pos + m.end()
        pos += len(ln) + 1
    if current is not None and current not in spans:
        spans[current] = (start, len(text))
    # a label with its value on the next line(s): trim leading separators
    spans = {k: (s + len(text[s:e]) - len(text[s:e].lstrip("\n：: \u3000")), e) for k, (s, e) in spans.items()}
    return text, {k: (s, e) for k, (s, e) in spans.items() if e > s}


@dataclass
class _Case:
    """A case as read from one input, before it becomes a record."""

    locator: str
    origin: str
    lines: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # values given outside the text (feed, CSV, list)
    kind: str = "detail"  # detail | feed | csv | list
    serno: str | None = None
    link: str | None = None


class FscSource(Source):
    """FSC sanction cases and press releases.

    Options: ``licence`` (default ``LicenseRef-TW-Copyright-Art9``), ``source_id`` (default
    ``fsc``), ``known_full_cases`` (sernos of cases the catalogue holds in full: their list rows are skipped).
    """

    name: ClassVar[str] = "fsc"
    licence_id: ClassVar[str | None] = DEFAULT_LICENCE
    pii_expected: ClassVar[bool] = True

    def __init__(self, paths, *, known_full_cases: Iterable[str] | None = None, **options: Any) -> None:
        super().__init__(paths, **options)
        self._full_cases_given = known_full_cases is not None
        self.known_full_cases = frozenset(known_full_cases or ())
        self.old_keys: dict[str, tuple[str, str]] = {}
        self.licence = str(options.get("licence") or self.licence_id)
        from sources.manifest import known_licence_ids

        if self.licence not in known_licence_ids():
            raise ConfigError(
                f"unknown licence id `{self.licence}` for FSC cases; known: {', '.join(sorted(known_licence_ids()))}"
                f" (`curate licences list`), or give none (no --licence; no `licence` in a pipeline file's options)"
                f" for {DEFAULT_LICENCE}"
            )
        from provenance.licences import canonical_licence_id

        self.licence = canonical_licence_id(self.licence)  # an alias stored as typed was a licence change
        self.source_id = str(options.get("source_id") or self.name)

    def know_catalogue(self, con: Any) -> None:
        """The cases the catalogue holds in full (their list rows are skipped), unless the caller gave them."""
        if not self._full_cases_given:
            self.known_full_cases = frozenset(full_cases(con, str(self.options.get("source_id") or "fsc")))
        self.old_keys = fsc_keys.old_keys(con, self.source_id)  # named at each ingest until withdrawn (review 16 r)

    def source_infos(self) -> list[SourceInfo]:
        return [
            SourceInfo(
                source_id=self.source_id,
                kind="sanctions",
                title="金融監督管理委員會 裁罰案件及新聞稿",
                origin="https://www.fsc.gov.tw/ch/home.jsp?id=131",
                licence_id=self.licence,
                pii_expected=True,
                metadata={"regulation": "G0380177", "copyright": "Copyright Act Art. 9(1)(1)"},
            )
        ]

    # -- inputs ----------------------------------------------------------------------------

    def _files(self) -> Iterator[Path | Rejection]:
        for p in self.paths:
            if not p.exists():
                raise ConfigError(f"FSC input `{p}` not found")
            if p.is_dir():  # a file that is a symlink out of the folder is named (below), never read, as MODA's
                inside = p.resolve()
                for f in sorted(p.rglob("*")):
                    hidden = any(part.startswith(".") for part in f.relative_to(p).parts)  # a dot-folder's too
                    if not f.is_dir() and not hidden:  # a FIFO or broken link: quarantined
                        yield Rejection(f.name, FscReason.LINK_OUTSIDE, "") if folder_files.outside(f, inside) else f
            else:
                yield p

    def iter_raw(self) -> Iterator[RawItem | Rejection | Skip]:
        seen: set[str] = set()
        lists: list[tuple[Path, list[_Case]]] = []
        for path in self._files():
            if isinstance(path, Rejection):
                yield Rejection(path.locator, path.reason, _LINK_ADVICE, self.source_id)
                continue
            loc = path.name
            if why := folder_files.not_read(path, FscReason.EMPTY):  # a FIFO: never waited on (review 16 r)
                yield Rejection(loc, *why, self.source_id)
                continue
            suffix = path.suffix.lower()
            try:
                if suffix in (".xml", ".rss"):
                    cases = list(self._feed(path))
                elif suffix in (".html", ".htm"):
                    cases = self._html(path)
                    if cases and cases[0].kind == "list":
                        lists.append((path, cases))  # after detail pages and feeds
                        continue
                elif suffix == ".csv":
                    cases = list(self._csv(path))
                else:
                    reads = ".xml, .rss, .html, .htm, .csv"
                    yield unsupported_file(self.paths, path, loc, FscReason.UNSUPPORTED, reads, self.source_id)
                    continue
            except _InputError as exc:
                yield Rejection(loc, exc.reason, exc.detail[:500], self.source_id)
                continue
            if not cases:
                yield Rejection(loc, FscReason.NO_CASE, "", self.source_id)
            for case in cases:
                if isinstance(case, Rejection):
                    yield case
                else:
                    yield from self._emit(case, seen)
        for _path, cases in lists:
            for case in cases:
                if case.serno in self.known_full_cases:
                    yield Skip(case.locator, FscReason.HELD_IN_FULL, self.source_id)
                else:
                    yield from self._emit(case, seen)

    def _emit(self, case: _Case, seen: set[str]) -> Iterator[RawItem | Skip]:
        key = self._case_key(case)
        if key in seen:
            yield Skip(case.locator, FscReason.DUPLICATE, self.source_id)
            return
        seen.add(key)
        if key in self.old_keys:  # the same case beside it under its pre-review-16 key: two active copies
            doc_key, rid = self.old_keys[key]
            how = f"curate provenance withdraw --record {rid} --reason 'FSC case rekeyed by site (review 16)'"
            detail = f"`{doc_key}` is this case, now `{self.source_id}:{key}`: {how}"
            yield Notice(case.locator, FscReason.OLD_KEY, detail, self.source_id)
        yield RawItem(case.locator, case, case.origin)

    @staticmethod
    def _case_key(case: _Case) -> str:
        if case.serno:
            return case.serno
        doc_no = case.fields.get("doc_no")
        if doc_no:
            return "doc:" + re.sub(r"\s", "", doc_no)
        basis = "\n".join(case.lines) or repr(sorted(case.fields.items()))
        return "sha:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]

    # -- readers ---------------------------------------------------------------------------

    def _feed(self, path: Path) -> Iterator[_Case]:
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        try:
            root = etree.parse(str(path), parser).getroot()
        except etree.XMLSyntaxError as exc:
            raise _InputError(FscReason.BAD_FEED, str(exc)) from exc
        items = root.findall(".//item") or root.findall(".//{*}entry")
        for n, item in enumerate(items, start=1):

            def get(tag: str, item=item) -> str:
                el = item.find(tag)
                if el is None:
                    el = item.find("{*}" + tag)
                if el is None:
                    return ""
                # text before and after entity references (never expanded: resolve_entities=False)
                text = (el.text or "") + "".join(
                    ("" if isinstance(c, etree._Entity) else "".join(c.itertext())) + (c.tail or "") for c in el
                )
                return (text or el.get("href") or "").strip()

            link = get("link")
            description = get("description") or get("content") or get("summary")
            lines = _html_lines(description) if description else []
            title = get("title")
            fields = {"title": title, "pub_date": get("pubDate") or get("updated")}
            serno = _serno(link) or _serno(get("guid"))
            yield _Case(f"{path.name}#item={n}", str(path), lines or [title], fields, "feed", serno, link or None)

    def _html(self, path: Path) -> list[_Case]:
        from bs4 import BeautifulSoup

        try:
            markup, _enc = decode_text(path.read_bytes())
        except ExtractionError as exc:
            raise _InputError(FscReason.UNDECODABLE, exc.detail) from exc
        soup = BeautifulSoup(markup, "lxml")
        for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "form"]):
            tag.decompose()
        link, serno = _own_address(soup, markup)
        # a list page: a table whose rows link to several different cases, on a page that is no case of its own
        # (a case page's related-cases table lost the case itself: review 9)
        rows = [tr for tr in soup.find_all("tr") if tr.find("a", href=_SERNO)]
        related = len({_serno(tr.find("a", href=_SERNO)["href"]) for tr in rows}) >= 2
        if related and not (serno or _case_beside(soup)):
            cases = []
            for n, tr in enumerate(rows, start=1):
                a = tr.find("a", href=_SERNO)
                cells = [td.get_text(" ", strip=True) for td in tr.find_all(["td", "th"])]
                title = a.get_text(" ", strip=True)
                date = next((c for c in cells if parse_date(c) and len(c) <= 20), "")
                others = [c for c in cells if c and c != title and c != date and not c.isdigit()]
                fields = {"title": title, "date": date, "bureau": others[0] if others else ""}
                key = _serno(a["href"], link)  # relative to the page: a bureau's list is its site's (review 16 r)
                cases.append(_Case(f"{path.name}#row={n}", str(path), [title], fields, "list", key, a["href"]))
            return cases
        if related:  # a case page's related-cases rows (a list before review 9): other cases' titles, not its text
            for tr in _link_rows(soup):
                tr.decompose()
        main = (
            soup.find(id=re.compile("content|main", re.I))
            or soup.find(class_=re.compile("content|main", re.I))
            or soup.body
            or soup
        )
        lines = [ln for ln in main.get_text("\n").splitlines() if ln.strip()]
        if not lines:
            return []
        title = soup.title.get_text(" ", strip=True) if soup.title else ""
        return [_Case(path.name, str(path), lines, {"title": title}, "detail", serno, link)]

    def _csv(self, path: Path) -> Iterator[_Case | Rejection]:
        data = path.read_bytes()
        try:
            text, _enc = decode_text(data)
        except ExtractionError as exc:  # a UTF-8 file with a Big5 cell: that row is the error (below), not the file
            text, undecodable = data.decode("utf-8-sig", "surrogateescape"), exc.detail
        else:
            undecodable = ""
        try:
            reader = csv.reader(io.StringIO(text), strict=True)  # an unclosed quote is an error, not one long case
            header = next(reader, None) or []
        except csv.Error as exc:
            raise _InputError(FscReason.BAD_CSV, str(exc)) from exc
        if undecodable and moda_text.undecodable(header):
            raise _InputError(FscReason.UNDECODABLE, undecodable)
        mapping = {col: _column_key(col) for col in header}
        if not any(k in ("text", "facts", "facts_reasons", "subject", "result") for k in mapping.values()):
            raise _InputError(FscReason.BAD_CSV, f"no case columns in header {header}")
        try:
            n = 1  # rows numbered from the header's 1, blank lines not counted (as csv.DictReader did)
            while True:
                first = reader.line_num + 1
                try:
                    values = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:  # this row only (a stray quote; one never closed runs to the file's end)
                    n += 1
                    lines = f"line {first}" if reader.line_num <= first else f"lines {first}-{reader.line_num}"
                    yield Rejection(f"{path.name}#line={n}", FscReason.BAD_CSV_ROW, f"{lines}: {exc}", self.source_id)
                    continue
                if not values:
                    continue
                n += 1
                locator = f"{path.name}#line={n}"
                if undecodable and moda_text.undecodable(values):
                    detail = f"line {reader.line_num}: bytes that are not UTF-8: " + moda_text.printable(
                        ",".join(values)
                    )
                    yield Rejection(locator, FscReason.UNDECODABLE_ROW, detail[:300], self.source_id)
                    continue
                if len(values) != len(header):
                    # a row with a field too many or too few: its values cannot be told apart by column
                    detail = f"line {reader.line_num}: row has {len(values)} fields, the header has {len(header)}"
                    yield Rejection(locator, FscReason.BAD_CSV_ROW, detail, self.source_id)
                    continue
                fields = {}
                lines = []
                for col, value in zip(header, values, strict=True):
                    value = value.strip()
                    key = mapping.get(col)
                    if not value:
                        continue
                    if key in ("link", "bureau", "date", "doc_no", "ubn") or key is None:
                        fields[key or col] = value
                    if key not in ("link", "bureau") and key is not None:
                        lines.append(f"{col}：{value}" if key != "text" else value)
                link = fields.get("link")
                yield _Case(locator, str(path), lines, fields, "csv", _serno(link or ""), link)
        except csv.Error as exc:
            raise _InputError(FscReason.BAD_CSV, f"line {reader.line_num}: {exc}") from exc

    # -- records ---------------------------------------------------------------------------

    def to_records(self, raw: RawItem) -> Iterable[Record | Rejection | Skip]:
        case: _Case = raw.payload
        text, spans = parse_case_text(case.lines)
        if not text.strip():
            yield Rejection(raw.locator, FscReason.NO_CASE, "no text", self.source_id)
            return

        def section(key: str) -> str | None:
            if key in spans:
                return text[slice(*spans[key])].strip() or None
            return None

        respondent = section("respondent")
        is_org = bool(respondent and _ORG.search(respondent))
        try:
            date = (
                read_date(section("date"))
                or read_date(case.fields.get("date"))
                or read_date(case.fields.get("pub_date"))
            )
        except ImpossibleDate as exc:  # ordering versions by it, or showing it, would mislead
            yield Rejection(raw.locator, FscReason.BAD_DATE, f"{exc}: fix the date in the input", self.source_id)
            return
        result = section("result")
        subject = section("subject") or case.fields.get("title") or None
        fines = parse_fines(result) or parse_fines(subject) or ([] if result else parse_fines(text))
        legal = section("legal_basis") or section("reasons_legal")
        laws = cited_provisions(text)
        sanction_labels = {"respondent", "facts", "facts_reasons", "reasons_legal", "legal_basis", "result"}
        meta: dict[str, Any] = {
            "kind": case.kind,
            "doc_type": "sanction"
            if (sanction_labels & set(spans) or fines or case.kind == "list")
            else "press_release",
            "date": date,
            "doc_no": section("doc_no") or case.fields.get("doc_no"),
            "subject": subject if is_org or not respondent else None,
            "institution": respondent if is_org else None,
            "respondent_type": ("organisation" if is_org else "person") if respondent else None,
            "ubn": (section("ubn") or case.fields.get("ubn")) if (is_org or not respondent) else None,
            "legal_basis": laws or None,
            "result": result if is_org else None,
            "fines_twd": fines or None,
            "fine_twd_total": sum(fines) if fines else None,
            "spans": {k: list(v) for k, v in spans.items() if k not in ("link", "bureau")},
            "has_legal_basis_section": legal is not None,
            "serno": case.serno,
            "url": case.link,
            "bureau": case.fields.get("bureau") or None,
            "file": Path(case.origin).name,
        }
        meta = {k: v for k, v in meta.items() if v not in (None, "", [], {})}
        key = self._case_key(case)
        title = case.fields.get("title") or subject
        yield Record(
            doc_key=f"{self.source_id}:{key}",
            locator=raw.locator,
            text=text,
            source_id=self.source_id,
            container=None,
            title=title or None,
            lang=detect_lang(text),
            licence_id=self.licence,
            metadata=meta,
            version_metadata={"date": date, "serno": case.serno},
            as_of=date,
        )


class _InputError(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


#: a browser's note of the address a page was saved from (``<!-- saved from url=(0085)https://... -->``)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)


def _link_rows(soup: Any) -> list[Any]:
    """The rows that hold a link to a case, each the nearest row of its link (never a layout row around a table)."""
    rows: dict[int, Any] = {}
    for a in soup.find_all("a", href=_SERNO):
        tr = a.find_parent("tr")
        if tr is not None:
            rows.setdefault(id(tr), tr)
    return list(rows.values())


def _case_beside(soup: Any) -> bool:
    """True when the page, outside the tables of its rows that link to cases, has a case's own sections (受處分人,
    事實, 理由). The whole table goes: a list's header (``<th>受處分人</th><th>案由</th>``) or summary rows under
    its links are no case's sections (review 9); a layout table around it stays (only the nearest table goes)."""
    import copy

    probe = copy.copy(soup)
    for table in {id(t): t for t in (tr.find_parent("table") for tr in _link_rows(probe)) if t is not None}.values():
        if not table.decomposed:
            table.decompose()
    _text, spans = parse_case_text([ln for ln in probe.get_text("\n").splitlines() if ln.strip()])
    return bool(spans.keys() & {"respondent", "facts", "facts_reasons", "reasons_legal"})


def _own_address(soup: Any, markup: str) -> tuple[str | None, str | None]:
    """``(url, serno)`` of a case page from its own address only: canonical link, ``og:url``, a browser's
    ``saved from url`` note. Links to other pages (上一筆/下一筆, related cases) never name this case, so a page
    with no address of its own has no serno (keyed by its content); one whose addresses disagree is refused."""
    canonical = soup.find("link", rel="canonical")
    og = soup.find("meta", attrs={"property": "og:url"})
    saved = _SAVED_FROM.search(markup[:4096])
    urls = [u for u in (canonical and canonical.get("href"), og and og.get("content"), saved and saved.group(1)) if u]
    sernos = {s for s in map(_serno, urls) if s}
    if len(sernos) > 1:
        raise _InputError(FscReason.TWO_ADDRESSES, f"the page's own addresses name cases {sorted(sernos)}: {urls}")
    return (urls[0] if urls else None), next(iter(sernos), None)


def _column_key(column: str | None) -> str | None:
    col = re.sub(r"[\s\u3000]", "", column or "")
    for label, key in _ALL_LABELS:
        if col == label or col.lower() == label.lower():
            return key
    return None


def _html_lines(markup: str) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    return [ln for ln in soup.get_text("\n").splitlines() if ln.strip()]
