"""Inputs an ingest never reads: the PII key file (``CURATE_PII_KEY_FILE``), or a copy of the key.

A key file kept in a data folder (``corpus/pii.key.txt`` beside the documents, ``ingest moda corpus``) was read as a
document: the key that makes every pseudonym, keyed id and vault seal became a record's text, in the catalogue in
the clear (any source not marked ``pii_expected``) and in every export of it (review 12). Refused before anything is
read or written, as ``zh``, ``pii`` and ``dedup`` refuse it as their output:

* an input file that is the key file, by name or by a symbolic or hard link, or holds a copy of the key (the key
  file's or ``CURATE_PII_KEY``'s value, surrounding white space aside);
* an input folder holding such a file at any depth (a hard link or a copy of the key in a folder was read);
* a file a TABF or textbooks manifest row names (the manifest is the input; the files are its rows').

A copy of the key inside a file (a ZIP member, a PDF page, a DOCX paragraph, a JSONL line or CSV cell) is found in
what the file gives instead (review 13): :class:`KeyCanary` quarantines a record whose text, title or metadata
holds the key (`holds the PII key`, no excerpt), and blanks the key out of quarantine excerpts and locators.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from curate.pii.keys import ENV_KEY, ENV_KEY_FILE, MIN_KEY_BYTES, key_file_bytes, key_file_text
from provenance.errors import ConfigError, UsageError
from sources import capped
from sources.base import Record, Rejection, Source

__all__ = ["REASON_HOLDS_KEY", "KeyCanary", "refuse_key_file_input", "screen"]

#: the quarantine reason of a record that holds the PII key
REASON_HOLDS_KEY = "holds the PII key (CURATE_PII_KEY_FILE or CURATE_PII_KEY)"

#: a key file longer than this is not compared by content (a key is tens of bytes)
_MAX_KEY_BYTES = 4096


class _Key:
    """The key file's identity (device, inode) and the key values a copy would hold (never shown)."""

    def __init__(self) -> None:
        self.stat: os.stat_result | None = None
        values = {os.environ.get(ENV_KEY, "").encode("utf-8", "surrogateescape")}
        if named := os.environ.get(ENV_KEY_FILE):
            try:  # a key file that cannot be read is left to the key's loader (it names why)
                self.stat = os.stat(named)
                if not stat.S_ISREG(self.stat.st_mode):  # a pipe is read once, kept for the key's loader
                    values.add(key_file_bytes(Path(named)))
                elif self.stat.st_size <= _MAX_KEY_BYTES:
                    values.add(Path(named).read_bytes())
            except (OSError, ValueError, ConfigError):
                pass
        values = {_bare(v) for v in values}
        values |= {t for v in values for t in _spelt(v)}
        self.values = {v for v in values if len(v) >= MIN_KEY_BYTES}
        # a UTF-16 copy (PowerShell's `>`) is twice the text's length, with its mark and line end
        self.sizes = range(min(map(len, self.values), default=0), 2 * max(map(len, self.values), default=-1) + 16)

    def __bool__(self) -> bool:
        return self.stat is not None or bool(self.values)

    def why(self, path: Path) -> str | None:
        """How ``path`` is the key: ``the PII key file``, ``a copy of the PII key``, or None."""
        try:
            st = path.stat()
            if self.stat is not None and os.path.samestat(st, self.stat):
                return f"the PII key file ({ENV_KEY_FILE})"
            if st.st_size in self.sizes and _bare(path.read_bytes()) in self.values:
                return f"a copy of the PII key ({ENV_KEY_FILE} or {ENV_KEY})"
        except (OSError, ValueError):
            pass  # the source names what it cannot read
        return None


def _bare(data: bytes) -> bytes:
    """The key a file's bytes hold as the key's loader reads them: its text (UTF-8, or UTF-16 with its mark; a copy
    saved by PowerShell 5.1 was ingested as a record's text, the key in the clear) stripped, else the bytes."""
    text = key_file_text(data)
    return data.strip() if text is None else text.strip().encode("utf-8", "surrogateescape")


def _spelt(value: bytes) -> tuple[bytes, ...]:
    """The text of the UTF-16 key file whose bytes ``value`` spells as hex, else nothing: the way on for a catalogue
    keyed under such a file's bytes (``CURATE_PII_KEY_FILE=<(od -An -tx1 -v FILE | tr -d ' \\n')``) gives the key as
    that hex, and the file's own text (the hex key a copy of the file, or a document, holds) was ingested in the clear.
    A file in UTF-16 without its mark (the way on its refusal names, review 14) gives its text and its bytes as the
    loader read them (what a copy of the file holds)."""
    try:
        data = bytes.fromhex(value.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return ()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = key_file_text(data)
        return (text.strip().encode("utf-8", "surrogateescape"),) if text else ()
    if b"\0" in data and (set(data[::2]) == {0} or set(data[1::2]) == {0}):
        text = data.replace(b"\0", b"").strip()
        if text.isascii() and text.decode("ascii").isprintable():
            return text, data
    return ()


def _files(path: Path) -> Iterator[Path]:
    """``path``, or every file under a folder (a symlink to a file looked through, a linked folder not entered)."""
    if not path.is_dir():
        yield path
        return
    for folder, _dirs, names in os.walk(path):
        yield from (Path(folder, n) for n in names)


def _listed(source: Source, strict: bool = False) -> Iterator[tuple[Path, str]]:
    """(file, how to name it) of the inputs: each input, and the files a manifest source's rows name; ``strict``: a
    manifest its ingest refuses whole raises its ConfigError (else the source names it when it runs)."""
    for p in source.paths:
        yield p, f"the input folder `{p}`" if p.is_dir() else f"the input `{p}`"
    from sources.manifest import ManifestSource

    if isinstance(source, ManifestSource):
        from sources.manifest_rows import ManifestRow, read_manifests

        try:
            rows = [(m, r) for m, r in read_manifests(list(source.paths)) if isinstance(r, ManifestRow)]
        except ConfigError:
            if strict:
                raise
            return  # the source names what is wrong with its manifest
        except (OSError, ValueError):
            return  # the source names what is wrong with its manifest
        for manifest, row in rows:
            yield row.path, f"the file `{row.rel_path}` that manifest `{manifest.name}` names (line {row.line})"


def refuse_key_file_input(source: Source, strict: bool = False) -> None:
    """Raise :class:`UsageError` when an input of ``source`` is, or a folder input holds, the PII key file or a copy
    of the key; a manifest source's rows' files count as its inputs. ``strict`` (a pipeline's checks before its first
    step): a manifest its ingest would refuse whole raises its :class:`ConfigError`, the manifests read once."""
    key = _Key()
    if not key:
        if strict:
            for _ in _listed(source, strict=True):
                pass
        return
    for path, what in _listed(source, strict):
        for f in _files(path):
            if (how := key.why(f)) is None:
                continue
            where = f"{what} is {how}" if f == path else f"{what} holds {how}: `{f}`"
            raise UsageError(
                f"refused: {where}; its key would become a record's text (and leave in exports): keep the key"
                " outside the folders you ingest; nothing was read or written"
            )


class KeyCanary:
    """The key values (as text) a record or a quarantine row must never hold; falsy without a key.

    A hex key (``secrets.token_hex``) is the same key in upper case, and its copy in a PDF or DOCX may be wrapped
    across lines, grouped by spaces or typed in full-width digits: each half of such a key is looked for in any of
    those forms (:data:`_HEX_TEXT`), as is the hex of a key file that holds raw bytes (review 13)."""

    def __init__(self) -> None:
        values = _Key().values
        texts = {v.decode("utf-8", "replace").strip() for v in values}
        self.texts = tuple(sorted(t for t in texts if len(t) >= MIN_KEY_BYTES))
        hexes = {t.lower() for t in self.texts if _HEX_TEXT.fullmatch(t)} | {v.hex() for v in values if _raw(v)}
        #: halves of the hex keys: a line break or a space splits a copy, one half of a key is a secret of its own
        self.halves = tuple(sorted({h[: len(h) // 2] for h in hexes} | {h[len(h) // 2 :] for h in hexes}))
        #: what the set-based path looks for as written (the Python path also sees spaced and full-width copies)
        self.needles = tuple(sorted({*self.texts, *self.halves, *(h.upper() for h in self.halves)}))
        #: the first four digits of each half as written (lower, upper, full width): a cheap test before the pattern
        self._heads = tuple(
            {v for h in self.halves for x in (h[:4], h[:4].upper()) for v in (x, x.translate(_FULL_WIDTH))}
        )
        self._spread = (
            re.compile("|".join(r"\s*".join(_either_width(c) for c in h) for h in self.halves), re.IGNORECASE)
            if self.halves
            else None
        )

    def __bool__(self) -> bool:
        return bool(self.texts or self.halves)

    def holds(self, *parts: object) -> bool:
        """Whether any of ``parts`` (text, title, metadata: read as ``str``) holds a key value."""
        strs = [s for s in map(str, parts) if s]
        if any(k in s for s in strs for k in self.texts):
            return True
        return self._spread is not None and any(self._spread.search(s) for s in strs if self._headed(s))

    def _headed(self, text: str) -> bool:
        return any(h in text for h in self._heads)

    def blank(self, text: str | None) -> str | None:
        """``text`` with every key value replaced by ``〔PII key〕``."""
        for k in self.texts:
            text = text.replace(k, "〔PII key〕") if text else text
        if text and self._spread is not None and self._headed(text):
            text = self._spread.sub("〔PII key〕", text)
        return text

    def rejection(self, rec: Record) -> Rejection | None:
        """The quarantine row of a record that holds the key (nothing of its text kept), else None."""
        if not self.holds(rec.text, rec.title, rec.metadata_json or rec.metadata):
            return None
        return Rejection(locator=self.blank(rec.locator) or "", reason=REASON_HOLDS_KEY, source_id=rec.source_id)


#: a key written as hex (any case): :func:`curate.pii.keys.load_key` reads it as the same bytes either way
_HEX_TEXT = re.compile(r"(?:[0-9a-fA-F]{2}){16,}")


def _raw(value: bytes) -> bool:
    """Whether a key value is raw bytes (not UTF-8 text): its hex is how a copy of it would be written."""
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


#: ASCII letters and digits to their full-width forms
_FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def _either_width(c: str) -> str:
    """A pattern for the hex digit ``c`` as written or in full width (``５``, ``ａ``); case is the caller's flag."""
    return f"[{re.escape(c)}{chr(ord(c) + 0xFEE0)}]"


def screen(rec: Record, max_chars: int, canary: KeyCanary) -> Rejection | None:
    """The quarantine row of a record too large (``CURATE_MAX_RECORD_CHARS``) or holding the PII key, else None."""
    if len(rec.text) > max_chars:
        n = f"{len(rec.text)} characters > {max_chars} (CURATE_MAX_RECORD_CHARS)"
        return Rejection(locator=rec.locator, reason=capped.REASON_TOO_LARGE, excerpt=n, source_id=rec.source_id)
    return canary.rejection(rec) if canary else None
