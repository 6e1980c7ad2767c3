"""The optional CKIP path, offline, with a tiny randomly initialised BERT NER model built here."""

import json

import pytest

TEXT = "客戶王小明來電"
OTHER = "理專林美玲說明"


@pytest.fixture(scope="module")
def tiny_ner_dir(tmp_path_factory):
    pytest.importorskip("ckip_transformers", reason="ckip-transformers (GPL-3.0 optional extra `ckip`) not installed")
    transformers = pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")
    d = tmp_path_factory.mktemp("ckip_ner")
    chars = sorted(set(TEXT + OTHER))
    (d / "vocab.txt").write_text(
        "\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]) + "\n", encoding="utf-8"
    )
    tok = transformers.BertTokenizerFast(vocab_file=str(d / "vocab.txt"), do_lower_case=False, model_max_length=128)
    tok.save_pretrained(str(d))
    types = [
        "CARDINAL",
        "DATE",
        "EVENT",
        "FAC",
        "GPE",
        "LANGUAGE",
        "LAW",
        "LOC",
        "MONEY",
        "NORP",
        "ORDINAL",
        "ORG",
        "PERCENT",
        "PERSON",
        "PRODUCT",
        "QUANTITY",
        "TIME",
        "WORK_OF_ART",
    ]
    labels = ["O"] + [f"{p}-{t}" for t in types for p in "BIES"]
    cfg = transformers.BertConfig(
        vocab_size=5 + len(chars),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        id2label=dict(enumerate(labels)),
        label2id={l: i for i, l in enumerate(labels)},
    )
    torch.manual_seed(0)
    model = transformers.BertForTokenClassification(cfg)
    with torch.no_grad():  # deterministic: every character is its own single-char PERSON (S-PERSON)
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        model.classifier.bias[labels.index("S-PERSON")] = 10.0
    model.save_pretrained(str(d))
    cfg_path = d / "tokenizer_config.json"
    conf = json.loads(cfg_path.read_text())
    assert conf.get("model_max_length") == 128
    return d


@pytest.mark.ckip
def test_ckip_recognizer_loads_offline_and_maps_offsets(tiny_ner_dir):
    from curate.pii.ckip import CkipNerRecognizer

    rec = CkipNerRecognizer(tiny_ner_dir)
    results = rec.analyze_many([TEXT, OTHER, ""])
    assert len(results[0]) == len(TEXT) and len(results[1]) == len(OTHER) and results[2] == []
    for text, res in zip((TEXT, OTHER), results):
        assert all(r.entity_type == "PERSON" and r.end - r.start == 1 for r in res)
        assert "".join(text[r.start : r.end] for r in sorted(res, key=lambda r: r.start)) == text


@pytest.mark.ckip
def test_ckip_in_the_detector(tiny_ner_dir):
    from curate.pii.engine import DetectorConfig, PiiDetector

    det = PiiDetector(DetectorConfig(ckip_model_dir=str(tiny_ner_dir)))
    spans = det.analyze(TEXT)
    assert any(s.entity_type == "PERSON" for s in spans)


def test_missing_model_dir_is_config_error(tmp_path):
    from curate.pii.ckip import CkipNerRecognizer
    from provenance.errors import ConfigError

    with pytest.raises(ConfigError, match="does not exist"):
        CkipNerRecognizer(tmp_path / "nope")
