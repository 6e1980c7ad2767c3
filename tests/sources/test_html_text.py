"""HTML and EPUB text: every text node once, in document order, also text a page shows on a click (never lost
silently); elements never displayed as content (scripts, styles, templates) left out; linear in nesting."""

from __future__ import annotations

import time

from sources.documents import extract
from sources.documents.html import html_blocks

LOSS = (
    "<html><head><meta charset='utf-8'><title>講義</title></head><body>"
    "<section><h5>五級標題文字</h5><p>段落一。</p></section>"
    "<div>div開頭文字<p>段落二。</p>div結尾文字</div>"
    "<blockquote><p>引用。</p></blockquote>"
    "<table><caption>表一 利率表</caption><tr><td><p>儲蓄存款</p></td><td>1.5%</td></tr></table>"
    "<dl><dt>名詞</dt><dd><p>定義內容。</p></dd></dl>"
    "<span>主體中的散文字。</span>正文尾。</body></html>"
)
NESTED = (
    "<ul><li>安全性原則<ul><li>借款人信用評估</li><li>擔保品評估</li></ul></li><li>流動性原則</li></ul>"
    "<div>前言<div>內層段落</div></div><h6>六級標題</h6>"
)
HIDDEN = (
    "<p>可見的授信正文。</p><p style='color: red; DISPLAY : none'>隱藏樣式文字</p><div hidden>隱藏屬性文字</div>"
    "<p>第二段<span style='visibility:hidden'>看不見</span>。</p><template><p>範本文字</p></template>"
    "<noscript>無腳本文字</noscript><script>var s = '腳本';</script><style>p {}</style>"
    "<p>註<ruby>解<rp>(</rp><rt>ㄐㄧㄝˇ</rt><rp>)</rp></ruby><!-- 註解 -->完。</p>"
)
#: content a bank's page shows when the reader clicks or searches (review 8 of the fixes, #2)
ON_CLICK = (
    "<h2>常見問題</h2><div class='q'>Q1 如何申請房屋貸款？</div>"
    "<div class='a' style='display:none'>請攜帶身分證明文件至各分行辦理，或線上申請。</div>"
    "<section role='tabpanel' hidden><p>房貸利率2.1%起。</p></section>"
    "<div style='visibility:hidden;height:0'>個資告知事項</div><div hidden='until-found'>條款全文</div>"
)


def test_every_visible_text_node_once_in_document_order(tmp_path):
    page = tmp_path / "loss.html"
    page.write_text(LOSS, encoding="utf-8")
    assert [s.text for s in extract(page).segments] == [
        "五級標題文字\n段落一。\ndiv開頭文字\n段落二。\ndiv結尾文字\n引用。\n表一 利率表\n儲蓄存款\n1.5%"
        "\n名詞\n定義內容。\n主體中的散文字。正文尾。"
    ]
    _, blocks = html_blocks(NESTED)
    assert blocks == [
        ("li", "安全性原則"),
        ("li", "借款人信用評估"),
        ("li", "擔保品評估"),
        ("li", "流動性原則"),
        ("div", "前言"),
        ("div", "內層段落"),
        ("h6", "六級標題"),
    ]


def test_text_a_page_hides_until_asked_is_read_and_undisplayed_elements_are_not(tmp_path, build):
    """FAQ answers, tab panels, accordions and ``hidden="until-found"`` are the page's content: dropping them lost
    the answers silently. Scripts, styles, templates, ``noscript`` and ruby annotations are never content."""
    read = ["可見的授信正文。", "隱藏樣式文字", "隱藏屬性文字", "第二段看不見。", "註解完。"]
    assert [text for _, text in html_blocks(HIDDEN)[1]] == read
    assert [text for _, text in html_blocks(ON_CLICK)[1]] == [
        "常見問題",
        "Q1 如何申請房屋貸款？",
        "請攜帶身分證明文件至各分行辦理，或線上申請。",
        "房貸利率2.1%起。",
        "個資告知事項",
        "條款全文",
    ]
    book = build.make_epub(tmp_path / "b.epub", [("c1.xhtml", "第一章", ["可見正文。", HIDDEN])])
    assert extract(book).segments[0].text == "\n".join(["第一章", "可見正文。", *read])


def test_deeply_nested_html_is_read_in_linear_time():
    depth = 20_000  # the quadratic walk took over 30 s here
    started = time.monotonic()
    _, blocks = html_blocks("<div>" * depth + "<p>深層巢狀文字。</p>" + "</div>" * depth + "<p>尾段。</p>")
    assert blocks == [("p", "深層巢狀文字。"), ("p", "尾段。")]
    assert time.monotonic() - started < 5


def test_an_internal_dtd_subset_is_not_read_as_text():
    chapter = (
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<html><head><title>章</title></head><body><h1>第一章</h1><p>XXE:&xxe;</p></body></html>"
    )
    expected = ("章", [("h1", "第一章"), ("p", "XXE:&xxe;")])  # the entity is never expanded
    assert html_blocks(chapter.encode()) == expected
    assert html_blocks(chapter.replace(' encoding="utf-8"', "")) == expected


def test_a_dtd_subset_ends_at_its_own_bracket_not_at_one_inside_a_literal_or_comment():
    """The subset ended at the first ``]>``, inside an entity value: the rest became a line of text (review 8 of the
    fixes, #5). A subset that never ends is left to the parser, in linear time."""
    for subset in ('<!ENTITY note "見]>附註">', "<!ENTITY note '見]>附註'>", "<!-- ]> --><?pi ]> ?><!ENTITY n 'x'>"):
        chapter = f'<?xml version="1.0"?><!DOCTYPE html [{subset}]><html><body><p>正文</p></body></html>'
        assert html_blocks(chapter) == (None, [("p", "正文")])
        assert html_blocks(chapter.encode()) == (None, [("p", "正文")])
    started = time.monotonic()
    html_blocks('<!DOCTYPE html [<!-- x -->"' + "<!-- a --><!ENTITY b 'c'>" * 20_000 + "<p>尾</p>")
    assert time.monotonic() - started < 5
