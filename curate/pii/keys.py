"""The PII key: from ``CURATE_PII_KEY`` or a file named by ``CURATE_PII_KEY_FILE``; never the repo or DB.

One master key; separate sub-keys are derived for HMAC digests/pseudonyms and for the raw-text
vault, so a digest never reveals anything about the encryption key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import ConfigError

ENV_KEY = "CURATE_PII_KEY"
ENV_KEY_FILE = "CURATE_PII_KEY_FILE"
MIN_KEY_BYTES = 16


@dataclass(frozen=True)
class PiiKey:
    """Derived sub-keys (never printed)."""

    hmac_key: bytes
    vault_key: bytes
    key_id: str

    def __repr__(self) -> str:  # never show key material
        return f"PiiKey(key_id={self.key_id!r})"

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
    )


def _decode(raw: str) -> bytes:
    raw = raw.strip()
    if len(raw) >= 32 and len(raw) % 2 == 0 and all(c in "0123456789abcdefABCDEF" for c in raw):
        return bytes.fromhex(raw)
    return raw.encode("utf-8")


def load_key(required: bool = True, purpose: str = "PII pseudonyms and the raw-text vault") -> PiiKey | None:
    """The key from the environment or key file; None if absent and not ``required``.

    Raises:
        ConfigError: no key configured (when required), unreadable key file, or too short key.
    """
    value = os.environ.get(ENV_KEY)
    path = os.environ.get(ENV_KEY_FILE)
    if value:
        return derive_key(_decode(value))
    if path:
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read the PII key file `{p}` ({ENV_KEY_FILE}): {exc.strerror}") from exc
        try:
            return derive_key(_decode(data.decode("utf-8")))
        except UnicodeDecodeError:
            return derive_key(data)
    if required:
        raise ConfigError(
            f"{purpose} needs a secret key: set {ENV_KEY} (hex or a passphrase of >= {MIN_KEY_BYTES} "
            f"bytes) or {ENV_KEY_FILE} (path to a key file); keys are never stored in the repository "
            "or the catalogue"
        )
    return None
