"""A correctly scrubbed value read after its key's label is not taken for a name by `curate pii scan` (review 5,
F4), while a real name beside a placeholder still is."""

import pytest

from curate.pii.engine import PiiDetector
from curate.pii.fields import labelled_text


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("聯絡人〔姓名〕 〔電話〕", []),  # the key's label repeated before a placeholder names nobody
        ("客戶〔姓名〕", []),
        ("聯絡人王小明 〔電話〕", ["王小明"]),  # a real name beside a placeholder is still found
        ("王小明〔電話〕", ["王小明"]),
    ],
)
def test_a_label_before_a_placeholder_is_no_name(value, names):
    text = labelled_text("聯絡人", value)
    spans = PiiDetector().analyze(text)
    assert [text[s.start : s.end] for s in spans if s.entity_type == "PERSON"] == names
