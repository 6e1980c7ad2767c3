"""Options of the hygiene and PII stages (``curate run STAGE --set key=value``).

They live apart from the stages, which import datatrove, so that ``curate run --help`` can list every
stage's options without importing the stages (see :data:`curate.stages.CONFIGS`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HygieneConfig:
    """Options of the hygiene stage."""

    #: Unicode normal form (NFC keeps compatibility characters such as full-width digits)
    normal_form: str = "NFC"
    #: drop a single space between two CJK characters (a layout artefact in Chinese text)
    drop_cjk_spaces: bool = True
    #: keep leading indentation of lines (law items are often indented with full-width spaces)
    keep_indentation: bool = False


@dataclass(frozen=True, slots=True)
class PiiConfig:
    """Options of the PII stage."""

    #: "placeholder" (〔姓名〕) or "pseudonym" (consistent keyed surrogates)
    mode: str = "placeholder"
    #: minimum score of a reported span
    score_threshold: float = 0.4
    #: local CKIP NER model directory (optional extra `ckip`, GPL-3.0); empty = rule-based names only
    ckip_model_dir: str = ""
