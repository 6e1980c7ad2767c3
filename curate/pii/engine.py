"""The detection engine: a cheap pre-screen, then our analyzer on candidate chunks.

Everything is offline: our own CJK-safe recognizers and the raw-text context enhancer, run by
:class:`TaiwanAnalyzer` (presidio is an optional extra with an adapter, never needed). Text is
read through the detection view (:mod:`curate.pii.view`: half-width, Simplified sentences in
Taiwan characters; 1:1), so offsets are code-point offsets into the caller's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from curate.pii.inline_keys import SCREEN as KEYED
from curate.pii.span import Span, Taken
from curate.pii.text import JOIN, SENTENCE_END, compact_view
from curate.pii.view import detection_view

#: entity types whose values must never survive scrubbing (structured identifiers)
STRUCTURED_TYPES = (
    "TW_NATIONAL_ID",
    "TW_RESIDENT_ID",
    "TW_PHONE",
    "EMAIL_ADDRESS",
    "CREDIT_CARD",
    "TW_BANK_ACCOUNT",
    "TW_PASSPORT",
    "TW_NHI_CARD",
)


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """Options of :class:`PiiDetector`."""

    language: str = "zh"
    #: minimum score a span needs to be reported
    score_threshold: float = 0.4
    #: texts longer than this are cut at sentence ends and only chunks passing the pre-screen are analysed
    chunk_chars: int = 2000
    #: local CKIP NER model directory (optional, GPL-3.0 extra); None = rule-based names only
    ckip_model_dir: str | None = None
    #: entity types to report (empty = all)
    entities: tuple[str, ...] = ()
    #: scrub every other occurrence of a detected value in the same text (see curate.pii.propagate)
    propagate: bool = True
    #: "own" (default, no presidio) or "presidio" (optional extra: the same recognizers in presidio's engine)
    engine: str = "own"
    #: names read off the word segmentation without a slot (curate.pii.segmented_names, review 11); off for file
    #: names (curate.pii.identifiers): a title holds unknown words (林佳蓉授信講義.txt), and a pseudonym there changes
    #: the doc keys a catalogue made before holds (a second active copy of every such file on re-ingest); review
    #: 12's rules of running text (curate.pii.mixed_names, the name slots of a time and a space and of a verb after
    #: a name) are off with it for the same reason
    segmented_names: bool = True

    def __post_init__(self) -> None:
        check_score_threshold(self.score_threshold)


def check_score_threshold(value: float) -> float:
    """``value`` if it is a usable minimum score of a span, else :class:`ConfigError`: scores are in [0, 1], so a
    larger threshold (or ``inf``, or ``nan``, which compares false with every score) would report nothing and a
    scrub would keep every personal value (review 7). The one check of ``curate pii detect|scrub|scan
    --threshold`` and ``curate run pii --set score_threshold``.

    >>> check_score_threshold(0.4)
    0.4
    >>> check_score_threshold(float("nan"))
    Traceback (most recent call last):
    ...
    provenance.errors.ConfigError: score_threshold must be a finite number in [0, 1], got nan
    """
    if not 0.0 <= value <= 1.0:  # false for nan too
        from provenance.errors import ConfigError

        raise ConfigError(f"score_threshold must be a finite number in [0, 1], got {value}")
    return value


def offline_tldextract() -> None:
    """Make tldextract use its bundled public-suffix snapshot (no download at run time)."""
    import tldextract

    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())


def _prescreen_parts() -> list[str]:
    """The pre-screen's patterns: a text matching none of them goes to no recognizer but the labelled values."""
    from curate.pii.latin_names import prescreen_patterns
    from curate.pii.mixed_names import prescreen_patterns as mixed_patterns
    from curate.pii.names import name_slot_pattern
    from curate.pii.obfuscated_email import PRESCREEN as spelt_email
    from curate.pii.recognizers import county_pattern
    from curate.pii.segmented_names import candidate_pattern
    from curate.pii.swift_fields import PRESCREEN as swift_fields

    county = county_pattern()
    return [
        r"\d{7}",  # digit runs: accounts, phones, passports, cards
        r"\d[- ./\u2027]\d{3}",  # grouped digits (0912-345-678, 4111 1111 ..., 0912.345.678, 0912/345/678, 02‧2771‧8888)
        r"\d(?:[- ./\u2027]\d){5}",  # digits written one by one (0 9 1 2 3 4 5 6 7 8)
        r"\d\d[- ./\u2027]\d\d[- ./\u2027]\d\d",  # digits in pairs (0913 44 67 21, 02 27 71 88 88)
        r"\d{2,4}\)",  # (02)2345-6789
        "@",
        spelt_email,  # e-mail with its @ spelt out (name(at)mail.com, name at mail dot com)
        r"[A-Za-z][0-9A-Da-d]\d{4}",  # ID shapes
        county,  # addresses
        r"No\. ?\d+(?:-\d+)?, ",  # an address in English (No. 5, Ln. 12, ...: curate/pii/latin_addresses.py)
        name_slot_pattern(),  # a surname in a name slot (the name recognizer checks the rest)
        candidate_pattern(),  # a surname before a given-name character (names without a slot: segmented_names.py)
        "出生|生日|生於|生于|[日\\d] ?生|[Bb]irth|DOB",  # dates of birth (出生日期, 55年8月17日生, 1958.11.23生, Date of birth)
        *prescreen_patterns(),  # Latin-script names after a title or a role word (curate/pii/latin_names.py)
        *mixed_patterns(),  # an English given name beside a Han surname (curate/pii/mixed_names.py)
        swift_fields,  # an MT103's party fields (:50K:, :59:; curate/pii/swift_fields.py)
    ]


def _prescreen_regex() -> re.Pattern[str]:
    """:func:`_prescreen_parts` in one pattern, behind a lookahead on the characters they can start with."""
    from curate.pii.names import surname_first_chars
    from curate.pii.recognizers import county_names

    parts = _prescreen_parts()
    # every part starts with one of these characters: one class test per position before the alternation
    # (which tries each part in turn) halves the screen's time on text with nothing to find
    # (Đ opens a Vietnamese surname: Đặng Thị Hoa, curate/pii/foreign_names.py; ":" an MT103 tag, swift_fields.py)
    first = "".join(
        sorted({c[0] for c in county_names()} | set(surname_first_chars()) | {"出", "生", "日", "小", "Đ", ":"})
    )
    return re.compile(rf"(?=[\d@A-Za-z{first}])(?:" + "|".join(f"(?:{p})" for p in parts) + ")")


#: distinct short strings whose spans a detector keeps (a law's name, dates and URL repeat in the metadata of
#: each of its articles: 13 strings per record, most of them seen before); the memo is emptied when full
MEMO_ENTRIES = 20_000
MEMO_MAX_CHARS = 200


class PiiDetector:
    """Pre-screen + presidio ``AnalyzerEngine`` with the Taiwan recognizers."""

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()
        self._memo: dict[str, tuple[Span, ...]] = {}
        self.analyzer = build_analyzer(
            self.config.language, self.config.ckip_model_dir, self.config.engine, segmented=self.config.segmented_names
        )
        self._screen = _prescreen_regex()
        self._digit_screen = re.compile(r"\d{7}|\d[- ]\d{3}|\d{2,4}\)|@|[A-Za-z][0-9A-Da-d]\d{4}")

    def analyze(self, text: str) -> list[Span]:
        """Detected spans (non-overlapping, sorted) in ``text``.

        Text is read as hygiene would join it (:func:`curate.pii.text.compact_view`): a value written with
        invisible characters inside (``A1\u200b23456789``) is found, and its span covers them."""
        if not text:
            return []
        view, positions = compact_view(text)
        spans = self._analyze(view)
        return self._columns(text, self._cells(text, _map_back(spans, positions)) if positions is not None else spans)

    def _columns(self, text: str, spans: list[Span]) -> list[Span]:
        """``spans`` with the values of a spreadsheet's table read under their column's header (columns.py)."""
        if "\n" not in text or ("\t" not in text and "," not in text):
            return spans
        from curate.pii.columns import column_spans, institution_cells

        view = detection_view(text)
        extra = column_spans(text, view, self._piece)
        if cells := institution_cells(text, view):  # a branch's address or landline in a row about the branch
            spans = [s for s in spans if s.entity_type not in _PLACE_TYPES or not _inside(s, cells)]
        return _resolve(spans + extra) if extra else spans

    def _cells(self, text: str, spans: list[Span]) -> list[Span]:
        """``spans`` of a compact view mapped back, with the labelled values of a table read in ``text`` itself: the
        view reads a tab as the space hygiene makes of it, and a label alone in its cell with the value alone in the
        next (``員工姓名\\tTRAN MINH DUC\\t到職日``) is a form layout only with the cell break."""
        if _LABEL_TAB.search(text) is None:  # a label ends in a letter or a Han character, not a number's digit
            return spans
        extra = self._labelled(detection_view(text))
        return _resolve(spans + extra) if extra else spans

    def _analyze(self, text: str) -> list[Span]:
        """:meth:`analyze` of a compact view."""
        if not text:
            return []
        norm = detection_view(text)
        spans: list[Span] = self._labelled(norm)
        for offset, chunk in _chunks(norm, self.config.chunk_chars):
            if not self._screen.search(chunk):
                continue
            # a chunk read with the lines before it (their spans are the chunk before's): an answer that starts a
            # chunk reads the question that ended the one before (curate/pii/context.py), as in a shorter text
            lead = max(0, offset - LEAD_IN) if "\n" in norm[max(0, offset - LEAD_IN) : offset] else offset
            spans.extend(s for s in self._analyze_chunk(norm[lead : offset + len(chunk)], lead) if s.start >= offset)
        if "\n" in norm or "\r" in norm:  # a value a line break cuts in two (curate/pii/line_breaks.py)
            from curate.pii.line_breaks import BREAK, rejoined_spans

            if BREAK.search(norm):
                spans.extend(rejoined_spans(norm, self._piece))
            from curate.pii.name_breaks import rejoined_names  # a name cut in two (姓名：郭 / 怡伶)

            spans.extend(rejoined_names(norm, self._piece))
        if KEYED.search(norm):  # a JSON or XML snippet's keyed values (inline_keys.py)
            from curate.pii.inline_keys import keyed_values

            spans.extend(keyed_values(norm, self._piece))
        return self._finish(text, spans)

    def _piece(self, text: str) -> list[Span]:
        """Spans in a short text of one or two lines (no chunking, no propagation)."""
        spans = self._labelled(text)
        if self._screen.search(text):
            spans.extend(self._analyze_chunk(text, 0))
        return spans

    def _labelled(self, norm: str) -> list[Span]:
        from curate.pii.label_remarks import without_remarks
        from curate.pii.labels import LABEL_SCORE, LABELLED, labelled_spans

        wanted = self.config.entities
        found = [(s, e, t, r) for s, e, t, r in labelled_spans(norm) if not wanted or t in wanted]
        blanked = without_remarks(norm)  # 英文姓名（同護照）：HUANG SHU-FEN: the label read without its remark
        if blanked is not None:
            found += [(s, e, t, r) for s, e, t, r in labelled_spans(blanked) if (not wanted or t in wanted)]
            found = sorted(set(found))
        if "/" in norm:  # 聯絡人：王小明 / 李大同: a second name in the cell (curate/pii/name_pairs.py)
            from curate.pii.name_pairs import second_names

            found = sorted(set(found + second_names(norm, found)))
        if ("\n" in norm or "<" in norm) and (not wanted or "PERSON" in wanted):  # From: Lisa Hsu <…>, a signature
            from curate.pii.mail_names import mail_names

            found = sorted(set(found + [(s, e, "PERSON", LABELLED) for s, e in mail_names(norm)]))
        if any(t == "PERSON" and norm[e - 1].isascii() for _, e, t, _ in found) and self.config.segmented_names:
            from curate.pii.mixed_names import widened  # 聯絡人：Kevin 黃: the label reads Kevin alone

            found = [(s, widened(norm, s, e) if t == "PERSON" else e, t, r) for s, e, t, r in found]
        return [Span(s, e, t, LABEL_SCORE, r) for s, e, t, r in found]

    def _finish(self, text: str, spans: list[Span]) -> list[Span]:
        if any(s.entity_type == "TW_PHONE" for s in spans):  # a branch's fax (curate/pii/institution_lines.py)
            from curate.pii.institution_lines import drop_institution_lines

            spans = drop_institution_lines(detection_view(text), spans)
        if "<" in text and any(s.entity_type == "EMAIL_ADDRESS" for s in spans):  # 寄件者：○○銀行數位金融部 <…>
            from curate.pii.mail_names import institution_mailboxes

            boxes = set(institution_mailboxes(text))
            spans = [s for s in spans if s.entity_type != "EMAIL_ADDRESS" or (s.start, s.end) not in boxes]
        if _YEAR_CITED.search(text) and any(s.entity_type == "PERSON" for s in spans):  # 陳聰明（2020）指出
            from curate.pii.citations import drop_cited

            spans = drop_cited(detection_view(text), spans)
        spans = _resolve(spans)
        if self.config.propagate and spans:
            from curate.pii.propagate import propagate

            spans = propagate({"text": text}, {"text": spans})["text"]
        return spans

    def analyze_many(self, texts: list[str]) -> list[list[Span]]:
        """Spans for many texts; short texts are joined (newline-separated) into one presidio call.

        Results are identical to calling :meth:`analyze` per text: texts are joined by :data:`JOIN`, two blank lines,
        which ends every context window (a line ending in a question mark no longer gives the next text its
        context: curate/pii/context.py) and no recognizer matches across, and spans are mapped back per text. Equal texts
        are analysed once (spans depend on the text alone); short ones are remembered across calls.
        """
        memo = self._memo
        out: list[list[Span] | None] = [None] * len(texts)
        fresh: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            known = memo.get(text) if len(text) <= MEMO_MAX_CHARS else None
            if known is None:
                fresh.setdefault(text, []).append(i)
            else:
                out[i] = list(known)
        distinct = list(fresh)
        views = [compact_view(t) for t in distinct]  # (the memo holds spans in the caller's offsets)
        found = self._analyze_distinct([v for v, _ in views])
        for text, (_, pos), spans in zip(distinct, views, found, strict=True):
            if pos is not None:
                spans = self._cells(text, _map_back(spans, pos))
            spans = self._columns(text, spans)
            if len(text) <= MEMO_MAX_CHARS:
                if len(memo) >= MEMO_ENTRIES:
                    memo.clear()
                memo[text] = tuple(spans)
            for i in fresh[text]:
                out[i] = list(spans)
        return out  # type: ignore[return-value]

    def _analyze_distinct(self, texts: list[str]) -> list[list[Span]]:
        out: list[list[Span]] = [[] for _ in texts]
        batch: list[tuple[int, int, str]] = []  # (index, offset in joined text, normalised text)
        size = 0

        def flush() -> None:
            nonlocal batch, size
            if not batch:
                return
            joined = JOIN.join(t for _, _, t in batch)
            spans = self._analyze_chunk(joined, 0)
            bounds = [(i, off, off + len(t)) for i, off, t in batch]
            k = 0
            for sp in sorted(spans):
                while k < len(bounds) and sp.start >= bounds[k][2]:
                    k += 1
                if k == len(bounds):
                    break
                i, lo, hi = bounds[k]
                if lo <= sp.start and sp.end <= hi:
                    out[i].append(Span(sp.start - lo, sp.end - lo, sp.entity_type, sp.score, sp.source))
            batch, size = [], 0

        for i, text in enumerate(texts):
            if not text:
                continue
            if len(text) > self.config.chunk_chars or "\n" in text or KEYED.search(text):
                out[i] = self._analyze(text)  # line breaks and JSON/XML pairs are read whole (as analyze does)
                continue
            norm = detection_view(text)
            out[i] = self._labelled(norm)
            if not self._screen.search(norm):
                continue
            if size + len(norm) + len(JOIN) > self.config.chunk_chars:
                flush()
            batch.append((i, size, norm))
            size += len(norm) + len(JOIN)
        flush()
        return [self._finish(t, s) if s else s for t, s in zip(texts, out, strict=True)]

    def _analyze_chunk(self, chunk: str, offset: int) -> list[Span]:
        results = self.analyzer.analyze(
            chunk,
            language=self.config.language,
            entities=list(self.config.entities) or None,
            score_threshold=self.config.score_threshold,
        )
        return [
            Span(
                r.start + offset,
                r.end + offset,
                r.entity_type,
                float(r.score),
                (r.recognition_metadata or {}).get("recognizer_name", ""),
            )
            for r in results
        ]


#: a year of publication in a citation's form (curate/pii/citations.py): the cheap test before its rule
_YEAR_CITED = re.compile(r"[（(，,] ?(?:19|20)\d\d")

#: a tab after a character a label can end with (not white space, not a digit): a numeric table's tabs are no
#: form layout, and reading its labels twice cost a third of the detector's time on such tables
_LABEL_TAB = re.compile(r"[^\s\d][ \u3000]*\t")


def _map_back(spans: list[Span], positions: list[int]) -> list[Span]:
    """Spans found in a compact view, as offsets into the text it was made from: a span runs from its first to
    its last character, the characters the view left out between them included."""
    return [
        Span(positions[s.start], positions[s.end - 1] + 1, s.entity_type, s.score, s.source)
        for s in spans
        if s.end > s.start
    ]


#: how many characters before a chunk of a long text are read with it (the question before an answer, its speaker's
#: tag and a blank line: ``before`` and ``_HEAD_MAX`` of curate/pii/context.py, with room)
LEAD_IN = 96


def _chunks(text: str, size: int) -> list[tuple[int, str]]:
    """Cut ``text`` into pieces of about ``size`` characters at sentence ends."""
    if len(text) <= size:
        return [(0, text)]
    out = []
    pos = 0
    n = len(text)
    while pos < n:
        end = min(n, pos + size)
        if end < n:
            cut = max(text.rfind(c, pos + size // 2, end) for c in SENTENCE_END)
            if cut > pos:
                end = cut + 1
        out.append((pos, text[pos:end]))
        pos = end
    return out


#: the types an institution's name before a value makes an institution's (its address, its landline)
_PLACE_TYPES = frozenset({"TW_PHONE", "TW_ADDRESS"})


def _inside(s: Span, cells: list[tuple[int, int]]) -> bool:
    return any(a <= s.start and s.end <= b for a, b in cells)


def _resolve(spans: list[Span]) -> list[Span]:
    """Keep the best of overlapping spans (higher score, then longer, then earlier; ties in the order given)."""
    taken = Taken(spans)
    chosen: list[Span] = []
    for s in sorted(spans, key=lambda s: (-s.score, -(s.end - s.start), s.start)):
        if not taken.overlaps(s):
            taken.take(s)
            chosen.append(s)
    return sorted(chosen)


class TaiwanAnalyzer:
    """Our detection engine: run the recognizers, lift scores by raw-text context, drop weak spans.

    The same steps as presidio's ``AnalyzerEngine.analyze`` with the no-op NLP engine (recognizers,
    context enhancement, score threshold; overlaps are resolved by :func:`_resolve`), without
    importing presidio: start-up drops from seconds to a fraction of one.
    """

    def __init__(self, recognizers: list, enhancer, default_score_threshold: float = 0.4) -> None:
        self.recognizers = recognizers
        self.enhancer = enhancer
        self.default_score_threshold = default_score_threshold

    def analyze(
        self, text: str, language: str = "zh", entities: list[str] | None = None, score_threshold: float | None = None
    ) -> list:
        wanted = set(entities) if entities else None
        results = []
        recs = [r for r in self.recognizers if wanted is None or wanted & set(r.supported_entities)]
        for rec in recs:
            found = rec.analyze(text, entities or list(rec.supported_entities))
            if found:
                results.extend(found)
        results = self.enhancer.enhance_using_context(text, results, None, recs)
        threshold = self.default_score_threshold if score_threshold is None else score_threshold
        return [r for r in results if r.score >= threshold and r.score > 0]


@lru_cache(maxsize=4)
def build_analyzer(
    language: str = "zh", ckip_model_dir: str | None = None, engine: str = "own", *, segmented: bool = True
):
    """The analyzer: our engine (default) or, with ``engine="presidio"``, a presidio ``AnalyzerEngine``
    (extra ``[presidio]``) holding the same recognizers and context enhancer (``segmented``: with the name rules
    of running text, :class:`curate.pii.segmented_names.SegmentedNameRecognizer`, review 12's
    :class:`curate.pii.mixed_names.MixedNameRecognizer` and slots; off for file names)."""
    from curate.pii.context import RawTextContextEnhancer
    from curate.pii.labelled_numbers import labelled_numbers_recognizer
    from curate.pii.latin_addresses import latin_address_recognizer
    from curate.pii.obfuscated_email import obfuscated_email_recognizer
    from curate.pii.recognizers import build_recognizers
    from curate.pii.separated import separated_digits_recognizer
    from curate.pii.swift_fields import SwiftFieldRecognizer

    recognizers = [
        *build_recognizers(language, running_text=segmented),
        separated_digits_recognizer(language),
        obfuscated_email_recognizer(language),
        labelled_numbers_recognizer(language),
        latin_address_recognizer(language),
        SwiftFieldRecognizer(language),
    ]
    if ckip_model_dir:
        from curate.pii.ckip import CkipNerRecognizer

        recognizers.append(CkipNerRecognizer(ckip_model_dir, supported_language=language))
    if engine == "presidio":
        from curate.pii.presidio_adapter import presidio_analyzer

        return presidio_analyzer(recognizers, language)
    if engine != "own":
        from provenance.errors import ConfigError

        raise ConfigError(f"unknown PII engine `{engine}`; valid: own, presidio")
    return TaiwanAnalyzer(recognizers, RawTextContextEnhancer(), default_score_threshold=0.4)


def personal_kinds(value: str) -> list[str]:
    """The kinds of personal value (names, IDs, phones, e-mails ...: the types the PII stage propagates) found in a
    short text a command keeps for good (``--reason``, ``--source-id``, ``--dataset``); empty when none."""
    from curate.pii.propagate import PROPAGATED_TYPES

    spans = PiiDetector(DetectorConfig(entities=tuple(sorted(PROPAGATED_TYPES)))).analyze(value)
    return sorted({s.entity_type for s in spans})
