"""Whether a date right before the verb of being born (…日出生, …日生) is someone's date of birth.

Such a date with no label before it is a date of birth (民國55年8月17日出生, 1975年3月28日生), but a rule, a
statute or a subsidy notice names the people born from, up to or on a date the same way, and that date is no one's
birthday; scrubbing it takes the cut-off out of the regulation text. A date is read as a rule's cut-off when

* it opens a rule (自2025年1月1日出生之新生兒: 自 right before it, or 出生者 after it);
* its clause opens with 凡 (凡民國89年1月1日…, 凡中華民國國民於1990年1月1日出生並設籍者), also after an item's
  number or an article's heading (一、凡…, 2.凡…, 第三條　凡…); a 凡 right before the date and no opening is a
  person's name (王凡於1970年5月6日出生, 李亦凡於…);
* it ends a range (於113年1月1日至113年12月31日出生);
* the born are a collective (…出生之國民, …出生之民眾), not a person (…出生之子女陳小美 may be one).

A date after a label (出生日期：…, 生於…) is not judged here: the recognizer takes it as a date of birth.
"""

from __future__ import annotations

import re

#: a date followed by the verb of being born (民國55年8月17日出生, 1975年3月28日生，); not 生效, not 出生者
BORN_AFTER = re.compile(r"[ ]?(?:出生(?!者)|生(?=[\s,.;:)，。；：、）]|$))")
#: 自 right before the date (自2025年1月1日出生之新生兒, 自於…)
CUTOFF_BEFORE = re.compile(r"自(?:於|于)?[ ]?$")
#: the date ends a range (…至113年12月31日, …到2025/12/31, …～民國90年…)
RANGE_END_BEFORE = re.compile(r"(?:至|到|迄|~|～)[ ]?(?:中華民國|中华民国|民國|民国)?[ ]?$")
#: the start of the date's clause: the text after the last punctuation before it
_CLAUSE_BREAK = re.compile(r"[，。；：！？,;:!?\n「」（）()]")
#: an item's number or an article's heading before a rule's 凡 (一、凡…, 2.凡…, 第三條　凡…, 壹、凡…)
_ITEM = (
    r"(?:第[一二三四五六七八九十百千零〇\d]+條(?:之[一二三四五六七八九十\d]+)?"
    r"|[一二三四五六七八九十百壹貳參肆伍陸柒捌玖拾甲乙丙丁戊己庚辛壬癸]+[、.．]|\d{1,3}[、.．)）])"
)
#: a clause that opens a rule: all those who … (凡, 凡是), also after an item's number (一、凡民國89年1月1日…)
_RULE_OPENING = re.compile(rf"\s*(?:{_ITEM}\s*)?凡")
#: the born are a collective, not one person (出生之國民, 出生之民眾); a noun that may name one child or one person
#: (新生兒, 子女, 孩子, 役男: 其於民國100年5月6日出生之子女陳小美) is no such sign: the date stays a date of birth
CLASS_AFTER = re.compile(r"[ ]?出生(?:之|的)(?:國民|国民|民眾|民众|人民|人士|人口)")
#: how far back the clause of the date is read for its opening 凡
_CLAUSE_REACH = 40


def born_after(text: str, start: int, end: int) -> bool:
    """Whether the date at ``text[start:end]`` is followed by the verb of being born and names one person's birth."""
    if not BORN_AFTER.match(text, end):
        return False
    before = text[max(0, start - _CLAUSE_REACH) : start]
    if CUTOFF_BEFORE.search(before) or RANGE_END_BEFORE.search(before) or CLASS_AFTER.match(text, end):
        return False
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end() :] if breaks else (before if start <= _CLAUSE_REACH else "")
    return not _RULE_OPENING.match(clause)
