"""law.moj.gov.tw (全國法規資料庫): FSC regulations, one record per article (and one for a 前言, law_moj_foreword.py).

Accepts the official bulk downloads (``ChLaw.json.zip`` etc. and the unzipped JSON: UTF-8 with BOM,
``{"UpdateDate": …, "Laws": […]}``), single law objects (one per file, or a list), and the older FalVMingLing XML
(root ``LAWS`` or a bare ``法規`` element, Chinese tag names, LF or CRLF), Chinese and English. Both formats are
mapped to the JSON key set first, then to records by one function.

Versions: ``record_id`` hashes source + locator + text + the law-level metadata that defines a version (name,
level, category, effective note, repeal marker), so a metadata-only change under the same ``LawModifiedDate``
still yields a new version, while an amendment re-versions only the articles whose text changed.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import re
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from lxml import etree

from sources import capped, law_moj_sql
from sources.base import RawItem, Record, Rejection, Skip, Source, SourceInfo, unsupported_file
from sources.folder_files import LINK_OUTSIDE, NOT_REGULAR, input_files, special
from sources.law_moj_foreword import foreword_records
from sources.law_moj_twice import LawsRead
from sources.law_moj_wrapper import first_laws, laws_twice, loads_counting
from sources.law_moj_xml import xml_bytes, xml_to_law

SOURCE_ID = "law_moj"
FSC_PREFIX = "行政＞金融監督管理委員會＞"
FSC_REPEALED = ("廢止法規＞金融監督管理委員會", "廢止法規＞行政院金融監督管理委員會")
#: finance laws filed under other agencies (domain-sources.md §1)
DEFAULT_ALLOW_LIST: tuple[str, ...] = (
    "G0380131",  # 洗錢防制法
    "I0030047",  # 資恐防制法
    "I0050021",  # 個人資料保護法
    "G0410001",  # 中央銀行法
    "J0080001",  # 公司法
    "I0020024",  # 信託法
    "B0000001",  # 民法
    "J0170001",  # 消費者保護法
    "M0070013",  # 農業金融法
)
#: a ZIP member encrypted with a password (zipfile cannot read it without one)
REASON_ZIP_ENCRYPTED = "password-protected ZIP member"
NO_ARTICLES = law_moj_sql.NO_ARTICLES  # a law with no articles: a named skip, on both paths
#: law-level fields the official format gives as text (or null); anything else quarantines the law
_TEXT_FIELDS = (
    *("LawName", "LawURL", "EngLawURL", "EngLawName", "LawLevel", "LawCategory", "LawModifiedDate"),
    *("EngLawModifiedDate", "LawEffectiveDate", "LawEffectiveNote", "LawAbandonNote", "EngLawAbandonNote"),
)
_NOT_OBJECT = "law object is not a JSON object"
_PCODE_RE = re.compile(r"pcode=([A-Z]\d{7})", re.IGNORECASE)
_PCODE_ONLY_RE = re.compile(r"[A-Z]\d{7}", re.ASCII)
_ART_NO_RE = re.compile(r"^\s*(?:第\s*)?(\d+(?:\s*-\s*\d+)?)\s*(?:條)?\s*$")
_ENG_ART_NO_RE = re.compile(r"^\s*Article\s+(\d+(?:\s*-\s*\d+)?)\s*$", re.IGNORECASE)

#: bulk files above this size are parsed as a stream (one law in memory at a time)
STREAM_THRESHOLD = 32 * 2**20
_NEWLINE_RE = re.compile(r"\r\n?")


def canonical_text(text: str) -> str:
    r"""The text of an article or note as one version: line endings are a format detail.

    The JSON bulk files use CRLF and FalVMingLing XML often LF; the same law text from either
    format must be one version (issue 14), so CRLF and lone CR become LF.

    >>> canonical_text("一、存款。\r\n二、放款。\r") == canonical_text("一、存款。\n二、放款。\n")
    True
    """
    return _NEWLINE_RE.sub("\n", text) if "\r" in text else text


_WRAPPER_RE = re.compile(rb'^(?:\xef\xbb\xbf)?\s*\{\s*"UpdateDate"')
_UPDATE_RE = re.compile(rb'"UpdateDate"\s*:\s*"([^"]*)"')


def _is_large_bulk(path: Path) -> bool:
    """A bulk wrapper file above the streaming threshold."""
    try:
        if path.stat().st_size <= STREAM_THRESHOLD:
            return False
        with open(path, "rb") as fh:
            return bool(_WRAPPER_RE.match(fh.read(512)))
    except OSError:
        return False  # the normal path reports it as unreadable


@dataclass(frozen=True, slots=True)
class LawPayload:
    law: dict[str, Any]
    lang: str  # zh | en
    update_date: str | None
    origin: str


class LawMojSource(Source):
    """Ingestor for law.moj.gov.tw bulk files (JSON, ZIP, XML)."""

    name: ClassVar[str] = "law_moj"
    licence_id: ClassVar[str | None] = "OGDL-Taiwan-1.0"
    pii_expected: ClassVar[bool] = False

    def __init__(
        self,
        paths,
        *,
        scope: str = "fsc",
        allow_list: Iterable[str] = DEFAULT_ALLOW_LIST,
        known_fsc_pcodes: Iterable[str] | None = None,
    ) -> None:
        from provenance.errors import ConfigError

        allow = frozenset(p.strip().upper() for p in allow_list)  # PCODEs read from URLs are upper-cased too
        if bad := [p for p in allow_list if not _PCODE_ONLY_RE.fullmatch(p.strip().upper())]:
            raise ConfigError(f"--allow {bad[0]!r} is not a PCODE; give one like G0380131 (a letter, 7 digits)")
        super().__init__(paths, scope=scope, allow_list=",".join(sorted(allow)))
        if scope not in ("fsc", "all"):
            raise ConfigError(f"unknown scope `{scope}`; valid: fsc, all")
        self.scope = scope
        self.allow_list = allow
        # English files carry no category: in scope if the Chinese law is (this run or the catalogue)
        self.fsc_pcodes: set[str] = set(known_fsc_pcodes or ())
        self._pcodes_given = known_fsc_pcodes is not None
        self.laws_read = LawsRead()  # one law per snapshot (sources/law_moj_twice.py)

    def know_catalogue(self, con: Any) -> None:
        """The Chinese laws the catalogue holds (an English file is in scope when its Chinese law is), unless the
        caller gave them."""
        if not self._pcodes_given:
            self.fsc_pcodes.update(catalogue_pcodes(con))

    def source_infos(self) -> list[SourceInfo]:
        return [
            SourceInfo(
                source_id=SOURCE_ID,
                kind=self.name,
                title="全國法規資料庫 Laws & Regulations Database (MOJ)",
                origin="https://law.moj.gov.tw/api/data/",
                licence_id=self.licence_id,
                pii_expected=False,
                metadata={
                    "provider": "法務部",
                    "dataset": "全國法規資料庫 法規資料 (開放資料)",
                    "copyright_status": "excluded (TW Copyright Act Art. 9(1)(1)-(2))",
                    "licence_note": "Laws are excluded from copyright under Copyright Act Art. 9; the bulk files "
                    "are released under the Open Government Data License v1.0.",
                },
            )
        ]

    # -- reading ------------------------------------------------------------------------------
    def _files(self) -> Iterator[Path | Rejection]:
        from sources.law_moj_order import english_last

        files, out = input_files(self.paths)  # a folder: every file, so one of another type is counted as skipped
        advice = "a symlink to a file outside the folder; copy the file in if it is a law file"
        yield from (Rejection(str(f), LINK_OUTSIDE, advice, SOURCE_ID) for f in out)  # never read, as MODA's
        yield from (Rejection(str(f), NOT_REGULAR, "save it to a file first", SOURCE_ID) for f in files if special(f))
        files = [f for f in files if not special(f)]  # a FIFO named as input was waited on for good (review 16)
        yield from files if self.scope == "all" else english_last(files)  # English laws after the Chinese ones

    def iter_raw(self) -> Iterator[RawItem | Rejection | Skip]:
        for path in self._files():
            yield from [path] if isinstance(path, Rejection) else self.iter_file(path)

    def iter_raw_bulk(self) -> Iterator[RawItem | Rejection | Skip | Any]:
        """:meth:`iter_raw`, with JSON files DuckDB can read whole given as :class:`sources.law_moj_bulk.BulkJson`.

        The ingest driver maps those in SQL (:mod:`curate.ingest_fast`) and falls back to
        :meth:`iter_file` when the SQL path declines a file.
        """
        from sources import law_moj_bulk

        for path in self._files():
            bulk = None
            if isinstance(path, Path) and path.suffix.lower() == ".json":
                bulk = law_moj_bulk.classify(path, self, streamed=_is_large_bulk(path))
            if bulk is not None or isinstance(path, Rejection):
                yield path if bulk is None else bulk
            else:
                yield from self.iter_file(path)

    def iter_file(self, path: Path) -> Iterator[RawItem | Rejection | Skip]:
        """The raw items of one input file (JSON, ZIP or XML; any other file is a counted skip)."""
        suffix = path.suffix.lower()
        if suffix not in (".json", ".zip", ".xml"):
            yield unsupported_file(self.paths, path, str(path), "unsupported file type", ".json, .zip, .xml", SOURCE_ID)
            return
        if suffix == ".json" and _is_large_bulk(path):
            yield from self._iter_json_file(path)
            return
        if suffix == ".zip":  # read member by member from the file: never the whole archive in memory
            yield from self._iter_zip(path)
            return
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield Rejection(str(path), f"unreadable file: {exc.strerror or exc}", source_id=SOURCE_ID)
            return
        if suffix == ".xml":
            yield from self._iter_xml(str(path), data)
        else:
            yield from self._iter_json(str(path), data)

    def _iter_zip(self, path: Path) -> Iterator[RawItem | Rejection | Skip]:
        try:
            zf = zipfile.ZipFile(path)  # opened on the file: a member is inflated only when it is read
            members = [m for m in zf.infolist() if not m.is_dir()]
        except zipfile.BadZipFile as exc:
            yield Rejection(str(path), f"corrupt or truncated ZIP: {exc}", source_id=SOURCE_ID)
            return
        except OSError as exc:
            yield Rejection(str(path), f"unreadable file: {exc.strerror or exc}", source_id=SOURCE_ID)
            return
        with zf:
            yield from self._zip_members(path, zf, members)

    def _zip_members(self, path: Path, zf: zipfile.ZipFile, members: list) -> Iterator[RawItem | Rejection | Skip]:
        for m in members:
            loc = f"{path}!{capped.member_name(m)}"
            low = m.filename.lower()
            if not low.endswith((".json", ".xml")):
                yield Skip(loc, "not a law file (ZIP member)", source_id=SOURCE_ID)
                continue
            payload = yield from _read_member(zf, m, loc)
            if payload is None:
                continue
            if low.endswith(".json"):
                yield from self._iter_json(loc, payload)
            else:
                yield from self._iter_xml(loc, payload)

    def _iter_json(self, loc: str, data: bytes) -> Iterator[RawItem | Rejection]:
        if len(data) > STREAM_THRESHOLD and _WRAPPER_RE.match(data[:512]):
            yield from self._iter_json_stream(loc, data)
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            bad = repr(data[max(0, exc.start - 20) : exc.start + 20])
            yield Rejection(loc, f"not UTF-8 at byte {exc.start}", excerpt=bad, source_id=SOURCE_ID)
            return
        try:
            obj, (arrays, later) = loads_counting(text)  # first value of a name twice, as DuckDB reads it
        except capped.InputLimitError as exc:
            yield Rejection(loc, exc.reason, excerpt=exc.detail, source_id=SOURCE_ID)
            return
        except json.JSONDecodeError as exc:
            at, near = f"{loc}:{exc.lineno}:{exc.colno}", text[max(0, exc.pos - 60) : exc.pos + 60]
            yield Rejection(at, f"invalid JSON: {exc.msg}", excerpt=near, source_id=SOURCE_ID)
            return
        update = None
        if isinstance(obj, dict) and "Laws" in obj:
            update, laws = obj.get("UpdateDate"), obj["Laws"]
        elif isinstance(obj, list):
            laws = obj
        else:
            laws = [obj]
        if not isinstance(laws, list):
            yield Rejection(loc, "invalid JSON: `Laws` is not a list", source_id=SOURCE_ID)
            return
        for i, law in enumerate(laws):
            item_loc = f"{loc}#{i}" if len(laws) > 1 else loc
            if not isinstance(law, dict):
                yield Rejection(item_loc, _NOT_OBJECT, excerpt=str(law)[:200], source_id=SOURCE_ID)
                continue
            lang = "en" if "EngLawArticles" in law or "EngLawURL" in law else "zh"
            yield RawItem(item_loc, LawPayload(law, lang, update, loc), origin=loc)
        if arrays:
            yield laws_twice(loc, arrays, later, SOURCE_ID)

    def _iter_json_stream(self, loc: str, data: bytes) -> Iterator[RawItem | Rejection]:
        """Stream the laws of a large bulk file held in memory (e.g. a ZIP member)."""
        yield from self._stream_laws(loc, io.BytesIO(data), data[:512])

    def _iter_json_file(self, path: Path) -> Iterator[RawItem | Rejection]:
        """Stream the laws of a large bulk file straight from disk (memory bounded by one law)."""
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed below, generator
        except OSError as exc:
            yield Rejection(str(path), f"unreadable file: {exc.strerror or exc}", source_id=SOURCE_ID)
            return
        with fh:
            head = fh.read(512)
            fh.seek(0)
            yield from self._stream_laws(str(path), fh, head)

    def _stream_laws(self, loc: str, stream: BinaryIO, head: bytes) -> Iterator[RawItem | Rejection]:
        import ijson

        m = _UPDATE_RE.search(head)
        update = m.group(1).decode("utf-8") if m else None
        if head.startswith(b"\xef\xbb\xbf"):
            stream.seek(3)
        i, dropped = -1, [0, 0]  # the later `Laws` arrays of the wrapper, and their laws (sources/law_moj_wrapper.py)
        try:
            events = first_laws(ijson.parse(stream), dropped)
            for i, law in enumerate(ijson.items(events, "Laws.item", map_type=capped.FirstValueDict)):
                if not isinstance(law, dict):
                    yield Rejection(f"{loc}#{i}", _NOT_OBJECT, excerpt=str(law)[:200], source_id=SOURCE_ID)
                    continue
                lang = "en" if "EngLawArticles" in law or "EngLawURL" in law else "zh"
                yield RawItem(f"{loc}#{i}", LawPayload(law, lang, update, loc), origin=loc)
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            pos = stream.tell()
            stream.seek(max(0, pos - 60))
            excerpt = stream.read(120).decode("utf-8", "replace")
            yield Rejection(f"{loc}#{i + 1}@byte{pos}", f"invalid JSON: {exc}", excerpt=excerpt, source_id=SOURCE_ID)
        if dropped[0]:
            yield laws_twice(loc, dropped[0], dropped[1], SOURCE_ID)

    def _iter_xml(self, loc: str, data: bytes) -> Iterator[RawItem | Rejection]:
        try:
            data = xml_bytes(data)
        except ValueError as exc:
            yield Rejection(loc, str(exc), excerpt=repr(data[:40]), source_id=SOURCE_ID)
            return
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, strip_cdata=True)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            # keep what parsed: recover complete <法規> elements before the error
            yield from self._recover_xml(loc, data, exc)
            return
        yield from self._xml_laws(loc, root)

    def _xml_laws(self, loc: str, root) -> Iterator[RawItem | Rejection]:
        update = root.get("UpdateDate")
        laws = [root] if root.tag == "法規" else root.findall("法規")
        if not laws:
            yield Rejection(loc, f"no <法規> element (root <{root.tag}>)", source_id=SOURCE_ID)
            return
        for i, el in enumerate(laws):
            item_loc = f"{loc}#{i}" if len(laws) > 1 else loc
            law, lang = xml_to_law(el)
            yield RawItem(item_loc, LawPayload(law, lang, update, loc), origin=loc)

    def _recover_xml(self, loc: str, data: bytes, exc: etree.XMLSyntaxError) -> Iterator[RawItem | Rejection]:
        """Keep the complete ``<法規>`` elements of a malformed file; quarantine the broken ones."""
        text = data.decode("utf-8", "replace")
        root = re.search(r"<LAWS\b[^>]*?\bUpdateDate\s*=\s*[\"']([^\"'<>]*)[\"']", text[:4096])
        update, fragments = (root.group(1) if root else None), 0
        for m in re.finditer(r"<法規>.*?</法規>", text, flags=re.S):
            fragments += 1
            try:
                el = etree.fromstring(m.group(0).encode(), etree.XMLParser(strip_cdata=True, no_network=True))
            except etree.XMLSyntaxError as inner:
                line = text.count("\n", 0, m.start()) + (inner.lineno or 1)
                yield Rejection(
                    f"{loc}:{line}", f"malformed XML: {inner.msg}", excerpt=m.group(0)[:200], source_id=SOURCE_ID
                )
                continue
            law, lang = xml_to_law(el)
            yield RawItem(f"{loc}#{fragments - 1}", LawPayload(law, lang, update, loc), origin=loc)
        unclosed = text.count("<法規>") - fragments
        if unclosed > 0:
            last = text.rfind("<法規>")
            yield Rejection(
                f"{loc}:{text.count(chr(10), 0, last) + 1}",
                f"malformed XML: {unclosed} <法規> element(s) not closed (truncated file?)",
                excerpt=text[last : last + 200],
                source_id=SOURCE_ID,
            )
        elif fragments == 0:
            lines = text.splitlines()
            excerpt = lines[exc.lineno - 1][:200] if exc.lineno and 0 < exc.lineno <= len(lines) else ""
            yield Rejection(f"{loc}:{exc.lineno}", f"malformed XML: {exc.msg}", excerpt=excerpt, source_id=SOURCE_ID)

    # -- mapping ------------------------------------------------------------------------------
    def scope_params(self) -> dict[str, Any]:
        """What :meth:`in_scope` decides by, as parameters of the SQL path (:mod:`sources.law_moj_bulk`)."""
        return {
            "all": self.scope == "all",
            "allow": sorted(self.allow_list),
            # only English laws read it, and only outside --scope all (a long list is costly to bind per file)
            "known": [] if self.scope == "all" else sorted(self.fsc_pcodes),
            "fsc_prefix": FSC_PREFIX,
            "fsc_repealed": list(FSC_REPEALED),
        }

    def in_scope(self, law: dict[str, Any], lang: str, pcode: str) -> bool:
        if self.scope == "all" or pcode in self.allow_list:
            return True
        if lang == "en":
            return pcode in self.fsc_pcodes
        cat = (law.get("LawCategory") or "").strip()
        return cat.startswith(FSC_PREFIX) or cat in FSC_REPEALED

    def to_records(self, raw: RawItem) -> Iterable[Record | Rejection | Skip]:
        """One record per article: check the law object, scope, law metadata, then the articles in order."""
        p: LawPayload = raw.payload
        eng = p.lang == "en"
        checked = _check_law(raw, p.law, eng)
        if not isinstance(checked, str):
            yield checked
            return
        pcode = checked
        if not self.in_scope(p.law, p.lang, pcode):
            yield Skip(raw.locator, "out of scope (--scope fsc)", source_id=SOURCE_ID)
            return
        if p.lang == "zh":
            self.fsc_pcodes.add(pcode)
        arts_key = "EngLawArticles" if eng else "LawArticles"
        articles = p.law.get(arts_key)
        if not isinstance(articles, list):
            yield Rejection(raw.locator, f"{arts_key} is not a list", source_id=SOURCE_ID)
            return
        law_meta, version_meta = _law_metadata(p, pcode, eng)
        outs = list(self._article_records(raw, p, pcode, articles, law_meta, version_meta))  # a law is held anyway
        outs[:0] = foreword_records(raw.locator, p.law, p.lang, law_meta, version_meta, self.licence_id, canonical_text)
        twice = self.laws_read.check(raw.locator, p.update_date, p.origin, outs)  # review 14: never silent
        yield from [twice] if twice else outs or [Skip(f"{raw.locator}/{pcode}", NO_ARTICLES, source_id=SOURCE_ID)]

    def _article_records(
        self,
        raw: RawItem,
        p: LawPayload,
        pcode: str,
        articles: list[Any],
        law_meta: dict[str, Any],
        version_meta: dict[str, Any],
    ) -> Iterator[Record | Rejection | Skip]:
        """Records of the articles (type ``A``); a chapter heading (type ``C``) names the chapter of those after it."""
        law, lang = p.law, p.lang
        eng = lang == "en"
        k = _key_for(eng)
        modified = law_meta["law_modified_date"]
        container = f"{SOURCE_ID}:{pcode}:{lang}"
        law_json = json.dumps(law_meta, ensure_ascii=False)[:-1]  # shared prefix of every article's metadata
        chapter = None
        seen: dict[str, int] = {}
        t_key, no_key, c_key = k("ArticleType"), k("ArticleNo"), k("ArticleContent")
        for idx, art in enumerate(articles):
            if not isinstance(art, dict):
                yield Rejection(f"{raw.locator}/{pcode}#{idx}", "article is not an object", source_id=SOURCE_ID)
                continue
            atype = art.get(t_key)
            content = art.get(c_key)
            if content is None and not eng:
                content = art.get("ArticleConctent")  # reported misspelling in the XML API
            if content is not None and not isinstance(content, str) or not isinstance(art.get(no_key) or "", str):
                yield Rejection(
                    f"{raw.locator}/{pcode}#{idx}",
                    "article number or content is not text",
                    excerpt=json.dumps(art, ensure_ascii=False)[:200],
                    source_id=SOURCE_ID,
                )
                continue
            if isinstance(content, str):
                content = canonical_text(content)
            if atype == "C":
                chapter = (content or "").strip() or None
                continue
            if atype != "A":
                yield Skip(
                    f"{raw.locator}/{pcode}#{idx}", f"article type {atype!r} is not an article", source_id=SOURCE_ID
                )
                continue
            number_raw = (art.get(no_key) or "").strip()
            number = _article_number(number_raw, eng)
            if content is None or not number:
                yield Rejection(
                    f"{raw.locator}/{pcode}#{idx}",
                    "article without number or content",
                    excerpt=json.dumps(art, ensure_ascii=False)[:200],
                    source_id=SOURCE_ID,
                )
                continue
            if not content.strip():
                yield Skip(f"{raw.locator}/{pcode}#{idx}", "empty article text", source_id=SOURCE_ID)
                continue
            n = seen.get(number, 0) + 1
            seen[number] = n
            key_no = number if n == 1 else f"{number}#{n}"
            locator = f"{pcode}/{lang}/{key_no}"
            yield Record(
                doc_key=f"{SOURCE_ID}:{pcode}:{lang}:{key_no}",
                locator=locator,
                text=content,
                source_id=SOURCE_ID,
                container=container,
                title=f"{law.get('EngLawName') if eng else law.get('LawName')} {number_raw}".strip(),
                lang=lang,
                licence_id=self.licence_id,
                metadata={**law_meta, "article_no": number_raw, "article_index": idx, "chapter": chapter},
                metadata_json=law_json
                + ","
                + json.dumps({"article_no": number_raw, "article_index": idx, "chapter": chapter}, ensure_ascii=False)[
                    1:
                ],
                version_metadata=version_meta,
                as_of=modified,
            )


def _read_member(zf: zipfile.ZipFile, m: zipfile.ZipInfo, loc: str) -> Generator[Rejection, None, bytes | None]:
    """The member's bytes, or None after yielding why it cannot be read (the other members are still read)."""
    if m.flag_bits & 0x1:
        yield Rejection(loc, REASON_ZIP_ENCRYPTED, excerpt="unzip it with its password first", source_id=SOURCE_ID)
        return None
    try:
        return capped.read_member(zf, m)  # hard cap on inflated bytes and ratio (zip bombs)
    except capped.InputLimitError as exc:
        yield Rejection(loc, exc.reason, excerpt=exc.detail, source_id=SOURCE_ID)
    except NotImplementedError as exc:  # zipfile: a compression method it cannot read (e.g. 93, Zstandard)
        yield Rejection(loc, f"unsupported ZIP compression method {m.compress_type}: {exc}", source_id=SOURCE_ID)
    except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile, zlib.error, lzma.LZMAError) as exc:
        yield Rejection(loc, f"corrupt or truncated ZIP member: {exc}", source_id=SOURCE_ID)
    return None


def _key_for(eng: bool) -> Callable[[str], str]:
    """Field names of the English bulk files carry an ``Eng`` prefix."""
    return (lambda key: "Eng" + key) if eng else (lambda key: key)


def _check_law(raw: RawItem, law: dict[str, Any], eng: bool) -> str | Rejection:
    """The law's PCODE, or why the law object cannot be read (required fields, a PCODE in its URL)."""
    url_key = "EngLawURL" if eng and "EngLawURL" in law else "LawURL"
    arts_key = "EngLawArticles" if eng else "LawArticles"
    missing = [key for key in ("LawName", url_key, arts_key) if key not in law]
    if missing:
        return Rejection(
            raw.locator,
            f"law object missing fields: {', '.join(missing)}",
            excerpt=json.dumps({kk: law[kk] for kk in list(law)[:4]}, ensure_ascii=False)[:200],
            source_id=SOURCE_ID,
        )
    wrong = [key for key in _TEXT_FIELDS if law.get(key) is not None and not isinstance(law[key], str)]
    if wrong:  # the official format has text there (a date is "YYYYMMDD"); a number would crash the writer
        excerpt = json.dumps({key: law[key] for key in wrong}, ensure_ascii=False)[:200]
        return Rejection(raw.locator, f"{', '.join(wrong)} is not text", excerpt=excerpt, source_id=SOURCE_ID)
    m = _PCODE_RE.search(law.get(url_key) or "")
    if not m:
        return Rejection(raw.locator, f"no PCODE in {url_key}: {law.get(url_key)!r}", source_id=SOURCE_ID)
    return m.group(1).upper()


def _law_metadata(p: LawPayload, pcode: str, eng: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(law_meta, version_meta)``: metadata every article of the law carries, and what of it defines a version."""
    law = p.law
    k = _key_for(eng)
    category = (law.get("LawCategory") or "").strip()
    modified = law.get("EngLawModifiedDate" if eng else "LawModifiedDate") or ""
    effective_note = canonical_text(law.get("LawEffectiveNote") or "").strip()
    law_meta = {
        "pcode": pcode,
        "law_name": law.get("LawName"),
        "eng_law_name": (law.get("EngLawName") or "").strip() or None,
        "law_level": law.get("LawLevel"),
        "law_category": category or None,
        "law_modified_date": modified or None,
        "law_effective_date": (law.get("LawEffectiveDate") or "").strip() or None,
        "law_effective_note": effective_note or None,
        "repealed": (law.get(k("LawAbandonNote")) or "").strip() == "廢",
        "attachments": [
            {"file_name": a.get("FileName"), "file_url": a.get("FileURL")}
            for a in (law.get(k("LawAttachements")) or [])
            if isinstance(a, dict)
        ],
        "update_date": p.update_date,
        "origin": p.origin,
        "copyright_status": "excluded (TW Copyright Act Art. 9(1)(1)-(2))",
    }
    # what defines a version besides the text: not the dates (an amendment elsewhere in the law must not
    # re-version unchanged articles), but category, name, level, repeal and the effective note (metadata-only
    # changes happen under an unchanged LawModifiedDate)
    version_meta = {key: law_meta[key] for key in ("law_name", "law_level", "law_category", "repealed")}
    version_meta["law_effective_note_sha256"] = hashlib.sha256(effective_note.encode()).hexdigest()[:16]
    return law_meta, version_meta


def _article_number(raw: str, eng: bool) -> str | None:
    """``第 15-1 條`` -> ``15-1``; ``Article 5`` -> ``5``; bare ``12`` -> ``12``.

    >>> _article_number("第 15-1 條", False), _article_number("Article 45-1", True)
    ('15-1', '45-1')
    """
    m = (_ENG_ART_NO_RE if eng else _ART_NO_RE).match(raw) or _ART_NO_RE.match(raw)
    if m:
        return re.sub(r"\s+", "", m.group(1))
    return raw or None


def catalogue_pcodes(con: Any) -> list[str]:
    """PCODEs of the Chinese law_moj records the catalogue (an open connection) holds."""
    rows = con.execute(
        "SELECT DISTINCT json_extract_string(metadata, '$.pcode') FROM records WHERE source_id = 'law_moj' AND lang = 'zh'"
    ).fetchall()
    return [r[0] for r in rows if r[0]]
