"""Scrubbing modes, keys, and the AES-GCM raw-text vault."""

import pytest

from curate.pii.engine import PiiDetector
from curate.pii.keys import derive_key, load_key
from curate.pii.scrubber import scrub
from curate.pii.vault import decrypt, encrypt
from provenance.errors import ConfigError

TEXT = "客戶王小明手機0912345678，其子王大同手機0912345678。"


@pytest.fixture(scope="module")
def spans():
    return PiiDetector().analyze(TEXT)


def test_placeholders(spans):
    res = scrub(TEXT, spans)
    assert "0912345678" not in res.text and "王小明" not in res.text
    assert "〔電話〕" in res.text and "〔姓名〕" in res.text
    assert all(set(s) == {"start", "end", "entity_type", "score"} for s in res.spans)


def test_pseudonyms_consistent_and_keyed(spans):
    k1, k2 = derive_key(b"k" * 32), derive_key(b"j" * 32)
    a = scrub(TEXT, spans, mode="pseudonym", key=k1)
    b = scrub(TEXT, spans, mode="pseudonym", key=k1)
    c = scrub(TEXT, spans, mode="pseudonym", key=k2)
    assert a.text == b.text != c.text
    phones = [s["hmac"] for s in a.spans if s["entity_type"] == "TW_PHONE"]
    assert len(phones) == 2 and phones[0] == phones[1]  # same value -> same digest / surrogate
    assert "0912345678" not in a.text and "0912345678" not in repr(a.spans)


def test_pseudonym_without_key_is_a_clear_error(spans):
    with pytest.raises(ConfigError, match="CURATE_PII_KEY"):
        scrub(TEXT, spans, mode="pseudonym", key=None)


def test_load_key_from_env_and_file(monkeypatch, tmp_path):
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    assert load_key(required=False) is None
    with pytest.raises(ConfigError, match="CURATE_PII_KEY_FILE"):
        load_key()
    monkeypatch.setenv("CURATE_PII_KEY", "ab" * 32)
    k_env = load_key()
    monkeypatch.delenv("CURATE_PII_KEY")
    f = tmp_path / "pii.key"
    f.write_text("ab" * 32 + "\n")
    f.chmod(0o600)  # a key file other users may read is refused (tests/pii/test_key_file.py)
    monkeypatch.setenv("CURATE_PII_KEY_FILE", str(f))
    assert load_key().key_id == k_env.key_id
    assert "ab" * 8 not in repr(k_env)
    monkeypatch.setenv("CURATE_PII_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="cannot read"):
        load_key()
    monkeypatch.setenv("CURATE_PII_KEY", "short")
    with pytest.raises(ConfigError, match="too short"):
        load_key()


def test_vault_roundtrip_and_wrong_key():
    k = derive_key(b"v" * 32)
    nonce, ct = encrypt(k, "rec1", TEXT)
    assert TEXT.encode() not in ct
    assert decrypt(k, "rec1", nonce, ct) == TEXT
    with pytest.raises(ConfigError, match="wrong PII key"):
        decrypt(derive_key(b"w" * 32), "rec1", nonce, ct)
    with pytest.raises(ConfigError):
        decrypt(k, "rec2", nonce, ct)  # bound to the record id
