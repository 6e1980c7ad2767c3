"""Which licence catalogue a report or the portal judged by, as they say it: ``shipped`` or ``custom `ours.toml`
(sha256 ...)``, the words NOTICE uses for an export made with ``--catalogue`` (:mod:`provenance._package`).

A figure judged by a corrected catalogue (``curate report --catalogue``, ``curate serve --catalogue``) differs from
one judged by the shipped rules; before review 13's portal review a report said neither, so two reports of one
catalogue with different exportable counts could not be told apart. The label is taken when the file is loaded, from
the bytes the rules were parsed from (:attr:`provenance.licences.LicenceCatalogue.sha256`, one read): a file
replaced later (the portal keeps the rules it started with) does not change it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from provenance.errors import ConfigError
from provenance.licences import LicenceCatalogue, licence_catalogue_path


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ConfigError(
            f"licence catalogue `{path}` cannot be read ({exc.strerror or exc}); name a readable file"
        ) from None


def _label(path: Path, sha: str) -> str:
    if sha == _sha256(licence_catalogue_path()):
        return "shipped"
    return f"custom `{path.name}` (sha256 {sha})"


def catalogue_label(cat: LicenceCatalogue | None) -> str:
    """The label of ``cat``: from the bytes its rules were parsed from (None: the shipped catalogue; one built in
    code, no hash kept: its file as it reads now)."""
    if cat is not None and cat.sha256:
        return _label(Path(cat.path or licence_catalogue_path()), cat.sha256)
    path = Path(cat.path) if cat is not None and cat.path else licence_catalogue_path()
    return _label(path, _sha256(path))


def load_labelled(path: Path | None) -> tuple[LicenceCatalogue, str]:
    """``--catalogue``'s licence catalogue (:func:`provenance.export.load_licence_catalogue_for`) and its label, from
    the same bytes: the file is read once, its rules parsed from and its hash taken of what was read (hashing it again
    after the load refused a catalogue given through a pipe, ``--catalogue <(...)``, which reads empty the second
    time, as changed while it was read)."""
    from provenance.export import load_licence_catalogue_for

    cat = load_licence_catalogue_for(path)  # a missing or bad file: its own one-line error
    return cat, catalogue_label(cat)
