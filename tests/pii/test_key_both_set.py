"""``CURATE_PII_KEY`` and ``CURATE_PII_KEY_FILE`` both set: the variable won, silently. A shell that still exported an
old key (or the demo's) scrubbed, sealed and pseudonymised under it while the steward believed the bank's key file was
used; two keys' pseudonyms then stood in one export. Both set must be one key."""

from __future__ import annotations

import json

import pytest

HEX, OTHER = "4d" * 32, "e1" * 32


@pytest.fixture
def scrub(cli, tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"id": "1", "text": "王小明 0912345678"}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"

    def run():
        out.unlink(missing_ok=True)
        return (*cli("-q", "pii", "scrub", "--mode", "pseudonym", "--input", str(inp), "--output", str(out)), out)

    return run


def test_two_different_keys_are_refused_in_one_line(tmp_path, monkeypatch, scrub):
    f = tmp_path / "pii.key"
    f.write_text(HEX + "\n", encoding="utf-8")
    f.chmod(0o600)
    monkeypatch.setenv("CURATE_PII_KEY_FILE", str(f))
    monkeypatch.setenv("CURATE_PII_KEY", OTHER)
    code, _, err, out = scrub()
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "CURATE_PII_KEY and CURATE_PII_KEY_FILE" in err and "different" in err and str(f) in err, err
    assert HEX not in err and OTHER not in err and not out.exists()
    monkeypatch.setenv("CURATE_PII_KEY", HEX)  # the same key twice is one key
    code, _, err, out = scrub()
    assert code == 0 and "王小明" not in out.read_text(encoding="utf-8"), err


def test_a_stale_key_file_beside_the_variable_is_named(tmp_path, monkeypatch, scrub):
    monkeypatch.setenv("CURATE_PII_KEY_FILE", str(tmp_path / "gone.key"))
    monkeypatch.setenv("CURATE_PII_KEY", HEX)
    code, _, err, out = scrub()
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "gone.key" in err and "CURATE_PII_KEY is set too" in err and not out.exists(), err


def test_a_variable_holding_bytes_that_are_not_text_is_one_line(cli, tmp_path, monkeypatch):
    """`export CURATE_PII_KEY=$(head -c 32 /dev/urandom)`: every command ended in a UnicodeEncodeError traceback."""
    import os

    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": "1", "text": "王小明 0912345678"}\n', encoding="utf-8")
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY", os.fsdecode(b"\xff\xfe\x80random bytes of a key\x9f"))
    code, _, err = cli("-q", "pii", "scrub", "--input", str(inp), "--output", str(tmp_path / "o.jsonl"))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "not UTF-8" in err and "Traceback" not in err, err
    assert "random bytes of a key" not in err


def test_no_key_says_random_hex_not_a_passphrase(cli, tmp_path, monkeypatch):
    """The message for a missing key offered "hex or a passphrase of >= 16 bytes": a passphrase is found offline from
    the key id every ledger reader sees (the README says not to use one)."""
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": "1", "text": "王小明 0912345678"}\n', encoding="utf-8")
    argv = ["--mode", "pseudonym", "--input", str(inp), "--output", str(tmp_path / "o.jsonl")]
    code, _, err = cli("-q", "pii", "scrub", *argv)
    assert code != 0 and "token_hex(32)" in err and "a passphrase of" not in err, err
