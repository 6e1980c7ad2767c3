"""jieba's dictionary (about 45 MB per process) is read by the segmentation name rule only when a candidate reaches
the route (review 11 r): a worker scrubbing law texts, which hold no candidate, does not pay for it."""

import subprocess
import sys

CODE = """
from curate.lexicon import dictionary_words
from curate.pii.engine import PiiDetector
det = PiiDetector()
det.analyze_many(["銀行法第四十五條之一規定，銀行應建立內部控制及稽核制度。"])
print(dictionary_words.cache_info().currsize)
det.analyze_many(["感謝宋凱翔協助完成年度報告。"])
print(dictionary_words.cache_info().currsize)
"""


def test_the_dictionary_is_read_on_first_candidate_only():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "1"]
