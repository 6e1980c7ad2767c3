"""A web address is kept as written by the normaliser (review 10).

OpenCC converted the Han characters of a link with the text around it: ``…/download?id=干`` became ``…?id=幹`` and a
``zh.wikipedia.org/wiki/中央银行`` link pointed to another page (the record's only copy of the address, silently).
A link is no evidence of the script either: a Traditional text quoting a Simplified address stays byte-identical."""

import pytest

from curate.zh import normalise, normalise_many

CASES = [
    (
        "请访问 https://www.example.com/zh-cn/download?id=干 下载。",
        "請訪問 https://www.example.com/zh-cn/download?id=干 下載。",
    ),
    ("详见 https://zh.wikipedia.org/wiki/中央银行 。", "詳見 https://zh.wikipedia.org/wiki/中央银行 。"),
    ("资料来源：www.example.cn/新闻/汇率（已存档）。", "資料來源：www.example.cn/新闻/汇率（已存檔）。"),
]


@pytest.mark.parametrize(("text", "want"), CASES)
def test_links_are_kept_and_the_text_around_them_converted(text, want):
    assert normalise(text).text == want
    assert normalise_many([text, "账户余额不足。"])[0].text == want  # the batch path


def test_a_link_is_no_evidence_of_the_script():
    text = "本行新聞稿轉載自 https://www.example.cn/新闻/央行降息 ，僅供參考。"
    assert normalise(text).text is text
    assert normalise_many([text])[0].text == text


def test_ascii_links_change_nothing_else():
    text = "请登录 https://ebank.example.com.tw/login 修改密码。"
    assert normalise(text).text == "請登入 https://ebank.example.com.tw/login 修改密碼。"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("请访问www.boc.cn了解详情并查询账户余额。", "請訪問www.boc.cn了解詳情並查詢帳戶餘額。"),
        ("详见https://www.example.com查看最新汇率公告", "詳見https://www.example.com查看最新匯率公告"),
        ("登入網銀www.example.com.tw后续將持續更新。", "登入網銀www.example.com.tw後續將持續更新。"),
        (
            "详情请参阅https://www.example.cn/rates查看最新汇率。",
            "詳情請參閱https://www.example.cn/rates查看最新匯率。",
        ),
    ],
)
def test_chinese_text_run_on_to_a_host_is_not_the_address(text, want):
    # review 10 (follow-up): the address ends at its host; before, the Chinese text after it was kept Simplified
    assert normalise(text).text == want
    assert normalise_many([text, "账户余额不足。"])[0].text == want
