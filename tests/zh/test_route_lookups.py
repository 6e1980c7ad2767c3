"""jieba's route (:func:`curate.lexicon.route`, shared by the zh word boundaries and the PII segmented-name rule)
looks up no slice longer than the longest dictionary word starting with the slice's first character (review 11,
cost): it looked up every slice of up to eight characters at each position, 60 % of them for no word. The route
is the same as the exhaustive one."""

import random

from curate.lexicon import MAX_WORD, Lexicon, dictionary_words, route, to_simplified

TEXTS = [
    "法遵部尤詩涵於本月覆核主管鄭凱文核准之授信案件，感謝宋凱翔協助，擬同意袁志清申請。",
    "查詢柯欣妤之存款餘額，並依洗錢防制法第十條規定申報可疑交易；黃金價格瓜田李下周轉。",
    "中華民國一百一十三年度金融監督管理委員會銀行局函釋，董事會應訂定內部控制制度。",
]


class Counting(Lexicon):
    """The dictionary, recording the keys the route looks up."""

    def __init__(self, words: Lexicon, longest) -> None:
        super().__init__(words)
        self.unknown, self.longest, self.seen = words.unknown, longest, []

    def get(self, key, default=None):
        self.seen.append(key)
        return super().get(key, default)


def _texts():
    conv = to_simplified()
    rng = random.Random(11)
    out = [conv.convert(t) for t in TEXTS]
    for t in list(out):
        chars = list(t)
        rng.shuffle(chars)
        out.append("".join(chars))
    return out


def test_no_slice_longer_than_the_longest_word_starting_with_its_character_is_looked_up():
    words = dictionary_words()
    longest: dict[str, int] = {}
    for w in words:
        longest[w[0]] = max(longest.get(w[0], 1), len(w))
    counting = Counting(words, getattr(words, "longest", None))
    for text in _texts():
        route(text, 0, len(text), counting)
    assert counting.seen
    assert [k for k in counting.seen if len(k) > longest.get(k[0], 1)] == []


def test_the_route_is_the_exhaustive_one():
    words = dictionary_words()
    exhaustive = Counting(words, None)  # every slice of up to MAX_WORD characters
    for text in _texts():
        for lo in range(0, len(text), 3):
            for hi in range(lo, min(len(text), lo + 3 * MAX_WORD) + 1, 5):
                assert route(text, lo, hi, words) == route(text, lo, hi, exhaustive)
