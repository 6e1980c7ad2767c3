"""A hex key in a key file written in a form that is not the hex key: ``0x`` before it, a second line (a comment, the
old key kept below the new), UTF-16 without its byte-order mark. Each was read in silence as a passphrase: another key
than the same hex in ``CURATE_PII_KEY`` (the key a bank keeps on record), and the vault did not open under the hex.
Each is refused in one line now, with the way on that keeps the key such a file gave before (review 14).
"""

from __future__ import annotations

import os
import subprocess

import pytest

from curate.pii.keys import derive_key, load_key
from provenance.errors import ConfigError

HEX = "6d" * 32

FORMS = {
    "0x before the hex": ("0x" + HEX + "\n").encode(),
    "a second line": (HEX + "\n# bank A, 2026\n").encode(),
    "utf-16 without its mark": (HEX + "\r\n").encode("utf-16-le"),
    # the way on `"$(cat FILE)"` kept Notepad's UTF-8 mark (another passphrase than the key the file gave), and a
    # shell drops a UTF-16 file's NULs; `od` of a big-endian file took its last line end, which the loader dropped
    "notepad's mark and a second line": b"\xef\xbb\xbf" + (HEX + "\r\n# bank A, 2026\r\n").encode(),
    "notepad's mark and 0x": b"\xef\xbb\xbf" + ("0x" + HEX + "\r\n").encode(),
    "utf-16 with its mark and 0x": ("\ufeff0x" + HEX + "\r\n").encode("utf-16-le"),
    "utf-16 big-endian without its mark": (HEX + "\r\n").encode("utf-16-be"),
}

#: the master key each form gave before it was refused (a passphrase: its text, white space around it dropped)
BEFORE = {
    "0x before the hex": ("0x" + HEX).encode(),
    "a second line": (HEX + "\n# bank A, 2026").encode(),
    "utf-16 without its mark": (HEX + "\r\n").encode("utf-16-le"),
    "notepad's mark and a second line": (HEX + "\r\n# bank A, 2026").encode(),
    "notepad's mark and 0x": ("0x" + HEX).encode(),
    "utf-16 with its mark and 0x": ("0x" + HEX).encode(),
    "utf-16 big-endian without its mark": (HEX + "\r\n").encode("utf-16-be")[:-1],  # the last `\n`, not its NUL
}


@pytest.mark.parametrize("form", list(FORMS), ids=list(FORMS))
def test_a_key_file_that_is_not_its_hex_is_refused_with_the_way_on(tmp_path, monkeypatch, form):
    raw = FORMS[form]
    f = tmp_path / "pii.key"
    f.write_bytes(raw)
    f.chmod(0o600)
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY_FILE", str(f))
    with pytest.raises(ConfigError) as got:
        load_key()
    message = str(got.value)
    assert str(f) in message and "\n" not in message and HEX not in message, message
    # the key the file gave before, as a catalogue keyed under it holds it
    before = derive_key(BEFORE[form])
    way_on = message.split("goes on with ", 1)[1].split(" with CURATE_PII_KEY_FILE unset")[0].split(" (keyed while")[0]
    name, _, value = way_on.partition("=")
    assert name == "CURATE_PII_KEY", way_on
    shown = subprocess.run(["sh", "-c", f"printf %s {value}"], capture_output=True, check=True).stdout
    assert b"\0" not in shown
    monkeypatch.delenv("CURATE_PII_KEY_FILE")
    monkeypatch.setenv("CURATE_PII_KEY", os.fsdecode(shown))
    assert load_key() == before


def test_the_hex_key_alone_is_still_read(tmp_path, monkeypatch):
    f = tmp_path / "pii.key"
    f.write_bytes(b"\xef\xbb\xbf" + HEX.upper().encode() + b"\r\n\r\n")
    f.chmod(0o600)
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY_FILE", str(f))
    assert load_key() == derive_key(bytes.fromhex(HEX))


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_wrapped_passphrase_that_holds_no_hex_key_is_still_read(tmp_path, monkeypatch, newline):
    """`openssl rand -base64 64 > pii.key` wraps its output over two lines: a key file made so was read as its
    passphrase before, and a catalogue keyed under it was locked out (the only way on the variable, the key in
    every child process's environment). A second line is refused beside a hex key only."""
    wrapped = "NZWy9a/r2hh9jV5h4cef1tHT+wzIsp72LKbOne6FXgZ2vWZXNO5LrCf76QZjR/2Q" + newline + "wJAMQ4r+WwfzHbLV89JGiQ=="
    f = tmp_path / "pii.key"
    f.write_bytes((wrapped + newline).encode())
    f.chmod(0o600)
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY_FILE", str(f))
    assert load_key() == derive_key(wrapped.encode())
