"""Latin text differing only in case (review 18's decision): one text for training, never an exact one.

Before review 18 the normalised key kept case, so an all-capitals copy of an English text shared neither its exact
key nor a single shingle with it: both stayed active, not even linked. Now the normalised key (exact key, MinHash)
folds case as it folds width and script, and the strict key keeps it: such copies are near duplicates, so a corpus
copy is dropped naming its survivor and a law's are linked, never removed (a capitalised defined term can be a
difference)."""

import pytest

from curate.dedup.engine import DedupDoc, dedup_texts
from curate.dedup.keys import exact_key, normalise, normalise_codepoints, strict_key

TEXT = (
    "Article 45-1 A bank shall establish an internal control and audit system, and the Competent Authority may"
    " prescribe the regulations governing the system and its implementation."
)


def test_case_is_folded_in_the_normalised_key_and_kept_in_the_strict_key():
    assert normalise(TEXT.upper()) == normalise(TEXT) == normalise(TEXT.lower())
    assert normalise("ΣΟΦΙΑ Ｂａｎｋ") == normalise("σοφια bank")
    assert exact_key(normalise_codepoints(TEXT.upper())) == exact_key(normalise_codepoints(TEXT))
    assert strict_key(TEXT.upper()) != strict_key(TEXT)
    assert normalise("銀行法第5條") == "银行法第5条"  # Chinese and digits as before


def test_a_corpus_copy_differing_only_in_case_is_a_near_duplicate_naming_its_survivor():
    docs = [
        DedupDoc("a", TEXT, "corpus", "CC-BY-4.0"),
        DedupDoc("b", TEXT.upper(), "corpus", "CC-BY-4.0"),
    ]
    out = {d.id: d for d in dedup_texts(docs)}
    dropped = [d for d in out.values() if d.duplicate_of]
    assert len(dropped) == 1 and dropped[0].match == "near" and dropped[0].jaccard == 1.0
    assert out[dropped[0].duplicate_of].survivor


def test_a_law_article_differing_only_in_case_is_never_removed():
    docs = [
        DedupDoc("a", TEXT, "law_moj", "OGDL-Taiwan-1.0", "2024", "G0380001"),
        DedupDoc(
            "b",
            TEXT.replace("Competent Authority", "competent authority"),
            "law_moj",
            "OGDL-Taiwan-1.0",
            "2024",
            "G0380001",
        ),
    ]
    out = {d.id: d for d in dedup_texts(docs)}
    assert out["a"].duplicate_of is None and out["b"].duplicate_of is None


@pytest.mark.parametrize(
    ("upper", "lower"),
    [("ΝΌΜΟΣ ΤΡΑΠΕΖΏΝ", "νόμος τραπεζών"), ("İSTANBUL BANKASI", "istanbul bankasi"), ("GROẞBANK", "großbank")],
)
def test_case_folds_as_casefold_where_that_is_one_letter(upper, lower):
    """Review 18's review: ``str.lower`` left final sigma (``ΝΌΜΟΣ`` -> ``νόμοσ``, not ``νόμος``) and dotted ``İ``
    (two code points) as they were, so a Greek or Turkish all-capitals copy still differed at every word's end."""
    assert normalise(upper) == normalise(lower)
    assert len(normalise(upper)) == len(upper.replace(" ", ""))
