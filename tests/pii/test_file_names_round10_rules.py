"""File names keep the name rules they were tuned on (tests/pii/test_file_name_names.py, review 9/10): round 11's
name read off the word segmentation (curate/pii/segmented_names.py, for running text without a slot) read a title's
leading characters as a person (林佳蓉授信講義.txt, 法遵部尤詩涵.pdf) in the identifier guard of a ``pii_expected``
source. A catalogue made before round 11 holds those doc keys raw, and raw_file_names_held covers only sources not so
marked, so re-ingesting the unchanged TABF manifest made a second active copy of each such file under a new doc key."""

import csv
from collections import Counter

import pytest

from curate.ingest import ingest
from provenance import db
from sources.base import ErrorPolicy
from sources.tabf import TabfSource

FILES = ("林佳蓉授信講義.txt", "法遵部尤詩涵.txt", "宋朝經濟史.txt", "鍾馗.txt", "授信原則.txt")


@pytest.fixture
def manifest(tmp_path):
    d = tmp_path / "tabf"
    d.mkdir()
    for i, name in enumerate(FILES):
        (d / name).write_text(f"第{i}講：授信五P原則與徵信調查。\n", encoding="utf-8")
    path = d / "manifest.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "title", "licence_id", "agreement_id", "licensor", "audience", "purposes", "expiry"])
        for name in FILES:
            w.writerow(
                [name, name[:-4], "LicenseRef-Written-Agreement", "TABF-2025-007", "台灣金融研訓院", "internal",
                 "training", "2027-12-31"]
            )  # fmt: skip
    return path


def _active(db_path):
    con = db.connect(db_path)
    try:
        return con.execute("SELECT doc_key FROM records WHERE status = 'active' ORDER BY doc_key").fetchall()
    finally:
        con.close()


def test_a_re_ingest_of_an_unchanged_manifest_makes_no_second_copy(db_path, manifest, monkeypatch):
    from curate.pii import segmented_names

    # a catalogue made before round 11: the ingest read file names without the segmentation's name rule
    monkeypatch.setattr(segmented_names.SegmentedNameRecognizer, "analyze", lambda self, text, *a, **k: [])
    ingest(db_path, TabfSource([manifest], pii_expected=True), on_error=ErrorPolicy.RAISE)
    monkeypatch.undo()
    before = _active(db_path)
    assert len(before) == len(FILES)
    ingest(db_path, TabfSource([manifest], pii_expected=True), on_error=ErrorPolicy.RAISE)
    after = _active(db_path)
    assert after == before, Counter(after) - Counter(before)  # no file a new document beside its old copy
    assert any("林佳蓉授信講義.txt" in k for (k,) in after)  # round 10 read no name in this title


@pytest.mark.parametrize(
    ("value", "pii_expected", "kept"),
    [
        ("林佳蓉授信講義.txt", True, True),
        ("法遵部尤詩涵.pdf", True, True),
        ("宋朝經濟史.jsonl", False, True),
        ("鍾馗.jsonl", False, True),
        ("個案_林淑惠_授信審查.docx", False, False),  # a name filling a segment still is one
        ("宋凱翔.pdf", True, False),
    ],
)
def test_file_names_read_as_round_10_read_them(value, pii_expected, kept, monkeypatch):
    from curate.pii.identifiers import IdentifierGuard

    monkeypatch.setenv("CURATE_PII_KEY", "5d" * 32)
    assert (IdentifierGuard()(value, all_types=pii_expected) == value) is kept
