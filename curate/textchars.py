"""Character classes that hygiene and PII detection share (regex class bodies, one owner).

Hygiene deletes some characters and joins what stood around them; PII detection must read text the same
way, or a value it let through is joined into one by a later hygiene run (``A1\\u200b23456789``). So the
classes hygiene deletes by live here, and :func:`curate.pii.text.compact_view` reads past all of them.
"""

from __future__ import annotations

#: C0/C1 controls except TAB, LF and CR (CR becomes LF)
CONTROL = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
#: zero-width characters, BOM, bidi marks and the soft hyphen: hygiene deletes them
ZERO_WIDTH = "\\u200b-\\u200d\\u2060\\ufeff\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\u00ad"
#: horizontal whitespace besides U+0020: hygiene collapses a run of it (with spaces) to one space
HSPACE = "\\t\\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000"
#: CJK scripts and full-width forms: a space between two of them is a layout artefact that hygiene removes
CJK = (
    "\\u2e80-\\u2fdf\\u3000-\\u303f\\u3040-\\u30ff\\u3100-\\u312f\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff"
    "\\uff00-\\uffef"
)
#: what PII detection reads past: Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties.txt:
#: zero-width characters, joiners, bidi marks, soft hyphen, variation selectors, fillers, tags; a superset of
#: :data:`ZERO_WIDTH`) and :data:`CONTROL`
IGNORABLE = (
    CONTROL + "\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u202a-\\u202e"
    "\\u2060-\\u206f\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufff8"
    "\\U0001bca0-\\U0001bca3\\U0001d173-\\U0001d17a\\U000e0000-\\U000e0fff"
)
