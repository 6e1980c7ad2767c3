"""A PII key file written by PowerShell 5.1 (`"<hex>" > pii.key`: UTF-16LE with a byte-order mark, CRLF).

It was read as raw bytes (not UTF-8), so the marks and NULs were the key: another key than the same hex in
``CURATE_PII_KEY``, and nothing said so. It is read as its text now; a catalogue keyed under the bytes is refused with
that reason and a way on, not as an unexplained "another PII key".
"""

from __future__ import annotations

import subprocess

import pytest

from curate.pii.keys import derive_key, load_key

HEX = "5a" * 32


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)

    def use(path):
        monkeypatch.setenv("CURATE_PII_KEY_FILE", str(path))

    return use


def _utf16(tmp_path, encoding="utf-16-le"):
    f = tmp_path / "pii.key"
    f.write_bytes(("\ufeff" + HEX + "\r\n").encode(encoding))
    f.chmod(0o600)
    return f


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_key_file_is_the_same_key_as_its_hex(tmp_path, key_env, encoding):
    key_env(_utf16(tmp_path, encoding))
    assert load_key() == derive_key(bytes.fromhex(HEX))


def test_random_bytes_that_start_like_a_mark_stay_bytes(tmp_path, key_env):
    f = tmp_path / "pii.key"
    raw = b"\xff\xfe" + bytes(range(1, 31))  # control characters: not a text a person wrote
    f.write_bytes(raw)
    f.chmod(0o600)
    key_env(f)
    assert load_key() == derive_key(raw)


def test_a_catalogue_keyed_under_a_utf16_file_as_bytes(cli, tmp_path, key_env, monkeypatch):
    from pii_oracle import CASE

    fsc = tmp_path / "fsc"
    fsc.mkdir()
    (fsc / "case.html").write_text(CASE, encoding="utf-8")
    db = tmp_path / "c.duckdb"
    f = _utf16(tmp_path)
    monkeypatch.setenv("CURATE_PII_KEY", f.read_bytes().hex())  # the key as the file was read before: its bytes
    code, out, err = cli("-q", "ingest", "fsc", str(fsc), db=db)
    assert code == 0, out + err
    monkeypatch.delenv("CURATE_PII_KEY")
    key_env(f)
    code, out, err = cli("-q", "run", "hygiene", "--workers", "1", db=db)
    assert code == 2 and len(err.strip().splitlines()) == 1, out + err
    assert "UTF-16" in err and f"CURATE_PII_KEY_FILE=<(od -An -tx1 -v {f} | tr -d ' \\n')" in err, err
    assert HEX not in err and f.read_bytes().hex() not in err, err
    # the way on it gives: those bytes as hex, read through a pipe (here a private file)
    shown = subprocess.run(["sh", "-c", f"od -An -tx1 -v {f} | tr -d ' \\n'"], capture_output=True, check=True)
    hexed = tmp_path / "old.key"
    hexed.write_bytes(shown.stdout)
    hexed.chmod(0o600)
    key_env(hexed)
    code, out, err = cli("-q", "run", "hygiene", "--workers", "1", db=db)
    assert code == 0, out + err


def test_a_key_file_that_is_no_key_file_is_named(tmp_path, key_env):
    """`CURATE_PII_KEY_FILE=/dev/urandom` (taken for a key maker) was read without end, until memory ran out; a large
    file (the catalogue, a document) was taken whole as the key. (A device is not read here: on a regression the test
    would take the machine's memory.)"""
    from provenance.errors import ConfigError

    f = tmp_path / "big.bin"
    f.write_bytes(b"\x01" * (1 << 20))
    f.chmod(0o600)
    key_env(f)
    with pytest.raises(ConfigError, match=r"more than 65536 bytes"):
        load_key()


def test_the_way_on_through_a_real_pipe(cli, tmp_path, key_env, monkeypatch):
    """The way on the refusal gives is a pipe (`<(od ... | tr ...)`), read once: `ingest` and `run pii` load the key
    twice (the ingest's key-copy check, then the loader; the stage, then its checks), so the second read was empty,
    "a key of 0 bytes", and a catalogue keyed under an old UTF-16 file could not go on (as a mounted secret's
    `<(cat FILE)` could not)."""
    import os

    from pii_oracle import CASE

    fsc = tmp_path / "fsc"
    fsc.mkdir()
    (fsc / "case.html").write_text(CASE, encoding="utf-8")
    db = tmp_path / "c.duckdb"
    f = _utf16(tmp_path)
    monkeypatch.setenv("CURATE_PII_KEY", f.read_bytes().hex())
    assert cli("-q", "ingest", "fsc", str(fsc), db=db)[0] == 0
    monkeypatch.delenv("CURATE_PII_KEY")
    shown = subprocess.run(["sh", "-c", f"od -An -tx1 -v {f} | tr -d ' \\n'"], capture_output=True, check=True).stdout

    def piped(*args):
        r, w = os.pipe()
        try:
            os.write(w, shown)
            os.close(w)
            key_env(f"/dev/fd/{r}")
            return cli("-q", *args, db=db)
        finally:
            os.close(r)

    (fsc / "case2.html").write_text(CASE.replace("</body>", "<p>第二件</p></body>"), encoding="utf-8")
    for args in (["ingest", "fsc", str(fsc)], ["run", "hygiene", "--workers", "1"], ["run", "pii", "--workers", "1"]):
        code, out, err = piped(*args)
        assert code == 0, (args, out + err)


def test_a_large_key_file_of_random_bytes_keeps_its_catalogue(tmp_path, key_env, monkeypatch):
    """A key file of random bytes over 64 KiB (`dd if=/dev/urandom of=pii.key bs=1M count=1`) was the key, whole,
    before such files were refused: its catalogue had no way on. HMAC hashes a key longer than its block, so the
    file's SHA-256 as hex is the same key; the refusal says so."""
    import hashlib
    import shlex

    from provenance.errors import ConfigError

    raw = bytes(range(256)) * 512  # 128 KiB, not text
    f = tmp_path / "pii.key"
    f.write_bytes(raw)
    f.chmod(0o600)
    key_env(f)
    with pytest.raises(ConfigError, match="sha256sum") as got:
        load_key()
    assert f"CURATE_PII_KEY=$(sha256sum {shlex.quote(str(f))} | cut -c1-64)" in str(got.value)
    monkeypatch.delenv("CURATE_PII_KEY_FILE")
    monkeypatch.setenv("CURATE_PII_KEY", hashlib.sha256(raw).hexdigest())
    assert load_key() == derive_key(raw)  # the key the file gave before


def test_an_exported_pipe_is_named(tmp_path, key_env):
    """`export CURATE_PII_KEY_FILE=<(cat FILE)` closes the pipe when the line ends: "No such file or directory" alone
    did not say why a way on the README gives failed."""
    from provenance.errors import ConfigError

    key_env("/dev/fd/987")
    with pytest.raises(ConfigError, match="not after an `export`"):
        load_key()


@pytest.mark.parametrize("how", ["utf-16", "utf-8 mark"])
def test_an_old_catalogue_keyed_through_a_pipe_is_told_why(cli, tmp_path, key_env, monkeypatch, how):
    """A mounted secret's way on is a pipe (`CURATE_PII_KEY_FILE=<(cat FILE)`): a catalogue keyed so under a UTF-16
    (or UTF-8-marked) file was refused as "another PII key", with neither the reason nor the way on a regular file's
    refusal gives (a pipe was never looked at again: it is read once)."""
    import os

    from pii_oracle import CASE

    fsc = tmp_path / "fsc"
    fsc.mkdir()
    (fsc / "case.html").write_text(CASE, encoding="utf-8")
    db = tmp_path / "c.duckdb"
    text = "\ufeff" + HEX + "\r\n"
    data = text.encode("utf-16-le") if how == "utf-16" else text.encode("utf-8")
    before = data.hex() if how == "utf-16" else text  # the key as the pipe was read before
    monkeypatch.setenv("CURATE_PII_KEY", before)
    assert cli("-q", "ingest", "fsc", str(fsc), db=db)[0] == 0
    monkeypatch.delenv("CURATE_PII_KEY")
    r, w = os.pipe()
    try:
        os.write(w, data)
        os.close(w)
        key_env(f"/dev/fd/{r}")
        code, out, err = cli("-q", "run", "hygiene", "--workers", "1", db=db)
    finally:
        os.close(r)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "another PII key" not in err, err
    if how == "utf-16":
        assert "UTF-16" in err and "CURATE_PII_KEY_FILE=<(COMMAND | od -An -tx1 -v | tr -d ' \\n')" in err, err
    else:
        assert "byte-order mark" in err and 'CURATE_PII_KEY="$(COMMAND)"' in err, err
    assert HEX not in err and data.hex() not in err, err


def test_readers_of_an_old_catalogue_are_told_why(cli, tmp_path, key_env, monkeypatch):
    """The refusal with its reason and way on was given by the writing commands only: `pii scan` under the UTF-16
    file said "wrong PII key ... or the vault row was altered" (as if tampered with), `audit verify` "CURATE_PII_KEY
    is not this catalogue's key" (the file was set), neither how to go on."""
    from pii_oracle import CASE

    fsc = tmp_path / "fsc"
    fsc.mkdir()
    (fsc / "case.html").write_text(CASE, encoding="utf-8")
    db = tmp_path / "c.duckdb"
    f = _utf16(tmp_path)
    monkeypatch.setenv("CURATE_PII_KEY", f.read_bytes().hex())
    for args in (["ingest", "fsc", str(fsc)], ["run", "hygiene", "--workers", "1"], ["run", "pii", "--workers", "1"]):
        assert cli("-q", *args, db=db)[0] == 0, args
    monkeypatch.delenv("CURATE_PII_KEY")
    key_env(f)
    code, out, err = cli("-q", "pii", "scan", db=db)
    assert code == 2 and "UTF-16" in err and "altered" not in err and "od -An -tx1 -v" in err, out + err
    code, out, err = cli("-q", "audit", "verify", db=db)
    assert "UTF-16" in out + err and "od -An -tx1 -v" in out + err, out + err
    assert HEX not in out + err and f.read_bytes().hex() not in out + err


def test_the_file_as_read_before_is_read_by_the_one_reader_of_secret_files(tmp_path, key_env):
    """Review of the fixes 14 (curate/pii/keys.py key_file_as_read_before): a regular key file is read through
    provenance/secretfile.py as the key's loader reads it, so a file that loader refuses (every user may read it) is
    not read for the key it gave before either; the same file made private is."""
    from curate.pii.keys import key_file_as_read_before

    f = _utf16(tmp_path)
    key_env(f)
    assert key_file_as_read_before()[1:] == (derive_key(f.read_bytes()), "utf-16")
    f.chmod(0o644)
    assert key_file_as_read_before() is None
