"""Identifiers built from personal data: pseudonymised before they are stored.

``doc_key``, ``locator`` and ``container`` are built from id fields and file names (kept also in a record's
``metadata.file`` and a source's ``origin``)
(``王小明_A123456789.jsonl#line=1``, ``moda:id=A123456789``); run parameters hold file paths;
quarantine rows and ingest reports hold locators and excerpts. None of them is text the PII stage
sees, so ingest passes them through :class:`IdentifierGuard` first: a detected personal value
becomes a keyed pseudonym (``〔身分證字號#3fa2c1d04b7e9a55〕``, the same value always the same pseudonym, so
ids stay deterministic and unique under one key).

For sources marked ``pii_expected`` every detected type counts (names included); elsewhere structured
identifiers (IDs, phones, e-mail, cards, accounts, passports) do, and a person's name that fills a whole segment of
a file or folder name (``個案_林淑惠_授信審查.docx``, ``2023/林淑惠/``: :func:`name_segments`, no label needed), as
a case study's file is named after its customer (read by its characters: :func:`segment_name_ok`); other file names of textbooks and manifests are shown as they are
(``王大明教授講義.pdf``: an author's name inside a title). A plain digest of raw text in an identifier of a
``pii_expected`` source (the FSC fallback key ``fsc:sha:<prefix>``) becomes a keyed one (``fsc:hk:<prefix>``).
The key is needed only when something is found.
"""

from __future__ import annotations

import re
from typing import Any

from curate.pii.propagate import PROPAGATED_TYPES

#: identifiers of any source: structured values only
STRUCTURED = tuple(sorted(PROPAGATED_TYPES - {"PERSON"}))
#: hex digits of a pseudonym inside an identifier (64 bits: no collisions at catalogue scale)
ID_DIGEST_CHARS = 16
#: a plain sha256 (prefix) of raw text inside an identifier of a pii_expected source
_PLAIN_DIGEST = re.compile(r"(?<![0-9A-Za-z])sha:([0-9a-f]{16,64})(?![0-9A-Za-z])")
#: one segment of a file or folder name: what stands between separators (/ \\ _ - . space # = : brackets, 、 ，)
_SEGMENT = re.compile(r"[^/\\_\-.\s#=:;,()（）\[\]【】「」、，+&\u3000]+")
#: a Han character: names in file names are looked for only where there is one
_HAN = re.compile(r"[\u3400-\u9fff]")
#: a segment that may hold a name whole: up to eight Han characters (阮氏明月花, 學員王小明), or a middle-dot name
_NAME_SEGMENT = re.compile(r"[\u3400-\u9fff]{2,8}|[\u3400-\u9fff]{2,}[·・‧][\u3400-\u9fff]{2,}")
#: an @ or a dot spelt out (wang(at)gmail.com, chen0815 at hotmail dot com): curate.pii.obfuscated_email.PRESCREEN,
#: written out here so that this pre-check does not import the recognizers (and OpenCC) for every ingest
SPELT_EMAIL = r"[Aa][Tt] ?[)\]}>]|[Dd][Oo][Tt] |@ ?[)\]}>]|小老鼠"
#: cheap pre-check for structured values (digit runs, digits grouped with - space . / or ‧, also in pairs, @, ID
#: shapes, SPELT_EMAIL)
_STRUCTURED_HINT = re.compile(
    r"\d{7}|\d[- ./\u2027]\d{3}|\d\d[- ./\u2027]\d\d[- ./\u2027]\d\d|@|[A-Za-z][ -]?[0-9A-Da-d]\d{4}|[０-９]{4}|"
    + SPELT_EMAIL
)


#: a bare run of 15 or 16 digits (not inside a pseudonym's digest): a card number where there is no card word
_BARE_CARD = re.compile(r"(?<![0-9#])[0-9]{15,16}(?![0-9])")


def bare_cards(value: str) -> list:
    """CREDIT_CARD spans of the bare 15/16-digit runs of ``value`` (read half-width) with an issuer's prefix and a
    valid check digit. In running text such a run needs a card word near (an order or policy number passes the check
    one time in ten), but a file name has no sentence around it (``unknownlic_4532148870639511.txt``, review 11): it
    was kept in the clear in quarantine rows, runs, manifest checks and reports while IDs and phones were not.

    >>> [(s.start, s.end) for s in bare_cards("unknownlic_4532148870639511.txt")]
    [(11, 27)]
    >>> bare_cards("report_20231231123456.pdf"), bare_cards("inv_4532148870639512.txt")  # a date, a bad check digit
    ([], [])
    """
    from curate.pii.recognizers import _iin_ok
    from curate.pii.span import Span
    from curate.pii.text import halfwidth
    from curate.pii.validators import luhn

    view = halfwidth(value)
    if len(view) != len(value):
        view = value
    return [
        Span(m.start(), m.end(), "CREDIT_CARD", 1.0, "FileNameCard")
        for m in _BARE_CARD.finditer(view)
        if _iin_ok(m.group()) and luhn(m.group())
    ]


def _hint_view(value: str) -> str:
    """What the pre-check reads: the detector's compact view, half-width (``０９１２－３４５－６７８``,
    ``a＠b.tw`` and values split by invisible characters pass the check as the detector would read them)."""
    from curate.pii.text import compact_view, halfwidth

    return halfwidth(compact_view(value)[0])


def name_segments(value: str, detector) -> list:
    """PERSON spans of the segments of ``value`` (:data:`_SEGMENT`), each read on its own by ``detector``, that are a
    name whole or a person's role word and a name (``學員王小明``: ``role_words.txt``, a field label): a name that is a
    part of a file or folder name by itself (``個案_林淑惠_授信審查.docx``), not one inside a title
    (``王大明教授講義.pdf``).

    A segment has no sentence around it, so the name must read as one by its own characters
    (:func:`segment_name_ok`): a given name that scores as a name's, and a two-character name (surname and one
    character) only after a role word, in its segment or as the segment before (``學員王明/``, ``客戶_江蕙_授信.docx``):
    alone, surname and one character is most often a word or a place (``唐朝.pdf``, ``楊梅/``, ``歐元.pdf``).
    """
    from curate.pii.labels import labels
    from curate.pii.names import role_words
    from curate.pii.span import Span

    roles = tuple(role_words() | {lb.label for lb in labels() if lb.entity_type == "PERSON"})
    out = []
    prev = ""
    for m in _SEGMENT.finditer(value):
        seg, before = m.group(), prev
        prev = seg
        if not _NAME_SEGMENT.fullmatch(seg):
            continue
        for s in detector.analyze(seg):
            if s.entity_type != "PERSON" or s.end != len(seg):
                continue
            role = seg[: s.start] in roles if s.start else before.endswith(roles)
            if (s.start == 0 or role) and segment_name_ok(seg[s.start :], role=role):
                out.append(Span(m.start() + s.start, m.end(), "PERSON", 1.0, "FileNameSegment"))
    return out


def segment_name_ok(name: str, *, role: bool) -> bool:
    """Whether ``name``, a whole segment of a file or folder name (or what follows a role word in one), reads as a
    person's name by its characters: its given name scores as a name's (``names.toml`` given-name scores, no prior
    for context) and does not end as a place's does (``names.toml place_ends``: 林森路, 卓蘭鎮), and a single surname
    with one given character needs a role word (``role``).

    >>> segment_name_ok("林淑惠", role=False), segment_name_ok("唐朝", role=False), segment_name_ok("江蕙", role=True)
    (True, False, True)
    >>> segment_name_ok("簡介", role=True)  # 講師簡介.pdf: 介 reads as text
    False
    """
    from curate.pii.names import COMPOUND_SURNAMES, PLACE_ENDS, given_name_score
    from curate.pii.view import fold_simplified, with_folded

    name = fold_simplified(name.replace("·", "").replace("・", "").replace("‧", ""))
    sur = 2 if name.startswith(with_folded(COMPOUND_SURNAMES)) and len(name) > 2 else 1
    if len(name) - sur < 1 or (len(name) < 3 and not role) or name[-1] in PLACE_ENDS:
        return False
    return given_name_score(name[sur:]) > 0


def raw_file_names_held(con, source_ids: list[str]) -> list[str]:
    """The sources of ``source_ids`` whose records in the catalogue already hold a name in a file-name segment of their
    ``container`` as it is, or a bare card number (:func:`bare_cards`): catalogues ingested before names (review 9)
    or bare card numbers (review 11) in file names were pseudonymised. An ingest of
    such a source keeps file names as they were, so its doc keys, locators and containers stay the ones the catalogue
    holds (pseudonymising them would make every file a new document beside its old copy); ``curate pii scan`` names
    the values, and marking the source ``--pii-expected`` pseudonymises them with everything else."""
    if not source_ids:
        return []
    rows = con.execute(
        "SELECT DISTINCT source_id, container FROM records WHERE source_id IN (SELECT unnest($s))"
        " AND status = 'active' AND container IS NOT NULL"
        " AND regexp_matches(container, '[\u3400-\u9fff]{2}|[0-9]{15}')",
        {"s": list(source_ids)},
    ).fetchall()
    if not rows:
        return []
    from curate.pii.engine import DetectorConfig, PiiDetector

    det = PiiDetector(DetectorConfig(entities=tuple(sorted(PROPAGATED_TYPES)), segmented_names=False))
    return sorted({sid for sid, container in rows if bare_cards(container) or name_segments(container, det)})


class IdentifierGuard:
    """Pseudonymise personal values inside identifier strings (cached per string)."""

    def __init__(self, *, names_in_file_names: bool = True) -> None:
        #: whether names filling a file-name segment are pseudonymised for sources not marked ``pii_expected``
        #: (off for an ingest into a catalogue whose source already holds such names raw: :func:`raw_file_names_held`)
        self.names_in_file_names = names_in_file_names
        self._detectors: dict[bool, Any] = {}
        self._key = None
        self._cache: dict[tuple[str, bool, bool], str] = {}

    def _detector(self, all_types: bool):
        det = self._detectors.get(all_types)
        if det is None:
            from curate.pii.engine import DetectorConfig, PiiDetector

            ents = tuple(sorted(PROPAGATED_TYPES)) if all_types else STRUCTURED
            det = self._detectors[all_types] = PiiDetector(DetectorConfig(entities=ents, segmented_names=False))
        return det

    def __call__(self, value: str | None, *, all_types: bool = False) -> str | None:
        """``value`` with detected personal values replaced by keyed pseudonyms."""
        if not value:
            return value
        names = all_types or self.names_in_file_names
        hit = self._cache.get((value, all_types, names))
        if hit is not None:
            return hit
        out = value
        if all_types and _PLAIN_DIGEST.search(value):
            # a plain digest of raw text (fsc:sha:<prefix>) can be brute-forced for short records: keyed instead
            key = self._load_key()
            out = _PLAIN_DIGEST.sub(lambda m: "hk:" + key.digest("DIGEST", m.group(1))[:16], out)
        if all_types or _STRUCTURED_HINT.search(_hint_view(value)):
            spans = self._detector(all_types).analyze(out)
            if spans:
                out = self._replace(out, spans)
        if names and _BARE_CARD.search(_hint_view(out)):  # a card number alone in a file name (bare_cards)
            spans = bare_cards(out)
            if spans:
                out = self._replace(out, spans)
        if not all_types and names and _HAN.search(out):
            # a customer's name as a segment of a file name (個案_林淑惠_授信審查.docx) of any source
            spans = name_segments(out, self._detector(True))
            if spans:
                out = self._replace(out, spans)
        if len(self._cache) < 100_000:
            self._cache[(value, all_types, names)] = out
        return out

    def _replace(self, value: str, spans) -> str:
        """Keyed pseudonyms with 16 hex digits: ids built from them must stay unique."""
        from curate.pii.scrubber import placeholder

        key = self._load_key()
        parts, pos = [], 0
        for s in sorted(spans, key=lambda x: x.start):
            if s.start < pos:
                continue
            digest = key.digest(s.entity_type, value[s.start : s.end])
            parts += [value[pos : s.start], f"〔{placeholder(s.entity_type)[1:-1]}#{digest[:ID_DIGEST_CHARS]}〕"]
            pos = s.end
        return "".join(parts) + value[pos:]

    def _load_key(self):
        if self._key is None:
            from curate.pii.keys import load_key

            self._key = load_key(required=True, purpose="pseudonymising personal data in ids and file names at ingest")
        return self._key

    def walk(self, value: Any, *, all_types: bool = False) -> Any:
        """Every string inside ``value`` (dicts, lists) through :meth:`__call__`."""
        if isinstance(value, str):
            return self(value, all_types=all_types)
        if isinstance(value, dict):
            return {k: self.walk(v, all_types=all_types) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.walk(v, all_types=all_types) for v in value]
        return value
