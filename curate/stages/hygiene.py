"""Text hygiene: Unicode NFC, control and zero-width characters removed, whitespace runs collapsed.

Chinese has no spaces between words, so nothing is ever inserted: only runs of horizontal
whitespace collapse to one space (spaces between two CJK characters vanish: a layout artefact, also
a PDF's double spacing; a gap made on purpose there, a tab or a full-width space, stays one: table
cells; the tabs of two or more lines in a row that each hold one stay too, a spreadsheet's rows, unless every such
tab leads its line: indentation), CRLF/CR become LF, spaces at line ends go, and runs of three or more line breaks
become two.
A zero-width joiner or non-joiner is kept where it is part of the text (an emoji sequence, a Persian
or Sinhala word). A new version is emitted only when the text changed, with an event that
says what changed (counts per kind), never the text itself. A text made only of characters it removes becomes
empty (outcome ``emptied``): the record stays, so later stages decide about it too (the PII stage scrubs its title
and metadata); dedup flags it ``empty_text`` and exports leave it out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import ClassVar

from datatrove.data import Document

from curate import textchars
from curate.stages.base import Stage, StageResult
from curate.stages.config import HygieneConfig

# C0/C1 controls except TAB and LF; zero-width and BOM; bidi marks are layout, not text. The classes are shared
# with PII detection (:mod:`curate.textchars`), which reads text as this stage would join it
_CONTROL = re.compile(f"[{textchars.CONTROL}]")
_ZERO_WIDTH = re.compile(f"[{textchars.ZERO_WIDTH}]")
_HSPACE_CHARS = textchars.HSPACE
_CR = re.compile(r"\r\n?")
_CJK = textchars.CJK
#: a CJK character other than a space (U+3000 is in the CJK class)
_CJK_INK = _CJK.replace("\\u3000-\\u303f", "\\u3001-\\u303f")
assert _CJK_INK != _CJK
_RUN = f"[ {_HSPACE_CHARS}]"
#: between two CJK characters, a gap made on purpose stays one (table cells), in C: a run of two or more with a tab
#: becomes a tab, then one with a full-width space becomes one; the rest of the runs, and any one space character other
#: than U+0020 (not a lone tab or full-width space between two CJK characters), become one space. A Python function
#: per match was three times slower on a PDF's double-spaced text (a 50 MB record: minutes)
_TAB_GAP = re.compile(rf"{_RUN}(?<=[{_CJK_INK}].)(?:(?<=\t)|(?={_RUN}*\t)){_RUN}+(?=[{_CJK_INK}])")
_FULLWIDTH_GAP = re.compile(rf"{_RUN}(?<=[{_CJK_INK}].)(?:(?<=\u3000)|(?={_RUN}*\u3000)){_RUN}+(?=[{_CJK_INK}])")
_HSPACE_RUN = re.compile(rf"{_RUN}{{2,}}|[{_HSPACE_CHARS}](?:(?<![{_CJK_INK}][\t\u3000])|(?![{_CJK_INK}]))")
#: two or more lines in a row, each holding a tab: a table's rows (a spreadsheet pasted or saved as text). Their tabs
#: stay, each (an empty cell is one too), with the spaces beside them gone: a tab between Latin letters or digits
#: became a space, so `姓名\tPassport No` over `NGUYEN VAN HUNG\tC4529381` reached the PII stage, which runs after
#: this one, as a line of prose, and its reading of a table's columns (curate/pii/columns.py) let the values through
_TAB_ROWS = re.compile(r"^[^\n\t]*\t[^\n]*(?:\n[^\n\t]*\t[^\n]*)+", re.MULTILINE)
#: a tab after a line's text (a cell break); lines whose only tabs lead them are indented (a statute's items, a
#: paragraph's first line): indentation is dropped unless `keep_indentation`, as before tables kept their tabs
_INNER_TAB = re.compile(r"^[^\S\n]*\S[^\n]*\t", re.MULTILINE)
#: a table row's tab while the gaps are collapsed (control characters are gone by then: no text holds it)
_CELL_EDGE = "\x00"
_CELL_GAP = re.compile(r" +\x00 *|\x00 +")
#: literal first: the engine jumps to spaces; not between two full-width Latin letters (words: `Ｃｈｅｎ Ｙｕ`), but
#: between an ID's two letters (`Ａ Ｂ１２３４５６７８`, a letter-spaced PDF's `Ａ Ｂ １ ２ …`: :data:`textchars.ID_LETTER_GAP`)
_FWL = textchars.FULLWIDTH_LETTERS
_CJK_GAP = re.compile(
    rf" (?<=[{_CJK}] )(?=[{_CJK}])(?:(?<![{_FWL}] )|(?![{_FWL}])|(?<=(?<![{_FWL}])[{_FWL}] )(?={textchars.ID_LETTER_GAP}))"
)
_SUSPECT_CHARS = (
    r"\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069\u00ad"
    r"\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
)
#: anything clean() could change inside a text (besides NFC, checked separately; the edges: :func:`_suspect`),
#: behind a lookahead on the characters a match starts with (one class test per position instead of each
#: alternative in turn: half the time on clean text)
_SUSPECT = re.compile(rf"(?=[{_SUSPECT_CHARS} \n])(?:[{_SUSPECT_CHARS}]|  | \n|\n |\n\n\n| (?<=[{_CJK}] )(?=[{_CJK}]))")
_LINE_EDGE = re.compile(r" +\n *|\n +")  # one match takes both sides of a break: " \n " in two left one
_LINE_END = re.compile(r" +\n")
_BLANKS = re.compile(r"\n{3,}")


_DEFAULT = HygieneConfig()


def _zero_width(m: re.Match[str]) -> str:
    """Removed, except a zero-width joiner or non-joiner that is part of the text (:func:`curate.textchars.kept_joiner`:
    inside an emoji sequence such as 👨\u200d👩\u200d👧, or a word of a script that spells words with it)."""
    return m.group() if textchars.kept_joiner(m.string, m.start()) else ""


def _table_rows(m: re.Match[str]) -> str:
    """Lines in a row that each hold a tab, their tabs marked as a table's (:data:`_CELL_EDGE`) when one of them has a
    tab after its text: only indented lines are no table."""
    rows = m.group()
    return rows.replace("\t", _CELL_EDGE) if _INNER_TAB.search(rows) else rows


def _suspect(text: str) -> bool:
    """Whether :func:`clean` could change ``text`` other than by NFC: an edge space or newline, or a match."""
    return bool(text) and (text[0] in " \n" or text[-1] in " \n" or _SUSPECT.search(text) is not None)


def clean(text: str, config: HygieneConfig = _DEFAULT) -> tuple[str, dict[str, int]]:
    r"""Return the cleaned text and counts of what changed (by kind).

    >>> clean("第一條\u200b 本法\r\n")[0]
    '第一條本法'
    >>> clean("級距\t稅率\n第一級　　百分之五")[0]
    '級距\t稅率\n第一級\u3000百分之五'
    >>> clean("Bank  Act\tof 1931")[0]
    'Bank Act of 1931'
    """
    if not _suspect(text) and unicodedata.is_normalized(config.normal_form, text):
        return text, {}
    changes: dict[str, int] = {}

    def sub(name: str, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str], s: str) -> str:
        if callable(repl):  # a match the function keeps as it is is no change
            n = 0

            def counted(m: re.Match[str]) -> str:
                nonlocal n
                kept = repl(m)
                n += kept != m.group()
                return kept

            s = pattern.sub(counted, s)
        else:
            s, n = pattern.subn(repl, s)
        if n:
            changes[name] = changes.get(name, 0) + n
        return s

    out = unicodedata.normalize(config.normal_form, text)
    if out != text:
        changes["unicode_normalised"] = 1
    out = sub("control_chars", _CONTROL, "", out)
    out = sub("zero_width_chars", _ZERO_WIDTH, _zero_width, out)
    out = sub("line_breaks_normalised", _CR, "\n", out)
    if "\t" in out:  # a table's rows keep their tabs (_TAB_ROWS)
        out = _TAB_ROWS.sub(_table_rows, out)
    out = sub("whitespace_runs_collapsed", _TAB_GAP, "\t", out)
    out = sub("whitespace_runs_collapsed", _FULLWIDTH_GAP, "\u3000", out)
    out = sub("whitespace_runs_collapsed", _HSPACE_RUN, " ", out)
    if _CELL_EDGE in out:
        out = sub("whitespace_runs_collapsed", _CELL_GAP, _CELL_EDGE, out).replace(_CELL_EDGE, "\t")
    if config.drop_cjk_spaces:
        out = sub("cjk_spaces_removed", _CJK_GAP, "", out)
    out = sub("line_edge_spaces_removed", _LINE_END if config.keep_indentation else _LINE_EDGE, "\n", out)
    out = sub("blank_lines_collapsed", _BLANKS, "\n\n", out)
    trimmed = out.strip(" \n")
    if trimmed != out:
        changes["edges_trimmed"] = 1
    return trimmed, changes


class HygieneStage(Stage):
    """`curate run hygiene`."""

    name: ClassVar[str] = "hygiene"
    reads: ClassVar[tuple[str, ...]] = ("record_id", "text")
    writes: ClassVar[tuple[str, ...]] = ("version", "event")
    config_class: ClassVar[type] = HygieneConfig

    def process(self, doc: Document) -> Iterable[StageResult]:
        new, changes = clean(doc.text, self.config)
        if new == doc.text:
            return [StageResult(doc.id, outcome="unchanged")]
        # emptied (only invisible characters): still a record, so the PII stage scrubs its title and metadata;
        # counted apart, flagged by dedup and left out of exports (`empty_text`)
        return [
            StageResult(
                doc.id,
                action="rewrite",
                new_text=new,
                outcome="rewritten" if new else "emptied",
                detail={"changes": changes, "chars_before": len(doc.text), "chars_after": len(new)},
            )
        ]
