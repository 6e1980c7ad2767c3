"""Options of the hygiene and PII stages (``curate run STAGE --set key=value``).

They live apart from the stages, which import datatrove, so that ``curate run --help`` can list every
stage's options without importing the stages (see :data:`curate.stages.CONFIGS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class HygieneConfig:
    """Options of the hygiene stage."""

    #: Unicode normal form: NFC, NFKC, NFD or NFKD (NFC keeps compatibility characters such as full-width digits)
    normal_form: str = "NFC"
    #: drop a single space between two CJK characters (a layout artefact in Chinese text)
    drop_cjk_spaces: bool = True
    #: keep leading indentation of lines (law items are often indented with full-width spaces)
    keep_indentation: bool = False

    #: the values of ``normal_form`` (``unicodedata.normalize`` takes no other)
    NORMAL_FORMS: ClassVar[tuple[str, ...]] = ("NFC", "NFKC", "NFD", "NFKD")

    def __post_init__(self) -> None:
        if self.normal_form not in self.NORMAL_FORMS:
            from provenance.errors import ConfigError

            raise ConfigError(
                f"hygiene: unknown normal_form {self.normal_form!r}; valid: {', '.join(self.NORMAL_FORMS)}"
            )


@dataclass(frozen=True, slots=True)
class PiiConfig:
    """Options of the PII stage."""

    #: "placeholder" (〔姓名〕) or "pseudonym" (consistent keyed surrogates)
    mode: str = "placeholder"
    #: minimum score of a reported span
    score_threshold: float = 0.4
    #: local CKIP NER model directory (optional extra `ckip`, GPL-3.0); empty = rule-based names only
    ckip_model_dir: str = ""
    #: a labelled name found in at least this share of its source's records (and at least ``names_common_min``
    #: of them) is not scrubbed across the source: a string that common is vocabulary, not a person (the name
    #: is still scrubbed where it was labelled and elsewhere in that record); 1.0 turns the check off
    names_common_share: float = 0.005
    #: ... and in at least this many records: a person named in fewer is scrubbed across the source whatever their
    #: share (a missed name is a leak, an extra placeholder is not), so a source under 200,000 records holds a name
    #: back only from this many on
    names_common_min: int = 1000

    #: options of the source-wide name scrub, which runs over a source's records whatever their stage marks;
    #: a mark records the per-record detection, so these are left out of the marks' hash (see ``config_hash``)
    UNMARKED: ClassVar[tuple[str, ...]] = ("names_common_share", "names_common_min")

    def __post_init__(self) -> None:
        """Checked here, not by the stage: ``--set mode=bogus`` was an error (exit 1) where every other bad ``--set``
        value is a usage error (exit 2, :func:`curate.runner.parse_sets`)."""
        from curate.pii.engine import check_score_threshold
        from curate.pii.scrubber import MODES
        from provenance.errors import ConfigError

        check_score_threshold(self.score_threshold)
        if self.mode not in MODES:
            raise ConfigError(f"pii: unknown mode `{self.mode}`; valid: {', '.join(MODES)}")
        if not 0.0 < self.names_common_share <= 1.0:
            raise ConfigError(
                f"pii: names_common_share {self.names_common_share} is not a share of records: give one in"
                " (0, 1], e.g. 0.005 (the default) or 1.0 to scrub every labelled name across its source"
            )
        if self.names_common_min < 1:
            raise ConfigError(
                f"pii: names_common_min {self.names_common_min} is not a number of records: give one of 1 or"
                " more (default 1000)"
            )
