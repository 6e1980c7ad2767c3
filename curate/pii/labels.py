"""Labelled fields: the value after a field label (``受處分人：林示範``) is personal data.

The labels live in ``schemas/pii/labels.tsv`` (reviewable data, with their origin). A value is
the run of Han characters (2-4) after a label and a separator -- an ASCII or full-width colon, a
newline, a tab or a table-cell break, with optional spaces -- that ends at a non-Han character
or the end of the text. Whatever the value looks like (``王示範`` has an implausible given name
for the rule-based name recognizer), it is reported, with a high score and the recognizer name
``LabelledField``: such names also propagate across a source's records (see
:mod:`curate.pii.propagate`).
"""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass
from functools import lru_cache

from provenance.errors import ConfigError

#: recognizer name of labelled-field spans (the stage propagates these across a source)
LABELLED = "LabelledField"
#: recognizer name of a label directly followed by a name in running text whose given name does not read as a
#: name (理財專員李示範挪用): scrubbed where found, not propagated across the source (see :func:`labelled_spans`)
RUNNING = "LabelledRunning"
#: score of a labelled value (above every rule-based name score)
LABEL_SCORE = 0.9
#: values that fill a field but name nobody
NON_VALUES = frozenset(
    {"不詳", "不详", "同上", "如上", "如下", "本人", "本行", "本公司", "無", "无", "略", "未填", "空白"}
)


@dataclass(frozen=True, slots=True)
class Label:
    label: str
    entity_type: str
    origin: str


def _read() -> str:
    return importlib.resources.files("schemas").joinpath("pii", "labels.tsv").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def labels() -> tuple[Label, ...]:
    """The shipped labels (Traditional as written, Simplified forms derived with OpenCC ``t2s``)."""
    import opencc

    conv = opencc.OpenCC("t2s")
    out: dict[str, Label] = {}
    for n, line in enumerate(_read().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 3 or not all(c.strip() for c in cols):
            raise ConfigError(f"schemas/pii/labels.tsv line {n}: expected 3 tab-separated columns, got {line!r}")
        label, etype, origin = (c.strip() for c in cols)
        if label in out:
            raise ConfigError(f"schemas/pii/labels.tsv line {n}: label {label!r} listed twice")
        out[label] = Label(label, etype, origin)
        simp = conv.convert(label)
        out.setdefault(simp, Label(simp, etype, origin))
    return tuple(out.values())


@lru_cache(maxsize=1)
def _by_label() -> dict[str, str]:
    """``{label: entity type}`` (built once: per text it was a tenth of the PII stage's detection time)."""
    return {lb.label: lb.entity_type for lb in labels()}


def _label_alternation() -> str:
    """Every label as one regex alternation, longest first (a label that extends another wins)."""
    return "|".join(re.escape(lb.label) for lb in sorted(labels(), key=lambda x: len(x.label), reverse=True))


@lru_cache(maxsize=1)
def _label_screen() -> re.Pattern[str]:
    """Any label at all: one scan that lets :func:`labelled_spans` skip the texts without one (most of them)."""
    return re.compile(_label_alternation())


@lru_cache(maxsize=1)
def _regex() -> re.Pattern[str]:
    alts = _label_alternation()
    # a) label, spaces, a colon (ASCII / full-width), spaces, a value ending at any non-Han character;
    # b) a form/table layout: the label alone in its line or cell, the value alone in the next one
    han = r"[\u4e00-\u9fff\u3400-\u4dbf]"
    return re.compile(
        rf"(?<!{han})(?P<label>{alts})[ \u3000]*[:：][ \u3000]*(?P<value>{han}{{2,4}})(?!{han})"
        rf"|(?:^|(?<=[\n\t|]))(?P<label2>{alts})[ \u3000]*[\n\t|][ \u3000\t\n|]*"
        rf"(?P<value2>{han}{{2,4}})[ \u3000]*(?=$|[\n\t|])",
        re.MULTILINE,
    )


def labelled_values(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, entity_type)`` of every labelled value in ``text`` (see :func:`labelled_spans`).

    >>> t = "受處分人：林示範\\n地址：新北市"
    >>> [(t[s:e], k) for s, e, k in labelled_values(t)]
    [('林示範', 'PERSON')]
    >>> labelled_values("代表人或管理人姓名\\n王示範")
    [(10, 13, 'PERSON')]
    """
    return sorted({(s, e, t) for s, e, t, _ in labelled_spans(text)})


def labelled_spans(text: str) -> list[tuple[int, int, str, str]]:
    """``(start, end, entity_type, recognizer)`` of every labelled value in ``text``.

    The recognizer is :data:`LABELLED` (the name propagates across the source) for a value after a
    separator, and for a name in running text whose given name reads as a name
    (:func:`curate.pii.names.plausible_given_name` after a role word); otherwise :data:`RUNNING`: in
    random-looking text a label can be followed by any three characters (客戶錢貨；), and such a string must
    not be scrubbed in every record of the source.

    >>> [(k, r) for _, _, k, r in labelled_spans("理財專員李示範挪用")]
    [('PERSON', 'LabelledRunning')]
    >>> [(k, r) for _, _, k, r in labelled_spans("客戶林志明挪用")]
    [('PERSON', 'LabelledField')]
    """
    if not _label_screen().search(text):  # both patterns below start with a label: most texts have none
        return []
    from curate.pii.names import _tables, plausible_given_name

    compounds = _tables()[1]
    by_label = _by_label()
    out = []
    for s, e, t in _running_values(text, by_label):
        sur = next((len(c) for c in compounds if text.startswith(c, s)), 1)
        out.append((s, e, t, LABELLED if plausible_given_name(text[s + sur : e], "role") else RUNNING))
    for m in _regex().finditer(text):
        g = "value" if m.group("value") else "value2"
        if m.group(g) in NON_VALUES:
            continue
        out.append((m.start(g), m.end(g), by_label[m.group("label" if g == "value" else "label2")], LABELLED))
    best: dict[tuple[int, int, str], str] = {}
    for s, e, t, r in out:  # a value found both ways propagates
        if best.get((s, e, t)) != LABELLED:
            best[(s, e, t)] = r
    return sorted((s, e, t, r) for (s, e, t), r in best.items())


@lru_cache(maxsize=1)
def _running_regex() -> re.Pattern[str]:
    from curate.pii.names import _tables

    singles, compounds = _tables()[0], _tables()[1]
    alts = _label_alternation()
    sur = "|".join(compounds) + "|[" + "".join(sorted(singles)) + "]"
    return re.compile(rf"(?:{alts})(?P<sur>{sur})(?P<given>[\u4e00-\u9fff]{{1,2}})")


def _running_values(text: str, by_label: dict[str, str]) -> list[tuple[int, int, str]]:
    """A label directly followed by a surname in running text (``理財專員李示範挪用``): surname + 1-2 chars.

    The given name may be anything but a character that typically follows a name (的, 於, 挪 is
    fine); a surname-only mention (``客戶王先生``) and frequent non-name words are skipped.
    """
    from curate.pii.names import HONORIFICS, NOT_NAMES, STOP_AFTER, _tables

    not_names, non_given = _tables()[2], _tables()[3]
    out = []
    for m in _running_regex().finditer(text):
        start, g0 = m.start("sur"), m.start("given")
        if text.startswith(tuple(HONORIFICS), g0) or text[start:].startswith(tuple(NOT_NAMES) + not_names):
            continue
        given = m.group("given")
        if given[0] in STOP_AFTER:
            continue
        end = g0 + (1 if len(given) < 2 or given[1] in STOP_AFTER else 2)
        # without a separator, the first given character must be one that occurs in given names (the name
        # rule's list of legal / financial / function characters): 業務員任職, 客戶關係 are words, not names
        if given[0] in non_given:
            continue
        out.append((start, end, "PERSON"))
    return out
