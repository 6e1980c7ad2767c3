"""Rule-based Chinese personal-name recognizer (no model).

A name is a surname from the tables below (compound surnames first) followed by one to three
given-name characters. A candidate is kept when the text around it looks like a name slot:

* left: a role or kinship word (客戶, 申請人, 負責人, 行員, 其母 ...: recognised by its last
  character), an introducer (姓名, 戶名, 我是, 冒用 ...), or a field separator / sentence start;
* right: an honorific (先生, 女士, 小姐, 君 ...), punctuation, or a character that typically
  follows a name in running text (的, 之, 於, 表示 ...).

The given-name length is chosen from the right boundary (2 characters by default, 1 when a
boundary follows directly, 3 for Vietnamese-style ``阮氏…`` names). Frequent words that
start with a surname character (高雄, 金額, 陳述 ...) are never names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from curate.pii.base import EntityRecognizer, RecognizerResult
from curate.pii.text import is_han

#: single-character surnames common in Taiwan (Traditional; Simplified forms are derived)
SINGLE_SURNAMES = (
    "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙顏柯翁魏孫戴"
    "范方宋鄧杜傅侯曹薛丁卓阮馬董温溫唐藍蔣石古紀姚連馮歐程湯黃田康姜白汪鄒尤巫鐘黎涂龔嚴韓袁金童陸夏柳"
    "邵錢伍倪溫于譚駱熊任甘秦顧毛章史官萬俞雷粘饒張凃闕崔尹孔辛武鄔段龍錢樊符嚴殷賀聶麥齊包喬白"
    "文石池竇郝祝關靳陶韋黎鮑殷牛葛宮麥華諸儲苗單穆裴畢房滕欒鄺封季湛覃舒晏鄞卜蒲馮"
    "翟談屈廣鄂郁寇衛虞胥鞏季邢管燕姬冉桂莫蘭柴瞿閻閔戚凌霍蒙鄞郎寧巴"
)
#: compound surnames (including Taiwanese double surnames such as 范姜, 張簡)
COMPOUND_SURNAMES = (
    "歐陽",
    "司馬",
    "上官",
    "范姜",
    "張簡",
    "張廖",
    "簡廖",
    "諸葛",
    "司徒",
    "東方",
    "夏侯",
    "皇甫",
    "長孫",
    "慕容",
    "尉遲",
    "公孫",
    "令狐",
    "澹臺",
    "宇文",
    "端木",
    "軒轅",
    "鍾離",
    "南宮",
    "西門",
    "申屠",
    "獨孤",
    "呼延",
    "周黃",
    "陳吳",
    "劉張",
    "江謝",
    "姜林",
)
#: Vietnamese-style middle characters of foreign residents' names (阮氏…, 范文…)
VIET_MIDDLE = "氏文"

#: last characters of role / kinship words that introduce a name (客戶, 申請人, 行員, 胞弟 ...)
ROLE_END = set(
    "人員员者戶户民生士工專专弟兄哥姐姊妹母父女子夫妻護护告師师長长東东友嫂媳婿孫孙爸媽妈叔姨舅伯"
    "醫医董總总辦办親亲屬属嫌犯偶兒儿事太"
)
#: characters that (practically) never occur in given names: legal, financial and function words
NON_GIVEN = set(
    "事法轄獨錢第個化總會條項款目者所其他等及或與為於以上下內外前後年日時分號額率度性式面部局處署院"
    "科股組團社司業務件案權利責任料理計畫管規準標程序制機構關係單筆次種類數量值價格費稅息本融證券險銀託財"
    "產負債投交易契約委員董監察審查核准許記報告通知送罰鍰訴訟判決裁執令府團體企商廠場區域範圍容措施"
    "段目的途效期限間錢幣純儲匯兌符合之而且並但即應得須不未無非被由向對給把將使讓過從到至自在乃亦"
    "也都只又姓閉人一據針律播庫免統再已曾尚還更最很太這那此該每各某另全每的地得著了過嗎呢吧啊您你我他她它們個位種點些"
)
#: introducer words directly before a name
INTRODUCERS = (
    "姓名",
    "名字",
    "戶名",
    "户名",
    "我是",
    "我叫",
    "冒用",
    "代",
    "為",
    "为",
    "致",
    "由",
    "與",
    "与",
    "和",
    "及",
    "聯繫",
    "联系",
    "聯絡",
    "联络",
    "寄件者",
    "收件者",
    "受款人",
    "即",
    "係",
    "系",
    "是",
    "經查",
    "经查",
    "據",
    "据",
    "向",
    "對",
    "对",
    "請",
    "请",
    "通知",
    "告知",
    "協助",
    "协助",
    "委託",
    "委托",
    "授權",
    "授权",
    "指派",
    "拜訪",
    "拜访",
    "訪談",
    "访谈",
    "轉交",
    "转交",
    "交付",
    "給",
    "给",
    "予",
    "自稱",
    "自称",
    "名為",
    "名为",
    "名叫",
    "主任",
    "主委",
    "同仁",
    "法官",
    "檢察官",
    "检察官",
    "警官",
    "經理",
    "经理",
    "襄理",
    "協理",
    "协理",
    "副理",
    "助理",
    "理專",
    "理专",
)
#: separators / sentence starts that may precede a name (after half-width folding)
LEFT_PUNCT = set(":,;()[]|/ 、。「」『』【】〔〕<>\n\t-")
#: honorifics and titles after a name (strong evidence)
HONORIFICS = (
    "先生",
    "女士",
    "小姐",
    "君",
    "您好",
    "同學",
    "同学",
    "太太",
    "老師",
    "老师",
    "經理",
    "经理",
    "專員",
    "专员",
    "襄理",
    "協理",
    "协理",
    "副理",
    "董事長",
    "董事长",
    "總經理",
    "总经理",
    "律師",
    "律师",
    "會計師",
    "会计师",
    "醫師",
    "医师",
    "博士",
    "教授",
    "主任",
    "行長",
    "行长",
    "科長",
    "科长",
)
#: characters that typically follow a name in running text (never the end of a given name here)
STOP_AFTER = set(
    "的之於于以在向與与及和跟為为係是將将把被已曾因所由遭欲等並并亦也都仍就請请要說说稱称表反主申辦办提"
    "簽签陪致詢询投違违溢綁绑變变誤误初目名不資资預预關关經经您告自涉偽伪冒委擔担入帳账卡"
    "住電电手護护身居今昨去近前透利即對对給给替疑聲声指否未無无應应須需會会再還还另尚持出來来上同領领"
    "查開开購购辦办向擬拟確确使用簽收於寄匯汇轉转存提繳缴借貸贷償偿欠積积逾核辭辞任離离退名戶户"
)
#: 2-character words after a name
FOLLOW_WORDS = ("帳戶", "账户", "帳號", "账号", "名下", "本人", "女士", "先生", "小姐")
#: frequent words starting with a surname character that are not names
NOT_NAMES = (
    "高雄",
    "高額",
    "高额",
    "高於",
    "高于",
    "高達",
    "高达",
    "高齡",
    "高龄",
    "高風險",
    "金額",
    "金额",
    "金融",
    "金管",
    "金門",
    "金门",
    "金控",
    "林口",
    "林園",
    "陳述",
    "陈述",
    "陳情",
    "陈情",
    "曾經",
    "曾经",
    "周年",
    "方面",
    "方式",
    "方案",
    "何時",
    "何时",
    "任何",
    "任意",
    "向來",
    "石門",
    "花蓮",
    "花莲",
    "黃金",
    "黄金",
    "余額",
    "余额",
    "于是",
    "文件",
    "文字",
    "成立",
    "成員",
    "成员",
    "全部",
    "全額",
    "全额",
    "全體",
    "全体",
    "全國",
    "全国",
    "江蘇",
    "連江",
    "连江",
    "連續",
    "连续",
    "連結",
    "连结",
    "王道",
    "宋體",
    "明細",
    "萬元",
    "万元",
    "千元",
    "百元",
    "上述",
    "上開",
    "上开",
    "上午",
    "上傳",
    "上传",
    "上列",
    "新北",
    "新竹",
    "新臺",
    "新台",
    "台北",
    "臺北",
    "台中",
    "臺中",
    "台南",
    "臺南",
    "台東",
    "臺東",
    "宜蘭",
    "彰化",
    "雲林",
    "嘉義",
    "屏東",
    "苗栗",
    "南投",
    "基隆",
    "桃園",
    "澎湖",
    "信用",
    "信託",
    "信托",
    "信義",
    "信义",
    "利率",
    "利息",
    "華南",
    "华南",
    "國泰",
    "国泰",
    "安泰",
    "永豐",
    "永丰",
    "元大",
    "合作",
    "第一",
    "土地",
    "中國",
    "中国",
    "中華",
    "中华",
    "台灣",
    "臺灣",
    "台湾",
    "彭博",
    "孫子",
    "房屋",
    "房貸",
    "房贷",
    "車貸",
    "车贷",
    "包括",
    "包含",
    "包裹",
    "程序",
    "程式",
    "章程",
    "史上",
    "段落",
    "管理",
    "管制",
    "計算",
    "计算",
    "計畫",
    "计划",
    "費用",
    "费用",
    "應收",
    "应收",
    "應付",
    "应付",
    "應該",
    "应该",
    "單位",
    "单位",
    "單筆",
    "单笔",
    "武器",
    "易於",
    "易于",
    "龍頭",
    "龙头",
    "向其",
    "宗旨",
    "莫非",
    "凌晨",
    "霍亂",
    "全台",
    "全臺",
    "成交",
    "成功",
    "成本",
    "季度",
    "季報",
    "季报",
    "紀錄",
    "纪录",
    "温度",
    "溫度",
    "柯式",
    "余下",
    "于此",
    "于该",
    "万一",
    "萬一",
    "司法",
    "左右",
    "路段",
    "路口",
    "關係",
    "关系",
    "毛利",
    "毛額",
    "毛额",
    "田地",
    "石油",
    "甘願",
    "馬上",
    "马上",
    "邱比",
    "湯匙",
    "白天",
    "白色",
    "白金",
    "康健",
    "童年",
    "麥當",
    "畢業",
    "毕业",
    "戴上",
    "關閉",
    "关闭",
    "許可",
    "许可",
    "許多",
    "许多",
    "嚴重",
    "严重",
    "嚴格",
    "严格",
    "周末",
    "週末",
    "馬鈴",
    "文書",
    "文化",
    "文章",
    "官方",
    "連絡",
    "連線",
    "連同",
    "連帶",
    "陳報",
    "金流",
    "高度",
    "高速",
    "方可",
    "方能",
    "方得",
    "何者",
    "何種",
    "夏季",
    "春季",
    "溫馨",
    "程度",
    "史料",
    "王者",
    "萬分",
    "萬全",
    "林業",
    "林務",
    "葉片",
    "江湖",
    "洪流",
    "石材",
    "田野",
    "時間",
    "游戲",
    "游资",
    "游資",
    "洪水",
    "施行",
    "施工",
    "卓越",
    "高峰",
    "高層",
    "高层",
    "黎明",
    "唐突",
)


@lru_cache(maxsize=1)
def _tables() -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]:
    """Surname and stop-word tables in both scripts (Simplified derived with OpenCC t2s)."""
    import opencc

    conv = opencc.OpenCC("t2s")
    tw = opencc.OpenCC("s2tw")  # the detection view reads Simplified text in Taiwan characters

    def both(words):
        simp = {conv.convert(w) for w in words}
        return set(words) | simp | {tw.convert(w) for w in simp}

    singles = set(SINGLE_SURNAMES)
    singles |= set(conv.convert(SINGLE_SURNAMES))
    compounds = both(COMPOUND_SURNAMES)
    not_names = both(NOT_NAMES)
    non_given = frozenset(both(NON_GIVEN))
    return frozenset(singles), tuple(sorted(compounds, key=len, reverse=True)), tuple(not_names), non_given


def surname_class() -> str:
    """A regex character class of all single surnames (both scripts)."""
    singles = _tables()[0]
    return "[" + "".join(sorted(singles)) + "]"


def name_slot_pattern() -> str:
    """Cheap position filter for name candidates: a surname in a name slot.

    A slot is a role/introducer character, punctuation or the text start on the left, or an
    honorific within three characters on the right.
    """
    compounds = _tables()[1]
    alt = "|".join(compounds) + "|" + surname_class()
    left_chars = "".join(sorted(ROLE_END | {w[-1] for w in INTRODUCERS}))
    hon = "|".join(sorted(HONORIFICS, key=len, reverse=True))
    return (
        f"(?:(?<=[{left_chars}])|(?<![\u4e00-\u9fff0-9A-Za-z]))(?:{alt})|(?:{alt})(?=[\u4e00-\u9fff]{{1,3}}(?:{hon}))"
    )


class ChineseNameRecognizer(EntityRecognizer):
    """Rule-based PERSON recognizer for unspaced Chinese (works without any model)."""

    ENTITY = "PERSON"

    def __init__(self, supported_language: str = "zh", strong_score: float = 0.85, weak_score: float = 0.5) -> None:
        self.strong_score, self.weak_score = strong_score, weak_score
        super().__init__(
            supported_entities=[self.ENTITY], name="ChineseNameRecognizer", supported_language=supported_language
        )

    def load(self) -> None:
        singles, compounds, not_names, non_given = _tables()
        self._non_given = non_given
        self._singles = singles
        self._not_names = not_names
        self._honorifics = tuple(sorted(HONORIFICS, key=len, reverse=True))
        self._regex = re.compile(name_slot_pattern())
        self._introducers = tuple(INTRODUCERS)
        self._follow = tuple(FOLLOW_WORDS) + self._honorifics

    # -- helpers ---------------------------------------------------------------------------
    def _left_kind(self, text: str, start: int) -> str | None:
        """'role' (role word / introducer), 'punct' (separator or text start) or None."""
        i = start
        # allow one space or colon between the role word and the name
        while i > 0 and text[i - 1] in " :" and start - i < 2:
            i -= 1
        if i == 0:
            return "punct"
        prev = text[i - 1]
        if prev in ROLE_END:
            return "role"
        head = text[max(0, i - 3) : i]
        if head.endswith(self._introducers):
            return "role"
        if i < start and text[i] == ":":
            return "punct"  # "...催告:" + name
        if prev in LEFT_PUNCT or not (is_han(prev) or prev.isalnum()):
            return "punct"
        return None

    def _is_boundary(self, text: str, q: int) -> bool:
        if q >= len(text):
            return True
        ch = text[q]
        if not is_han(ch):
            return True
        if ch in STOP_AFTER:
            return True
        return text.startswith(self._follow, q)

    def _given_ok(self, text: str, a: int, b: int) -> bool:
        return b <= len(text) and all(is_han(c) and c not in self._non_given for c in text[a:b])

    def _candidate(self, text: str, start: int, sur_end: int) -> tuple[int, float] | None:
        """Pick the end of the name starting at ``start`` and score it (None = not a name)."""
        if text.startswith(self._honorifics, sur_end):
            return None  # a surname-only mention (林先生) is not a full name
        left = self._left_kind(text, start)
        if left is None and not any(text.startswith(self._honorifics, q) for q in range(sur_end + 1, sur_end + 4)):
            return None  # neither a name slot on the left nor an honorific on the right
        compound = sur_end - start == 2
        options: list[int] = []
        # preferred order: 2 given chars, 1, then 3 (Vietnamese-style only)
        two, one, three = sur_end + 2, sur_end + 1, sur_end + 3
        if (
            self._given_ok(text, sur_end, two)
            and text[sur_end + 1] not in STOP_AFTER
            and text[sur_end] not in STOP_AFTER
        ):
            if self._is_boundary(text, two):
                options.append(two)
            elif (
                not compound
                and text[sur_end] in VIET_MIDDLE
                and self._given_ok(text, sur_end, three)
                and self._is_boundary(text, three)
            ):
                options.append(three)
        if not options and self._given_ok(text, sur_end, one) and text[sur_end] not in STOP_AFTER:
            if self._is_boundary(text, one):
                options.append(one)
        weak_end = None
        if not options:
            if (
                self._given_ok(text, sur_end, two)
                and text[sur_end] not in STOP_AFTER
                and text[sur_end + 1] not in STOP_AFTER
            ):
                weak_end = two  # no clear right boundary
            else:
                return None
        end = options[0] if options else weak_end
        assert end is not None
        if text[start:end].startswith(self._not_names) or text[start : start + 2] in self._not_names:
            return None
        honorific = text.startswith(self._honorifics, end)
        if honorific and left is not None:
            return end, self.strong_score
        if left == "role" and options:
            return end, self.strong_score
        if left == "role" or honorific:
            return end, self.weak_score
        if left == "punct" and options and not self._is_boundary(text, start + 1 if not compound else start + 2):
            return end, self.weak_score
        return None

    def analyze(self, text: str, entities: list[str] | None = None, nlp_artifacts=None) -> list[RecognizerResult]:
        if entities and self.ENTITY not in entities:
            return []
        results: list[RecognizerResult] = []
        pos = 0
        n = len(text)
        regex = self._regex
        while pos < n:
            m = regex.search(text, pos)
            if m is None:
                break
            start = m.start()
            found = self._candidate(text, start, m.end())
            if found is None and m.end() - start == 2:  # compound alternative failed: try single surname
                if text[start] in self._singles:
                    found = self._candidate(text, start, start + 1)
            if found is None:
                pos = start + 1
                continue
            end, score = found
            results.append(
                RecognizerResult(
                    self.ENTITY,
                    start,
                    end,
                    score,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
            pos = end
        return results
