"""The detection's cheap screens skip only texts the full patterns could not match.

The pre-screen, the name-slot filter and the labelled-value scan each start with a test that lets them leave
a position (or a whole text) early: a lookahead on the characters their patterns can start with, or a scan for
any label. These tests run the screened and the unscreened forms over real law text, the PII dev texts and
generated strings that put every county, every surname and every label in place, and require the same answers.
A pattern added without its first characters in the lookahead fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from curate.pii import labels as labels_mod
from curate.pii.engine import _prescreen_parts, _prescreen_regex
from curate.pii.names import HONORIFICS, _tables, name_slot_pattern
from curate.pii.recognizers import county_names


def _law_texts(law_fixtures: Path) -> list[str]:
    out: list[str] = []

    def leaves(v) -> None:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                leaves(x)
        elif isinstance(v, list):
            for x in v:
                leaves(x)

    for path in sorted((law_fixtures / "chlaw_json").rglob("*.json")):
        leaves(json.loads(path.read_text(encoding="utf-8-sig")))
    return out


@pytest.fixture(scope="module")
def corpus(law_fixtures: Path, eval_dev: Path) -> list[str]:
    texts = _law_texts(law_fixtures)
    dev = eval_dev / "pii_dev.jsonl"
    if dev.exists():
        texts += [json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    singles, compounds = _tables()[0], _tables()[1]
    for sur in sorted(singles) + sorted(compounds):
        texts += [f"客戶{sur}志明", f"{sur}大同先生", f"，{sur}明", f"與{sur}某某女士"]
    texts += [f"住{c}信義路五段7號" for c in county_names()]
    texts += [f"{lb.label}：王大明" for lb in labels_mod.labels()] + [
        f"{lb.label}\n林小華" for lb in labels_mod.labels()
    ]
    texts += [f"{lb.label}李示範挪用" for lb in labels_mod.labels()]
    texts += ["出生於高雄", "生日", "生于", "0912345678", "02-2345", "(02)2345-6789", "a@b.tw", "A123456789", "第三條"]
    texts += [f"甲{h}" for h in HONORIFICS]
    assert len(texts) > 2000
    return texts


def test_prescreen_lookahead_changes_no_answer(corpus: list[str]) -> None:
    plain = re.compile("|".join(f"(?:{p})" for p in _prescreen_parts()))
    screened = _prescreen_regex()
    differ = [t for t in corpus if bool(plain.search(t)) != bool(screened.search(t))]
    assert not differ, differ[:5]
    assert sum(bool(screened.search(t)) for t in corpus) > 500  # the corpus exercises the screen


def test_name_slot_lookahead_changes_no_span(corpus: list[str]) -> None:
    pattern = name_slot_pattern()
    assert pattern.startswith("(?=[")
    plain = re.compile(pattern[pattern.index("])") + 2 :])
    screened = re.compile(pattern)
    for t in corpus:
        assert [m.span() for m in plain.finditer(t)] == [m.span() for m in screened.finditer(t)], t


def test_label_scan_changes_no_labelled_span(corpus: list[str], monkeypatch) -> None:
    screened = [labels_mod.labelled_spans(t) for t in corpus]
    assert sum(bool(s) for s in screened) > 100
    monkeypatch.setattr(labels_mod, "_label_screen", lambda: re.compile(""))  # matches every text
    assert [labels_mod.labelled_spans(t) for t in corpus] == screened


def test_halfwidth_equals_the_table_translation(corpus: list[str]) -> None:
    from curate.pii.text import _FULLWIDTH, halfwidth

    edge = "".join(chr(c) for c in range(0xFEF0, 0xFF70)) + "\u3000 \u3001\u3002ａ臺Ａ"
    for t in [*corpus, edge, "", "ascii only", "全形：０９１２－３４５"]:
        assert halfwidth(t) == t.translate(_FULLWIDTH), t
