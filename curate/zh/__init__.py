"""Chinese script handling: detection, Simplified -> Taiwan Traditional conversion, folding.

>>> from curate.zh import normalise
>>> normalise("他准时到达银行，但窗口已经关闭。").text
'他準時到達銀行，但窗口已經關閉。'
"""

from curate.zh.batch import normalise_many
from curate.zh.config import OPENCC_PROFILES, NormaliseConfig
from curate.zh.fold import fold
from curate.zh.normalise import Edit, Flag, Result, normalise

__all__ = ["OPENCC_PROFILES", "Edit", "Flag", "NormaliseConfig", "Result", "fold", "normalise", "normalise_many"]
