"""The PII key file (``CURATE_PII_KEY_FILE``) as stewards write it: private, with an editor's byte-order mark and CRLF.

A key file every user of the machine could read was taken as it was: anyone on a shared host (a Slurm login node)
could then open the raw-text vault and confirm a guessed name against every keyed digest. A hex key saved with a
UTF-8 byte-order mark (Notepad) was read as a passphrase with the mark in it: another key than the same hex in
``CURATE_PII_KEY``, with no word said.
"""

from __future__ import annotations

import json

import pytest

from curate.pii.keys import load_key

HEX = "3c" * 32


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)

    def use(path):
        monkeypatch.setenv("CURATE_PII_KEY_FILE", str(path))

    return use


def test_a_key_file_with_a_byte_order_mark_and_crlf_is_the_same_key(tmp_path, key_env, monkeypatch):
    f = tmp_path / "pii.key"
    f.write_bytes(b"\xef\xbb\xbf" + HEX.encode() + b"\r\n")
    f.chmod(0o600)
    key_env(f)
    from_file = load_key()
    monkeypatch.setenv("CURATE_PII_KEY", HEX)
    assert from_file == load_key()


def test_a_key_file_others_may_read_is_refused_in_one_line(cli, tmp_path, key_env):
    f = tmp_path / "pii.key"
    f.write_text(HEX + "\n", encoding="utf-8")
    f.chmod(0o644)
    key_env(f)
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text(json.dumps({"id": "1", "text": "王小明 0912345678"}, ensure_ascii=False) + "\n", encoding="utf-8")
    code, _, err = cli("-q", "pii", "scrub", "--mode", "pseudonym", "--input", str(inp), "--output", str(out))
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "chmod 600" in err and "<(cat" in err and str(f) in err and HEX not in err and not out.exists()
    f.chmod(0o640)  # a group the steward chose (a service account's) may read it
    code, _, err = cli("-q", "pii", "scrub", "--mode", "pseudonym", "--input", str(inp), "--output", str(out))
    assert code == 0 and "王小明" not in out.read_text(encoding="utf-8"), err


@pytest.mark.parametrize("content", [b"", b"\n", b"\xef\xbb\xbf\r\n"])
def test_an_empty_key_file_is_named(tmp_path, key_env, content):
    f = tmp_path / "pii.key"
    f.write_bytes(content)
    f.chmod(0o600)
    key_env(f)
    from provenance.errors import ConfigError

    with pytest.raises(ConfigError, match=r"PII key file `.*pii\.key`.* 0 bytes"):
        load_key()


def test_a_folder_or_a_pipe_as_the_key_file(tmp_path, key_env):
    import os

    from provenance.errors import ConfigError

    key_env(tmp_path)
    with pytest.raises(ConfigError, match="cannot read the PII key file"):
        load_key()
    r, w = os.pipe()  # CURATE_PII_KEY_FILE=<(vault read ...): private to the process, read as it is
    os.write(w, HEX.encode() + b"\n")
    os.close(w)
    key_env(f"/proc/self/fd/{r}")
    try:
        got = load_key()
    finally:
        os.close(r)
    assert got == load_key.__globals__["derive_key"](bytes.fromhex(HEX))


def test_a_catalogue_keyed_under_a_marked_key_file_before_the_mark_was_dropped(cli, tmp_path, key_env, monkeypatch):
    """A catalogue keyed under a Notepad-saved key file while its byte-order mark was read as part of the key: once
    the mark was dropped, the very same file was refused as "another PII key" by every command (ingest, each stage,
    annotate, rekey), and "set the catalogue's key" was all it said. It says why now, and how to go on."""
    from pii_oracle import CASE

    fsc = tmp_path / "fsc"
    fsc.mkdir()
    (fsc / "case.html").write_text(CASE, encoding="utf-8")
    db = tmp_path / "c.duckdb"
    monkeypatch.setenv("CURATE_PII_KEY", "\ufeff" + HEX)  # the key as the file was read before: the mark kept
    code, out, err = cli("-q", "ingest", "fsc", str(fsc), db=db)
    assert code == 0, out + err
    f = tmp_path / "pii.key"
    f.write_bytes(b"\xef\xbb\xbf" + HEX.encode() + b"\r\n")
    f.chmod(0o600)
    key_env(f)
    monkeypatch.delenv("CURATE_PII_KEY")
    code, out, err = cli("-q", "run", "hygiene", "--workers", "1", db=db)
    assert code == 2 and len(err.strip().splitlines()) == 1, out + err
    assert "byte-order mark" in err and f'CURATE_PII_KEY="$(cat {f})"' in err and HEX not in err, err
    assert "unset CURATE_PII_KEY_FILE" in err, err
    monkeypatch.setenv("CURATE_PII_KEY", f.read_bytes().decode("utf-8").rstrip("\n"))  # what "$(cat FILE)" gives
    monkeypatch.delenv("CURATE_PII_KEY_FILE")  # both set must be one key (tests/pii/test_key_both_set.py)
    code, out, err = cli("-q", "run", "hygiene", "--workers", "1", db=db)
    assert code == 0, out + err
