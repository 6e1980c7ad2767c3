"""Labelled fields: the value after a field label (``受處分人：林示範``) is personal data.

The labels live in ``schemas/pii/labels.tsv`` (reviewable data, with their origin); besides them, a label ending in
a name head (:data:`NAME_HEADS`: 員工姓名, 帳戶戶名; 名字 after a person's role: 外籍看護名字, not 商品名字) and an
English one naming a person's name (:func:`is_name_label`: Account holder, Card holder name, Customer name; not
Issuer name, Rights holder) name a person's name. A value follows
a label and a separator -- an ASCII or full-width colon, a newline, a tab or a table-cell break, with
optional spaces -- and runs to a delimiter (:func:`_value_end`): Latin-script names (``Mary Wang``) and
names with a middle dot (``瓦歷斯·諾幹``) are whole, an honorific after the name and the ``即…商行`` of a
sole proprietorship are left out, and a cut never leaves part of a name visible. Whatever the value looks like (``王示範`` has an implausible given name
for the rule-based name recognizer), it is reported, with a high score and the recognizer name
``LabelledField``: such names also propagate across a source's records (see
:mod:`curate.pii.propagate`).
"""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass
from functools import lru_cache

from curate.pii.field_words import LATIN_FIELD_WORDS, is_field_name, is_reply, next_label_words
from curate.pii.latin_replies import opens_turn
from provenance.errors import ConfigError

#: recognizer name of labelled-field spans (the stage propagates these across a source)
LABELLED = "LabelledField"
#: recognizer name of a label directly followed by a name in running text whose given name does not read as a
#: name (理財專員李示範挪用): scrubbed where found, not propagated across the source (see :func:`labelled_spans`)
RUNNING = "LabelledRunning"
#: score of a labelled value (above every rule-based name score)
LABEL_SCORE = 0.9
#: values that fill a field but name nobody
NON_VALUES = frozenset(
    {"不詳", "不详", "同上", "如上", "如下", "本人", "本行", "本公司", "無", "无", "略", "未填", "空白"}
)
#: a value that opens with a personal pronoun is what the person said, not their name: a role label opens a
#: transcript's turn (``客戶：我叫王小明``, ``客戶：您好``); none of these is a surname, and the name recognizer still
#: reads a name inside the turn (我叫 and 我是 introduce one)
SPEECH_OPENERS = ("我", "你", "您", "妳", "咱")


@dataclass(frozen=True, slots=True)
class Label:
    label: str
    entity_type: str
    origin: str


def _read() -> str:
    return importlib.resources.files("schemas").joinpath("pii", "labels.tsv").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def labels() -> tuple[Label, ...]:
    """The shipped labels (Traditional as written, Simplified forms derived with OpenCC ``t2s``)."""
    import opencc

    conv = opencc.OpenCC("t2s")
    out: dict[str, Label] = {}
    for n, line in enumerate(_read().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 3 or not all(c.strip() for c in cols):
            raise ConfigError(f"schemas/pii/labels.tsv line {n}: expected 3 tab-separated columns, got {line!r}")
        label, etype, origin = (c.strip() for c in cols)
        if label in out:
            raise ConfigError(f"schemas/pii/labels.tsv line {n}: label {label!r} listed twice")
        out[label] = Label(label, etype, origin)
        simp = conv.convert(label)
        out.setdefault(simp, Label(simp, etype, origin))
    return tuple(out.values())


@lru_cache(maxsize=1)
def _by_label() -> dict[str, str]:
    """``{label: entity type}`` (built once: per text it was a tenth of the PII stage's detection time)."""
    return {lb.label: lb.entity_type for lb in labels()}


def _label_alternation() -> str:
    """Every label as one regex alternation, longest first (a label that extends another wins)."""
    return "|".join(re.escape(lb.label) for lb in sorted(labels(), key=lambda x: len(x.label), reverse=True))


#: words that end a label naming a person's name whatever stands before them (員工姓名, 帳戶戶名): the labels of
#: :func:`labels` stand alone (客戶 in 大客戶 is none), these also after other Han characters
NAME_HEADS = ("姓名", "戶名", "户名")
#: a head that also ends the names of things (商品名字, 專案名字, 卡片名字): a person's name alone, after a person's
#: role (客戶名字, 外籍看護名字: :func:`_person_before_mingzi`) or after 中文/英文 alone
MINGZI = "名字"
#: person roles before 名字 besides the labels of :func:`labels` (客戶, 保證人, 受益人 ...)
ROLES_BEFORE_MINGZI = (
    "員工 员工 職員 职员 行員 行员 看護 看护 移工 配偶 家屬 家属 父親 父亲 母親 母亲 子女 病患 患者 病人 學生 学生 "
    "會員 会员 顧客 顾客 存戶 存户 戶主 户主 本人 監護人 监护人 繼承人 继承人 代理人 您的 你的 我的"
).split()
#: English words before ``name`` that make it a person's (Customer name, Full name, surname); nothing before it
#: (``Name:``) too. An allow-list: ``name`` also ends the names of things (Issuer name, Display name, report_name)
PERSON_NAME_WORDS = frozenset(
    "full first last given family middle maiden sur person personal your my customer client contact applicant "
    "guarantor signer signatory employee staff beneficiary insured borrower debtor representative spouse patient "
    "member depositor account cust payee payer remitter sender receiver recipient".split()
    + [""]
)
#: words ending a label that name whoever holds or owns what comes before them (Account holder, Cardholder)
HOLDERS = ("holder", "owner")
#: what a person holds or owns when a label names its holder (Account holder, policyholder; not Rights holder,
#: Licence holder, shareholder: companies hold those)
HELD_BY_PERSON = frozenset({"account", "acct", "card", "policy", "passport"})


#: English labels naming a person by the role alone (`Respondent:`, `Complainant:`, `Beneficiary:`): the value after
#: their colon is a name as after `Name:` (an institution's, `Beneficiary: Cathay United Bank`, is none:
#: :data:`LATIN_NOT_NAME`, :mod:`curate.pii.orgs`). Text labels only: a metadata key such as `client` or `sender` often
#: holds no name (`curate/pii/fields.py` reads keys by :func:`is_name_label`)
PERSON_ROLE_LABELS = frozenset(
    "respondent complainant claimant applicant co-applicant beneficiary borrower co-borrower guarantor customer client "
    "payee payer remitter sender receiver recipient addressee insured policyholder depositor defendant plaintiff witness "
    "signatory debtor creditor employee cardholder attn attention contact decedent heir spouse".split()
)
#: words that may stand before such a role in its label (`The Respondent:`, `Joint Applicant:`)
_ROLE_QUALIFIERS = frozenset("the primary secondary joint main first second additional".split())


#: words before ``person`` in a label naming the person who is it (Contact person)
_PERSON_OF = frozenset({"contact", "responsible", "authorised", "authorized"})


def is_role_label(words: str) -> bool:
    """Whether an English text label names a person by the role alone (:data:`PERSON_ROLE_LABELS`).

    >>> [is_role_label(w) for w in ("Respondent", "The Respondent", "Joint Applicant", "Loan Applicant", "Fund")]
    [True, True, True, False, False]
    """
    parts = words.lower().replace("_", " ").split()
    if len(parts) == 2 and parts[1] == "person":  # Contact person, Responsible person (review 13)
        return parts[0] in _PERSON_OF
    return bool(parts) and parts[-1] in PERSON_ROLE_LABELS and all(p in _ROLE_QUALIFIERS for p in parts[:-1])


def _held_by_person(word: str, before: str) -> bool:
    """Whether ``word`` (ending in a :data:`HOLDERS` word) names a person: what is held, the rest of the word
    (cardholder) or the word ``before`` it (Account holder), is a person's (:data:`HELD_BY_PERSON`)."""
    held = next(word[: -len(h)] for h in HOLDERS if word.endswith(h))
    return (held or before) in HELD_BY_PERSON


def is_name_label(words: str) -> bool:
    """Whether an English label or metadata key names a person's name: its last word is ``name`` after a person's
    word (:data:`PERSON_NAME_WORDS`: Name, Full name, Customer Name, surname) or after a holder of a person's
    (holder_name, Account Holder Name), or it ends in a holder of a person's (Account holder, Cardholder:
    :func:`_held_by_person`). Any other ``*name`` (Issuer name, display_name) or ``*holder`` (Rights holder) is not.

    >>> [is_name_label(w) for w in ("Account holder", "holder_name", "Customer Name", "Company name", "law_name")]
    [True, True, True, False, False]
    >>> [is_name_label(w) for w in ("issuer_name", "Rights holder", "surname", "Account Holder Name")]
    [False, False, True, True]
    """
    parts = [p for p in re.split(r"[^a-z]+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", words).lower()) if p]
    if not parts:
        return False
    if parts[0] == "name" and len(parts) > 1:  # Name of beneficiary, Name in English (review 13)
        return _name_of_person(parts[1:])
    last, before = parts[-1], parts[-2] if len(parts) > 1 else ""
    if last.endswith(HOLDERS):
        return _held_by_person(last, before)
    if not last.endswith("name"):
        return False
    role = last[: -len("name")]
    if not role:  # `Customer name`, not `surname`
        role, before = before, parts[-3] if len(parts) > 2 else ""
    if role.endswith(HOLDERS):  # holder_name (a holder alone), Account Holder Name, cardholder_name
        return (role in HOLDERS and not before) or _held_by_person(role, before)
    return role in PERSON_NAME_WORDS


#: what ``Name in ...`` is written in: a person's name in another script (Name in English, Name in Chinese)
_NAME_SCRIPTS = frozenset("english chinese latin pinyin passport full".split())


def _name_of_person(rest: list[str]) -> bool:
    """Whether ``name`` followed by ``rest`` names a person's name: ``of`` a person's word or role (Name of
    beneficiary, Name of the account holder; not Name of bank) or ``in`` a script (Name in English).

    >>> [_name_of_person(w.split()) for w in ("of beneficiary", "of the account holder", "in english", "of bank")]
    [True, True, True, False]
    """
    head, words = rest[0], [w for w in rest[1:] if w not in _ROLE_QUALIFIERS]
    if head == "in":
        return len(words) == 1 and words[0] in _NAME_SCRIPTS
    if head != "of" or not words:
        return False
    last = words[-1]
    if last.endswith(HOLDERS):
        return _held_by_person(last, words[-2] if len(words) > 1 else "")
    return len(words) == 1 and (last in PERSON_ROLE_LABELS or last in PERSON_NAME_WORDS)


@lru_cache(maxsize=1)
def _roles_before_mingzi() -> tuple[str, ...]:
    return tuple(lb.label for lb in labels() if lb.entity_type == "PERSON") + tuple(ROLES_BEFORE_MINGZI)


def _person_before_mingzi(prefix: str) -> bool:
    """Whether 名字 after ``prefix`` (the Han characters before it) names a person: alone, after 中文/英文 alone,
    or after a person's role (客戶名字, 外籍看護名字); not a thing's (商品名字, 專案名字, 卡片名字).

    >>> [_person_before_mingzi(p) for p in ("", "英文", "客戶", "外籍看護", "商品", "專案", "基金英文")]
    [True, True, True, True, False, False, False]
    """
    return prefix in ("", "中文", "英文") or prefix.endswith(_roles_before_mingzi())


@lru_cache(maxsize=1)
def _label_screen() -> re.Pattern[str]:
    """Any label at all: one scan that lets :func:`labelled_spans` skip the texts without one (most of them)."""
    roles = "|".join(sorted(PERSON_ROLE_LABELS, key=len, reverse=True))
    return re.compile(_label_alternation() + "|" + "|".join((*NAME_HEADS, MINGZI)) + f"|(?i:name|holder|owner|{roles})")


_HAN = r"[\u4e00-\u9fff\u3400-\u4dbf]"


@lru_cache(maxsize=1)
def _regex() -> re.Pattern[str]:
    alts = _label_alternation()
    heads = "|".join((*NAME_HEADS, MINGZI))
    # a) label, spaces, a colon (ASCII / full-width), spaces, then the value (:func:`_value_end`); a name head
    #    (:data:`NAME_HEADS`, :data:`MINGZI`) also after other Han characters, an English label at a word start
    #    (:func:`_label_type` tells which of the last two name a person);
    # b) a form/table layout: the label alone in its line or cell, the value alone in the next one (a cell start
    #    also after a space that follows digits or Latin letters: hygiene makes the tab there one space)
    return re.compile(
        rf"(?:(?<!{_HAN})(?P<label>{alts})|(?P<head>{heads})|(?<![A-Za-z])(?P<en>(?:[A-Za-z]+[ _-]){{0,3}}[A-Za-z]+))"
        rf"[ \u3000]*[:：][ \u3000]*(?=[{_L}]|{_HAN})"
        rf"|(?:^|(?<=[\n\t|])|(?<=[0-9{_L}.)] ))(?P<label2>{alts}|{_HAN}{{0,8}}(?:{heads}))[ \u3000]*[\n\t|][ \u3000\t\n|]*"
        rf"(?=[{_L}]|{_HAN})",
        re.MULTILINE,
    )


def _label_type(m: re.Match[str]) -> str | None:
    """The entity type a label match of :func:`_regex` names (None: an English label or a 名字 that names no person:
    :func:`is_name_label`, :func:`_person_before_mingzi`)."""
    if m.group("en") is not None:
        return "PERSON" if is_name_label(m.group("en")) or is_role_label(m.group("en")) else None
    if m.group("head") is not None:
        if m.group("head") != MINGZI:
            return "PERSON"
        before = re.search(rf"{_HAN}{{0,8}}$", m.string[: m.start("head")]).group()
        return "PERSON" if _person_before_mingzi(before) else None
    label = m.group("label") or m.group("label2")
    if label not in _by_label() and label.endswith(MINGZI) and not _person_before_mingzi(label[: -len(MINGZI)]):
        return None
    return _by_label().get(label, "PERSON")


#: middle dots between the parts of a transliterated name (瓦歷斯·諾幹): inside the value
NAME_DOTS = "·・‧•"
#: a Han value of up to this many characters, ending at a delimiter, is taken whole (阮氏明月花 when it starts with
#: a surname; four or fewer always, as a form's field holds them)
MAX_WHOLE_HAN = 5
#: a Latin-script value: words of letters (O'Neil, Jean-Luc) joined by single spaces or middle dots, or a passport's
#: ``SURNAME, GIVEN-NAME``
#: letters of Latin-script names: ASCII and the Latin-1 and Latin Extended-A/B letters (José Álvarez, Nguyễn is Han-free)
_L = "A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ"
_LATIN = re.compile(rf"[{_L}][{_L}'’-]*(?:(?: |[{NAME_DOTS}] ?|, ?(?=[A-Z]{{2}})|(?<=\b[A-Z])\. ?)[{_L}][{_L}'’-]*)*")
#: one word of a Latin-script name
_WORD = re.compile(rf"[{_L}][{_L}'’-]*")
#: a courtesy title before a Latin name (left in the value: it names the same person)
_TITLE = re.compile(r"(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.? ?(?=[A-Z])")
#: words that make a Latin value an organisation, a role or a placeholder rather than a person's name
#: (compared in lower case): `Bank of Taiwan`, `Citibank Taiwan Ltd`, `Chief Executive Officer`, `Not Applicable`;
#: firms' words (`Goldman Sachs Asia`, `Lehman Brothers`, `Standard Chartered`, `American Express`: review of the fixes 9)
LATIN_NOT_NAME = (
    frozenset(
        "inc ltd llc plc co corp corporation company limited bank group holdings trust fund securities insurance "
        "board directors director officer executive chief manager management department dept center centre service "
        "services customer office branch team committee staff unit division agent "
        "capital partners brothers chartered express international global asia pacific financial finance investment "
        "investments asset assets markets exchange advisors advisory industries technology technologies airlines "
        "not applicable none null nil tbd tba unknown same above below various see attached list n/a".split()
    )
    | LATIN_FIELD_WORDS
)


def _latin_end(text: str, start: int) -> int | None:
    """End of a Latin-script name at ``start`` (None: none there). Every word is capitalised (names are; prose,
    `The Board of Directors shall convene`, is not) and none is an organisation's, a role's or a placeholder's
    (:data:`LATIN_NOT_NAME`); one word alone must be a capitalised name (``Mary``, not ``CEO`` or ``TBD``) and end
    at a delimiter (not ``ATM`` in ``ATM提款``). ``NA``/``Na`` alone is a placeholder; by a surname, 娜 (``LI NA``)."""
    from curate.pii.text import is_han

    t = _TITLE.match(text, start)
    m = _LATIN.match(text, t.end() if t else start)
    if m is None:
        return None
    found = list(_WORD.finditer(text, m.start(), m.end()))  # the words, with their positions
    end = m.end()
    if cut := next_label_words(text, [w.group() for w in found], end):  # `Mary Wang Phone:`, `... ARC No.:`
        found = found[:-cut]
        end = found[-1].end()
    words = [w.group() for w in found] if {w.group().lower() for w in found} != {"na"} else []  # Na alone: n/a
    if not words or any(not w[0].isupper() or w.lower().strip("'’-") in LATIN_NOT_NAME for w in words):
        return None
    if opens_turn(text, found):  # Customer: Sure, thanks. (a transcript's turn, review 15)
        return None
    initials = [w for w in found if len(w.group().strip("'’-")) < 2]
    if len(initials) == len(found) or any(not text.startswith(".", w.end()) for w in initials):
        return None  # `N A`; an initial is a letter and a dot (`J. Smith`), beside a word of a name
    nxt = text[end] if end < len(text) else ""
    if len(words) == 1 and (words[0].isupper() or nxt.isalnum() or (nxt and is_han(nxt))):
        return None
    return end


def _value_end(text: str, start: int) -> int | None:
    """End of the labelled value starting at ``start`` (None: no value there).

    A Latin-script value: :func:`_latin_end`. A Han value is the run of Han characters (with middle dots between
    them) up to a delimiter, without a next field's label that ends it (``林大同 性別：男``). It is a name:

    * whole when it has at most four characters (a form's field), or five starting with a surname (阮氏明月花), or
      a middle dot (瓦歷斯·諾幹);
    * cut before ``即`` (``林示範即示範商行``: a sole proprietorship named after its owner) or before an honorific
      (``林大同先生``) when it starts with a surname and the cut leaves two to four characters;
    * otherwise it is prose after a label (``持卡人：指以使用電子票證``, ``負責人：由董事長擔任之``): none, as a
      cut at a guessed word boundary would scrub the prose's first characters. The name recognizer still reads a
      name inside it.

    >>> t = "負責人：林大同先生，受處分人：阮氏明月花；姓名：Mary Wang 性別：男"
    >>> [t[s:_value_end(t, s)] for s in (4, 15, 24)]
    ['林大同', '阮氏明月花', 'Mary Wang']
    >>> [_value_end(t, 4) for t in ("持卡人：指以使用電子票證", "負責人：由董事長擔任之。", "負責人：CEO", "聯絡人：聯絡人〔姓名〕")]
    [None, None, None, None]
    """
    from curate.pii.names import HONORIFICS, _tables
    from curate.pii.orgs import is_organisation
    from curate.pii.text import is_han

    if re.match(f"[{_L}]", text[start]):
        return _latin_end(text, start)
    n, i = len(text), start
    while i < n and (is_han(text[i]) or (text[i] in NAME_DOTS and i > start and i + 1 < n and is_han(text[i + 1]))):
        i += 1
    run = text[start:i]
    if text.startswith((":", "："), i) and len(run) > 3:  # the run ends with the next field's label (性別：男)
        run = run[: -next((len(lb) for lb in _by_label() if run.endswith(lb) and len(run) - len(lb) >= 2), 2)]
    # a label where the value should be names nobody: a scrubbed value read after its key repeats the key's label
    # (contact `聯絡人〔姓名〕` read as `聯絡人：聯絡人〔姓名〕`); a name after that label is read by the running rule
    if len(run) < 2 or run.startswith(tuple(NON_VALUES)) or run.startswith(SPEECH_OPENERS) or run in _by_label():
        return None
    if is_field_name(run) or is_reply(run):  # a header cell (戶名\t存款帳號), a chat turn (客戶：沒有): field_words
        return None
    sur = next((len(c) for c in _tables()[1] if run.startswith(c)), 1 if run[0] in _tables()[0] else 0)
    if any(d in run for d in NAME_DOTS):
        return start + len(run)
    if sur:
        stops = tuple(h for h in HONORIFICS if len(h) > 1)  # (君 ends given names: 怡君)
        for p in range(2, min(5, len(run))):
            if run[p] == "即" or run.startswith(stops, p):
                return start + p
    # 受處分人：玉山銀行 names the bank (curate/pii/orgs.py); after the cuts, which end a person's name first:
    # 林大同先生任職玉山銀行 is 林大同, not an institution (nor 〔姓名〕同先生 by the name rule)
    if is_organisation(text, start, run):
        return None
    if len(run) <= 4 or (len(run) <= MAX_WHOLE_HAN and sur):
        return start + len(run)
    return None


#: labels whose value is a holder's name or the account's own (帳戶名稱：王小明, 帳戶名稱：備償專戶, 薪轉戶): a Han
#: value there is a name only when it starts with a surname
ACCOUNT_NAMES = frozenset({"帳戶名稱", "账户名称"})


def _surname_at(text: str, start: int) -> bool:
    from curate.pii.names import _tables
    from curate.pii.text import is_han

    singles, compounds = _tables()[:2]
    return not is_han(text[start]) or text[start] in singles or any(text.startswith(c, start) for c in compounds)


def labelled_values(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, entity_type)`` of every labelled value in ``text`` (see :func:`labelled_spans`).

    >>> t = "受處分人：林示範\\n地址：新北市"
    >>> [(t[s:e], k) for s, e, k in labelled_values(t)]
    [('林示範', 'PERSON')]
    >>> labelled_values("代表人或管理人姓名\\n王示範")
    [(10, 13, 'PERSON')]
    """
    return sorted({(s, e, t) for s, e, t, _ in labelled_spans(text)})


def labelled_spans(text: str) -> list[tuple[int, int, str, str]]:
    """``(start, end, entity_type, recognizer)`` of every labelled value in ``text``.

    The recognizer is :data:`LABELLED` (the name propagates across the source) for a value after a
    separator, and for a name in running text whose given name reads as a name
    (:func:`curate.pii.names.plausible_given_name` after a role word); otherwise :data:`RUNNING`: in
    random-looking text a label can be followed by any three characters (客戶錢貨；), and such a string must
    not be scrubbed in every record of the source.

    >>> [(k, r) for _, _, k, r in labelled_spans("理財專員李示範挪用")]
    [('PERSON', 'LabelledRunning')]
    >>> [(k, r) for _, _, k, r in labelled_spans("客戶林志明挪用")]
    [('PERSON', 'LabelledField')]
    """
    if not _label_screen().search(text):  # both patterns below start with a label: most texts have none
        return []
    from curate.pii.names import HONORIFICS, _tables, plausible_given_name

    compounds = _tables()[1]
    by_label = _by_label()
    out = []
    for s, e, t in _running_values(text, by_label):
        sur = next((len(c) for c in compounds if text.startswith(c, s)), 1)
        out.append((s, e, t, LABELLED if plausible_given_name(text[s + sur : e], "role") else RUNNING))
    for s, e, clear in _dotted_values(text):
        out.append((s, e, "PERSON", LABELLED if clear else RUNNING))
    honorifics = tuple(HONORIFICS)
    for m in _regex().finditer(text):
        etype = _label_type(m)
        start = m.end()
        end = _value_end(text, start) if etype else None
        if (
            end is not None
            and (m.group("label") or m.group("label2")) in ACCOUNT_NAMES
            and not _surname_at(text, start)
        ):
            end = None  # 帳戶名稱：活期儲蓄, 備償專戶: an account's name, not its holder's (review 14 of the fixes)
        if end is None and etype == "PERSON":
            end = _name_across_break(text, start)
        if end is None:
            continue
        if m.group("label2"):  # a form cell holds the value alone (an honorific after it allowed)
            # (read at an offset: a copy of the rest of the text per label took time in labels x text)
            rest = end + len(next((h for h in honorifics if text.startswith(h, end)), ""))
            if not _CELL_END.match(text, rest) and not (rest == end and _LATIN_CELL_END.match(text, end - 1)):
                continue
        out.append((start, end, etype, LABELLED))
    best: dict[tuple[int, int, str], str] = {}
    for s, e, t, r in out:  # a value found both ways propagates
        if best.get((s, e, t)) != LABELLED:
            best[(s, e, t)] = r
    return sorted((s, e, t, r) for (s, e, t), r in best.items())


def _name_across_break(text: str, start: int) -> int | None:
    """End of a name after a person's label that a line break splits after its surname (``申請人：林\\n佳慧``: a
    form or PDF line wrapped there): a surname alone on its line, then one or two Han characters that end their
    line or the text (None: no such name). Reading the surname alone would leave the given name in the clear.

    >>> t = "申請人：林\\n佳慧\\n電話"
    >>> t[4:_name_across_break(t, 4)], _name_across_break("申請人：林\\n業務部門", 4)
    ('林\\n佳慧', None)
    """
    from curate.pii.names import _tables
    from curate.pii.text import is_han

    m = _BROKEN_NAME.match(text, start)
    if m is None or m.group(1) not in _tables()[0] or not all(is_han(c) for c in m.group(2)):
        return None
    return m.end()


#: a surname alone on its line, the rest of the name alone on the next (see :func:`_name_across_break`)
_BROKEN_NAME = re.compile(r"(\w)[ \u3000]*\r?\n[ \u3000]*(\w{1,2})(?=[ \u3000]*(?:\r?\n|$))")

#: what may follow a value in a form cell (after an honorific): spaces, then the cell's or the text's end
_CELL_END = re.compile(r"[ \u3000]*(?:$|[\n\t|])")
#: a Latin value's cell end as hygiene leaves it: the tab between its last letter and the next cell's Han label made
#: one space (員工姓名|TRAN MINH DUC\t到職日 -> ... DUC 到職日); a tab between two Han characters stays one
_LATIN_CELL_END = re.compile(rf"[{_L}.] (?={_HAN})")

#: characters that end a name in running text (王明的, 王明於): a second given character among them is not the name's
RUNNING_PARTICLES = frozenset("的之於于與与及並并")


@lru_cache(maxsize=1)
def _running_regex() -> re.Pattern[str]:
    from curate.pii.names import _tables

    singles, compounds = _tables()[0], _tables()[1]
    alts = _label_alternation()
    sur = "|".join(compounds) + "|[" + "".join(sorted(singles)) + "]"
    return re.compile(rf"(?:{alts})(?P<sur>{sur})(?P<given>[\u4e00-\u9fff]{{1,2}})")


def _running_values(text: str, by_label: dict[str, str]) -> list[tuple[int, int, str]]:
    """A label directly followed by a surname in running text (``理財專員李示範挪用``): surname + 1-2 chars.

    The given name may be anything but a character that typically follows a name (的, 於, 挪 is
    fine); a surname-only mention (``客戶王先生``) and frequent non-name words are skipped.
    """
    from curate.pii.names import (
        FOLLOW_WORDS,
        HONORIFICS,
        NOT_NAMES,
        STOP_AFTER,
        _tables,
        married_name_end,
        verb_follows,
        word_surname_ok,
    )

    not_names, non_given = _tables()[2], _tables()[3]
    honorifics, skipped = tuple(HONORIFICS), tuple(NOT_NAMES) + not_names
    titles = tuple(h for h in HONORIFICS if len(h) > 1)
    out = []
    for m in _running_regex().finditer(text):
        start, g0 = m.start("sur"), m.start("given")
        if text.startswith(honorifics, g0) or text.startswith(skipped, start):  # (at an offset, not on a copy)
            continue
        given = m.group("given")
        if given[0] in STOP_AFTER:
            continue
        # the second character is the name's unless a word that follows names starts there (王明表示) or it is a
        # particle (王明的): a cut must not leave part of a name visible (李大同挪用: 同 also follows names)
        # a verb after a one-character given name (江蕙積欠) starts there too; a one-character honorific (君) there
        # ends the given name (怡君, 雅君), it is no title
        one = (
            len(given) < 2
            or given[1] in RUNNING_PARTICLES
            or text.startswith(FOLLOW_WORDS + titles, g0 + 1)
            or verb_follows(text, g0 + 1)
        )
        end = married_name_end(text, start, g0, g0 + (1 if one else 2))
        # without a separator, the first given character must be one that occurs in given names (the name
        # rule's list of legal / financial / function characters): 業務員任職, 客戶關係 are words, not names
        if given[0] in non_given:
            continue
        if not word_surname_ok(text, start, g0, end, text.startswith(honorifics, end), _clear_end(text, end), True):
            continue  # 保證人通訊處: a word-like surname needs more than a label before it
        out.append((start, end, "PERSON"))
    return out


@lru_cache(maxsize=1)
def _dotted_regex() -> re.Pattern[str]:
    return re.compile(rf"(?:{_label_alternation()})(?P<name>{_HAN}{{1,6}}(?:[{NAME_DOTS}]{_HAN}+)+)")


def _dotted_values(text: str) -> list[tuple[int, int, bool]]:
    """A transliterated name with middle dots right after a label in running text (``相對人哈勇·諾幹未經核准``,
    ``客戶瓦旦·巴萬申請``): ``(start, end, clear)``. The run before the last dot is the name's; its last part ends
    at the first clear end (:func:`_clear_end`, a verb that follows names) after one to four characters (``clear``),
    else before a dictionary word (``巴萬今天``), else after four: a cut must not leave part of a name visible (巴萬
    alone left 瓦旦 in the clear). A run whose parts are words (``客戶權益‧服務品質``) is none.

    >>> t = "相對人哈勇·諾幹未經核准"
    >>> [(t[s:e], c) for s, e, c in _dotted_values(t)]
    [('哈勇·諾幹', True)]
    """
    from curate.lexicon import MAX_WORD
    from curate.pii.names import verb_follows

    out = []
    for m in _dotted_regex().finditer(text):
        last = max(m.group("name").rfind(d) for d in NAME_DOTS) + m.start("name") + 1
        stop = min(m.end("name"), last + 4)
        end = next((q for q in range(last + 1, stop + 1) if _clear_end(text, q) or verb_follows(text, q)), None)
        if end is None:
            stop = last + (_first_word(text[last : min(m.end("name"), last + 4 + MAX_WORD)]) or stop - last)
        if any(_first_word(part) == 0 for part in re.split(f"[{NAME_DOTS}]", text[m.start("name") : end or stop])):
            continue
        out.append((m.start("name"), end or stop, end is not None))
    return out


def _first_word(part: str) -> int | None:
    """Where jieba's route over ``part`` first reads a dictionary word of two characters or more that is no person's
    name (``權益``, ``還款``; 伊凡 is a name), or None."""
    from curate.lexicon import dictionary_words, person_words, route, to_simplified

    words = dictionary_words()
    simp = to_simplified().convert(part)
    if len(simp) != len(part):
        return None
    return next((i for i, j in route(simp, 0, len(simp), words) if j - i > 1 and simp[i:j] not in person_words()), None)


def _clear_end(text: str, end: int) -> bool:
    """A name may end at ``end``: the text ends, or a non-Han character, a character that follows names (的, 於) or a
    word that does (帳戶, 先生) comes next."""
    from curate.pii.names import FOLLOW_WORDS, HONORIFICS, STOP_AFTER
    from curate.pii.text import is_han

    return (
        end >= len(text)
        or not is_han(text[end])
        or text[end] in STOP_AFTER
        or text.startswith(tuple(FOLLOW_WORDS) + tuple(HONORIFICS), end)
    )
