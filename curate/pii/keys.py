"""The PII key: from ``CURATE_PII_KEY`` or a file named by ``CURATE_PII_KEY_FILE``; never the repo or DB.

One master key; separate sub-keys are derived for HMAC digests/pseudonyms, for the raw-text
vault and for record ids and content digests, so a digest never reveals anything about the
encryption key. Derivation (``K`` = the master key bytes)::

    hmac_key  = HMAC-SHA256(K, "curate-pii/hmac/v1")    pseudonyms, allow-list and source-name digests
    vault_key = HMAC-SHA256(K, "curate-pii/vault/v1")   AES-256-GCM of sealed raw text
    id_key    = HMAC-SHA256(K, "curate-pii/ids/v1")     keyed record ids and content digests (issue 13)
    key_id    = HMAC-SHA256(K, "curate-pii/key-id/v1")[:12 hex]  names the key, reveals nothing

Keyed ids and digests (:meth:`PiiKey.keyed_hex`, used by :mod:`curate.pii.keyed_ids`) are
``hex(HMAC-SHA256(id_key, domain || 0x1f || message))``: deterministic under one key, and no
brute-force oracle without it. The message is the *plain* id or digest, so a catalogue made
before keyed ids is rekeyed to exactly the ids a fresh ingest gives (``curate pii rekey``):

* record id of an ingested record of a ``pii_expected`` source: domain ``record-id`` over the plain
  id (sha256 of ``source_id 0x1f locator 0x1f text [0x1f version metadata JSON]``);
* a version derived before the PII stage: domain ``derived-id`` over the plain derived id
  (sha256 of ``parent_id 0x1f stage 0x1f text``, the parent already keyed);
* content digest: ``hmac:`` + domain ``content`` over the plain sha256 of the text;
* any other id rewritten by ``curate pii rekey``: domain ``rekeyed-id`` over the old id;
* e-mail of an annotator: ``hmac:`` + domain ``annotator-email`` over the plain sha256 of the lower-cased,
  trimmed address.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shlex
from pathlib import Path

from provenance.errors import ConfigError
from provenance.secretfile import (
    MAX_SECRET_FILE_BYTES,
    UTF16_MARKS,
    SecretFile,
    SecretFileTooLarge,
    read_secret_file,
    secret_text,
)

ENV_KEY = "CURATE_PII_KEY"
ENV_KEY_FILE = "CURATE_PII_KEY_FILE"
MIN_KEY_BYTES = 16
#: the most a key file may hold: a device (``/dev/urandom``) was read without end, a document or the catalogue whole
MAX_KEY_FILE_BYTES = MAX_SECRET_FILE_BYTES


class PiiKey:
    """Derived sub-keys (never printed).

    Not a dataclass: datatrove writes each pipeline step's attributes into the run's ``logs/executor.json`` and
    expands a dataclass field by field (``dataclasses.asdict``), so the PII stage's key was written there in the
    clear, and stayed beside the catalogue while the run was unfinished (review 9); anything else is written as its
    ``str``, which names the key by its id only. Pickling (the workers get the stage) keeps the sub-keys.

    >>> k = derive_key(b"0" * 32)
    >>> str(k) == repr(k) == f"PiiKey(key_id={k.key_id!r})", k == derive_key(b"0" * 32)
    (True, True)
    """

    __slots__ = ("hmac_key", "id_key", "key_id", "vault_key")

    def __init__(self, hmac_key: bytes, vault_key: bytes, key_id: str, id_key: bytes = b"") -> None:
        self.hmac_key, self.vault_key, self.key_id, self.id_key = hmac_key, vault_key, key_id, id_key

    def __repr__(self) -> str:  # never show key material
        return f"PiiKey(key_id={self.key_id!r})"

    __str__ = __repr__

    def _material(self) -> tuple[bytes, bytes, str, bytes]:
        return (self.hmac_key, self.vault_key, self.key_id, self.id_key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PiiKey) and hmac.compare_digest(repr(self._material()), repr(other._material()))

    def __hash__(self) -> int:
        return hash(self.key_id)

    def __getstate__(self) -> tuple[bytes, bytes, str, bytes]:
        return self._material()

    def __setstate__(self, state: tuple[bytes, bytes, str, bytes]) -> None:
        self.hmac_key, self.vault_key, self.key_id, self.id_key = state

    def digest(self, entity_type: str, value: str) -> str:
        """Keyed HMAC-SHA256 of a value (hex, 32 chars), typed so equal strings of different types differ.

        >>> k = derive_key(b"0" * 32)
        >>> k.digest("TW_PHONE", "0912345678") == k.digest("TW_PHONE", "0912345678")
        True
        >>> len(k.digest("TW_PHONE", "0912345678"))
        32
        """
        msg = f"{entity_type}\x1f{value}".encode()
        return hmac.new(self.hmac_key, msg, hashlib.sha256).hexdigest()[:32]

    def keyed_hex(self, domain: str, message: bytes) -> str:
        """HMAC-SHA256 under the id sub-key of ``domain 0x1f message`` (64 hex; see the module docstring).

        >>> k = derive_key(b"0" * 32)
        >>> len(k.keyed_hex("record-id", b"fsc"))
        64
        >>> k.keyed_hex("record-id", b"x") == k.keyed_hex("content", b"x")
        False
        """
        return hmac.new(self.id_key, domain.encode() + b"\x1f" + message, hashlib.sha256).hexdigest()

    def content_digest(self, text: str) -> str:
        """The keyed content digest of ``text``: ``hmac:`` + keyed hex of its plain sha256.

        >>> k = derive_key(b"0" * 32)
        >>> k.content_digest("王小明") == k.key_plain_digest(hashlib.sha256("王小明".encode()).hexdigest())
        True
        """
        return self.key_plain_digest(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())

    def key_plain_digest(self, plain_hex: str) -> str:
        """The keyed form of a plain sha256 content digest (needs no text: used to rekey stored digests)."""
        return "hmac:" + self.keyed_hex("content", plain_hex.encode())


def derive_key(master: bytes) -> PiiKey:
    """Sub-keys from a master key (HMAC-SHA256 as a KDF with fixed labels)."""
    if len(master) < MIN_KEY_BYTES:
        raise ConfigError(
            f"the PII key is too short ({len(master)} bytes); use at least {MIN_KEY_BYTES} random "
            "bytes, e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`"
        )

    def sub(label: str) -> bytes:
        return hmac.new(master, label.encode(), hashlib.sha256).digest()

    return PiiKey(
        hmac_key=sub("curate-pii/hmac/v1"),
        vault_key=sub("curate-pii/vault/v1"),
        key_id=sub("curate-pii/key-id/v1").hex()[:12],
        id_key=sub("curate-pii/ids/v1"),
    )


def _decode(raw: str) -> bytes:
    raw = raw.strip()
    if len(raw) >= 32 and len(raw) % 2 == 0 and all(c in "0123456789abcdefABCDEF" for c in raw):
        return bytes.fromhex(raw)
    return raw.encode("utf-8")


_UTF16_MARKS = UTF16_MARKS


def key_file_text(data: bytes) -> str | None:
    r"""A key file's text: UTF-8 (an editor's byte-order mark dropped), or UTF-16 that starts with its byte-order mark
    (PowerShell 5.1's ``>`` and ``Out-File``) and holds printable text; None for raw bytes
    (:func:`provenance.secretfile.secret_text`).

    A UTF-8 mark was read as part of a passphrase (Notepad), and a UTF-16 file as raw bytes (its marks and NULs the
    key): either way another key than the same hex in ``CURATE_PII_KEY``, and nothing said so.

    >>> key_file_text("\ufeff3c3c\r\n".encode("utf-16-le")), key_file_text(b"\xef\xbb\xbf3c3c\n"), key_file_text(b"\xff\x00")
    ('3c3c\r\n', '3c3c\n', None)
    """
    return secret_text(data)


def _spec(p: Path) -> SecretFile:
    return SecretFile(p, f"the PII key file `{p}` ({ENV_KEY_FILE})", ENV_KEY_FILE)


def key_file_bytes(p: Path) -> bytes:
    """The bytes of the key file ``p`` (at most :data:`MAX_KEY_FILE_BYTES`), read by
    :func:`provenance.secretfile.read_secret_file`: refused in one line when every user of the machine may read or
    write it; a pipe (``CURATE_PII_KEY_FILE=<(cat FILE)``, the way on for a mounted secret and for a catalogue keyed
    under an old UTF-16 file) is read once per process and kept: a command that loads the key twice (``ingest``,
    ``run pii``) read it empty the second time, "a key of 0 bytes"."""
    return read_secret_file(_spec(p))


def _from_file(p: Path) -> PiiKey:
    """The key in ``p``: text (hex or a passphrase; UTF-8 or UTF-16 with its mark, see :func:`key_file_text`; white space,
    CR and a byte-order mark around it dropped) or raw bytes. A regular file that other users of the machine may read or write is refused, as ssh refuses such a
    private key: anyone who reads it can open the raw-text vault and confirm a guessed name against every keyed
    digest. (A pipe, ``CURATE_PII_KEY_FILE=<(vault read ...)``, is private to the process and read as it is.)"""
    try:
        data = key_file_bytes(p)
    except SecretFileTooLarge:  # /dev/urandom (read without end), the catalogue, a document
        # a file of random bytes this large (`dd if=/dev/urandom bs=1M count=1`) was a key before: HMAC hashes a key
        # longer than its block, so its SHA-256 as hex is the very same key, and such a catalogue goes on
        same = (
            f"; a catalogue keyed under this file of random bytes before goes on with "
            f"{ENV_KEY}=$(sha256sum {shlex.quote(str(p))} | cut -c1-64), the same key, and {ENV_KEY_FILE} unset"
            if p.is_file()
            else ""
        )
        raise ConfigError(
            f"the PII key file `{p}` ({ENV_KEY_FILE}) holds more than {MAX_KEY_FILE_BYTES} bytes, which no key file "
            f"does (a device such as /dev/urandom, or the wrong file?); name a file that holds the key, e.g. made with "
            f"`python -c 'import secrets; print(secrets.token_hex(32))' > FILE`{same}"
        ) from None
    text = key_file_text(data)
    if text is not None:
        _refuse_unclear(p, text.strip(), _same_key_from(p, data, text))
    master = data if text is None else _decode(text)
    if len(master) < MIN_KEY_BYTES:
        raise ConfigError(
            f"the PII key file `{p}` ({ENV_KEY_FILE}) holds a key of {len(master)} bytes; put at least "
            f"{MIN_KEY_BYTES} random bytes in it, e.g. `python -c 'import secrets; print(secrets.token_hex(32))' > {p}`"
        )
    return derive_key(master)


def _same_key_from(p: Path, data: bytes, text: str) -> tuple[str, str]:
    """How ``CURATE_PII_KEY`` gives the very key the text ``text`` of the key file ``p`` (its bytes ``data``) gave:
    (the key as text, the key as the hex of its bytes). ``$(cat FILE)`` keeps an editor's UTF-8 mark (another
    passphrase) and a shell drops a UTF-16 file's NULs, so the command follows how the file was read (review 14); a
    file with a mark names the key it gave before the mark was dropped too (see :func:`key_file_as_read_before`)."""
    f = shlex.quote(str(p)) if p.is_file() else "FILE"  # a pipe (/dev/fd/63) is gone once its command ends
    whole = f"{ENV_KEY}=$(od -An -tx1 -v {f} | tr -d ' \\n')"
    if data.startswith(UTF16_MARKS):
        as_text = f'{ENV_KEY}="$(iconv -f UTF-16 -t UTF-8 {f})" (keyed while UTF-16 was read as its bytes: {whole})'
    elif data.startswith(b"\xef\xbb\xbf"):
        as_text = f'{ENV_KEY}="$(tail -c +4 {f})" (keyed while the mark was part of the key: "$(cat {f})")'
    else:
        as_text = f'{ENV_KEY}="$(cat {f})"'
    # the bytes of the key, white space around it dropped as the loader drops it (a UTF-16 file's last line end
    # without its NUL, big-endian): their place in the file
    mark = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    start = mark + len(text[: len(text) - len(text.lstrip())].encode("utf-8"))
    size = len(text.strip().encode("utf-8"))
    if (start, size) == (0, len(data)):
        return as_text, whole
    cut = f"head -c {size} {f}" if start == 0 else f"tail -c +{start + 1} {f} | head -c {size}"
    return as_text, f"{ENV_KEY}=$({cut} | od -An -tx1 -v | tr -d ' \\n')"


def _looks_hex(line: str) -> bool:
    """Whether ``line`` is a hex key as a person writes one (``0x`` before it or not).

    >>> _looks_hex(" 0x" + "ab" * 16), _looks_hex("NZWy9a/r2hh9jV5h4cef1tHT+wzIsp72"), _looks_hex("# old key")
    (True, False, False)
    """
    t = line.strip()
    t = t[2:] if t[:2] in ("0x", "0X") else t
    return len(t) >= 32 and all(c in "0123456789abcdefABCDEF" for c in t)


def _refuse_unclear(p: Path, text: str, same: tuple[str, str]) -> None:
    """Refuse a key file whose text a person wrote as a hex key that it is not: ``0x`` before the hex, a second line
    (a comment, a second key), or UTF-16 without its byte-order mark. Each was read in silence as a passphrase, another
    key than the hex in ``CURATE_PII_KEY`` (the key a bank keeps on record), so the vault did not open under the hex.
    The way on keeps the key such a file gave before (:func:`_same_key_from`)."""
    keep = f"{same[0]} with {ENV_KEY_FILE} unset"
    lines = text.splitlines()
    why = ""
    # a second line beside a hex key (a comment, the old key): a passphrase of several lines that holds no hex key
    # (`openssl rand -base64 64` wraps its output) is not taken for one, and is read as it was
    if len(lines) > 1 and all(line.isprintable() for line in lines) and any(map(_looks_hex, lines)):
        why = f"holds {len(lines)} lines; a key file holds the key alone, on one line"
    elif text[:2] in ("0x", "0X") and len(text) >= 34 and all(c in "0123456789abcdefABCDEF" for c in text[2:]):
        why = "holds hex after `0x`, which is read as a passphrase, not as the hex key; drop the `0x`"
    elif (
        "\0" in text
        and text.replace("\0", "").strip().isprintable()
        and ({*text[1::2]} == {"\0"} or {*text[::2]} == {"\0"})
    ):
        why = "is UTF-16 without its byte-order mark; save it as UTF-8 (or UTF-16 with its mark)"
        keep = f"{same[1]} with {ENV_KEY_FILE} unset"
    if why:
        raise ConfigError(
            f"the PII key file `{p}` ({ENV_KEY_FILE}) {why}; a catalogue keyed under this file as it is goes on "
            f"with {keep}, the same key"
        )


def key_file_as_read_before() -> tuple[Path, PiiKey, str] | None:
    """The key file, the key it gave before and how it was read then (``utf-8 mark``: its UTF-8 byte-order mark part of
    a passphrase; ``utf-16``: its bytes, marks and NULs included), when ``CURATE_PII_KEY_FILE`` is the key set and a
    regular file that :func:`key_file_text` now reads otherwise; else None. A catalogue keyed under such a file (Notepad,
    PowerShell 5.1's ``>``) is keyed under that key: :func:`curate.pii.keyed_ids.refuse_other_key` says so and how
    to go on, instead of calling it another key."""
    path = os.environ.get(ENV_KEY_FILE)
    if os.environ.get(ENV_KEY) or not path:
        return None
    p = Path(path)
    try:
        try:  # the one reader of secret files; a pipe (`<(cat FILE)`) is what the key's loader read of it, never again
            data = read_secret_file(_spec(p))
        except ConfigError:
            return None
        if data.startswith(b"\xef\xbb\xbf"):
            return p, derive_key(_decode(data.decode("utf-8"))), "utf-8 mark"  # the mark kept, a passphrase
        if data.startswith(_UTF16_MARKS) and key_file_text(data) is not None:
            return p, derive_key(data), "utf-16"  # not UTF-8: read as raw bytes
        return None
    except (OSError, UnicodeDecodeError, ConfigError):
        return None


def _from_variable(value: str) -> PiiKey:
    """The key in ``CURATE_PII_KEY``. One that is not UTF-8 text (``$(head -c 32 /dev/urandom)``) ended every command
    in a UnicodeEncodeError traceback; it is refused in one line: a shell drops such bytes' NULs and trailing line
    ends, so the variable never holds the bytes meant."""
    try:
        master = _decode(value)
    except UnicodeEncodeError:
        raise ConfigError(
            f"{ENV_KEY} holds bytes that are not UTF-8 text (random bytes put in a variable? a shell drops their NULs "
            f"and trailing line ends, so it is not the key you meant); give the key as hex (`python -c 'import "
            f"secrets; print(secrets.token_hex(32))'`), or the bytes in a private file named by {ENV_KEY_FILE}"
        ) from None
    return derive_key(master)


def _both(key: PiiKey, path: Path) -> PiiKey:
    """``CURATE_PII_KEY`` when ``CURATE_PII_KEY_FILE`` is set too and holds the same key. The variable won, silently:
    a shell that still exported an old (or the demo's) key keyed, sealed and pseudonymised under it while the steward
    believed the bank's key file was in use."""
    try:
        other = _from_file(path)
    except ConfigError as exc:
        raise ConfigError(
            f"{exc} ({ENV_KEY} is set too: unset the variable that does not hold this catalogue's key)"
        ) from exc
    if other != key:
        raise ConfigError(
            f"{ENV_KEY} and {ENV_KEY_FILE} (`{path}`) are both set and hold different PII keys (key ids {key.key_id} and "
            f"{other.key_id}); unset the one that does not hold this catalogue's key and run the command again"
        )
    return key


def load_key(required: bool = True, purpose: str = "PII pseudonyms and the raw-text vault") -> PiiKey | None:
    """The key from the environment or key file; None if absent and not ``required``.

    Both variables set is one key given twice: it must be the same key (:func:`_both`).

    Raises:
        ConfigError: no key configured (when required), unreadable key file, too short key, or the two variables
            holding different keys.
    """
    value = os.environ.get(ENV_KEY)
    path = os.environ.get(ENV_KEY_FILE)
    if value and path:  # the one that won was not said: a key file that differs left as stale as unnoticed
        return _both(_from_variable(value), Path(path))
    if value:
        return _from_variable(value)
    if path:
        return _from_file(Path(path))
    if required:
        raise ConfigError(
            f"{purpose} needs a secret key: set {ENV_KEY} (random bytes as hex, at least {MIN_KEY_BYTES}: "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`; a passphrase can be guessed offline from "
            f"the key id in the ledger) or {ENV_KEY_FILE} (path to a key file); keys are never stored in the repository "
            "or the catalogue"
        )
    return None
