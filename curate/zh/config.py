"""Options of Simplified -> Taiwan Traditional normalisation."""

from __future__ import annotations

from dataclasses import dataclass

from provenance.errors import ConfigError

#: OpenCC profiles selectable for the conversion of Simplified segments
OPENCC_PROFILES: dict[str, str] = {
    "s2twp": "Taiwan characters and Taiwan phrasing (软件 -> 軟體, 信息 -> 資訊)",
    "s2tw": "Taiwan characters only (character-level, no vocabulary)",
}


@dataclass(frozen=True, slots=True)
class NormaliseConfig:
    """How Simplified segments are converted and what gets flagged.

    >>> NormaliseConfig().opencc_config
    's2twp'
    """

    #: OpenCC profile for Simplified segments (see OPENCC_PROFILES)
    opencc_config: str = "s2twp"
    #: apply the cross-strait terminology layer (schemas/zh/terminology.tsv)
    terminology: bool = True
    #: a terminology entry does not fire where it would split a longer word of jieba's dictionary
    #: (保理 in 确保理财); off: the layer as before 2026-12-05 (for comparison)
    word_boundaries: bool = True
    #: converted sentences with fewer Simplified-only characters than this are flagged:
    #: "short" when they also have fewer than ``min_han_chars`` Han characters, else "weak_signal"
    min_signal_chars: int = 3
    min_han_chars: int = 6
    #: share of Simplified-only characters from which a clause with Traditional characters is converted whole;
    #: below it (and in a clause with nothing Traditional but fewer than ``min_signal_chars`` Simplified-only
    #: characters) only the Simplified-only characters are converted, character by character
    mixed_convert_share: float = 0.8
    #: flag converted sentences that contain one-to-many characters (面/麵, 干/乾/幹 ...)
    flag_ambiguous: bool = True

    def __post_init__(self) -> None:
        if self.opencc_config not in OPENCC_PROFILES:
            raise ConfigError(f"unknown OpenCC config {self.opencc_config!r}; valid: {', '.join(OPENCC_PROFILES)}")
        for name in ("min_signal_chars", "min_han_chars"):  # a negative count flagged nothing, silently (review 9)
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not 0.5 <= self.mixed_convert_share <= 1.0:
            raise ConfigError(f"mixed_convert_share must be in [0.5, 1.0], got {self.mixed_convert_share}")
