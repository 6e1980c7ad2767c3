"""Issue 13: ambiguous cross-strait pairs are decided by domain context, or flagged (schemas/zh/context_terms.tsv)."""

import pytest

from curate.zh import normalise


@pytest.mark.parametrize(
    "src,expected",
    [
        (
            "用鼠标点击打开文件，另存为PDF。",
            "用滑鼠點擊打開檔案，另存為PDF。",
        ),  # computer file; 打开 -> 打開, 点击 -> 點擊 (dev policy: equally normal words)
        ("请下载安装程序并运行。", "請下載安裝程式並執行。"),  # computer program
        ("请携带身份证明文件到柜台办理。", "請攜帶身分證明文件到櫃檯辦理。"),  # paper document: kept
        ("本行已修订作业程序。", "本行已修訂作業程序。"),  # procedure: kept
    ],
)
def test_pairs_follow_the_sentence_context(src, expected):
    assert normalise(src).text == expected


def test_undecided_pairs_are_flagged_for_proofreading():
    r = normalise("请携带身份证明文件到柜台办理。")
    assert [(f.reason, f.chars) for f in r.flags if f.reason == "ambiguous_term"] == [("ambiguous_term", "文件")]
    r = normalise("用鼠标点击打开文件。")
    assert not [f for f in r.flags if f.reason == "ambiguous_term"]


def test_context_rows_are_data():
    from curate.zh.terms import context_terms, terminology

    rows = {c.source: c for c in context_terms()}
    assert rows["文件"].in_context == "檔案" and "打开" in rows["文件"].cues
    assert not {t.source for t in terminology()} & set(rows)  # one owner per pair


@pytest.mark.parametrize(
    "src,expected",
    [
        ("统计局公布的经济数据好于预期。", "統計局公布的經濟數據好於預期。"),  # statistics
        ("请勿泄露客户数据和交易数据。", "請勿洩露客戶資料和交易資料。"),  # records
        ("本行依法收集客户的个人信息。", "本行依法蒐集客戶的個人資料。"),  # personal data: 個資法 wording
        ("公司正在收集员工对新制度的意见。", "公司正在收集員工對新制度的意見。"),
        ("备份任务每天凌晨自动运行。", "備份任務每天凌晨自動執行。"),  # a program
        ("今年经济运行总体平稳。", "今年經濟運行總體平穩。"),
        ("国债收益率持续走高。", "公債殖利率持續走高。"),  # bond yield
        ("该理财产品的预期收益率为百分之三。", "該理財商品的預期報酬率為百分之三。"),
        ("请把文件保存到电脑的桌面。", "請把檔案儲存到電腦的桌面。"),  # storage
        ("通话录音将保存五年。", "通話錄音將保存五年。"),  # retention
        ("请先重置密码再登录。", "請先重設密碼再登入。"),
        ("该基金的管理费为百分之一。", "該基金的經理費為百分之一。"),
        ("物业管理费每月收取一次。", "物業管理費每月收取一次。"),
        ("我们把网站部署在云服务器上。", "我們把網站部署在雲端伺服器上。"),  # overlap 云服务 + 服务器
    ],
)
def test_issue13_pairs_follow_the_sentence_context(src, expected):
    assert normalise(src).text == expected


@pytest.mark.parametrize(
    "src,absent",
    [
        ("依规定投资不动产须经核准。", "定期定額"),  # 定投 across 规定|投资
        ("双方应符合同等条件。", "契約"),  # 合同 across 符合|同等
        ("请配合同事完成盘点。", "契約"),
        ("款项应于次营业日内存入专户。", "記憶體"),  # 内存 across 日内|存入
        ("核保理赔应建立内部控制。", "應收帳款承購"),  # 保理 across 核保|理赔
        ("营运维护费用由甲方承担。", "維運"),  # 运维 across 营运|维护
        ("不得向客户推荐高风险投资产品。", "創業"),  # 风险投资 (VC) across 高风险|投资
        ("请联系发卡银行冻结信用卡。", "髮"),  # OpenCC reads 发卡 as a hairpin
        ("数据中心系统升级已经完成。", "繫"),  # OpenCC reads 心系 as 心繫
        ("公司的现金流动性依然紧张。", "現金流量"),
    ],
)
def test_entries_do_not_fire_across_a_word_boundary(src, absent):
    assert absent not in normalise(src).text


@pytest.mark.parametrize(
    "src,expected",
    [
        ("请选择账户类型。", "請選擇帳戶類型。"),  # s2twp: 型別
        ("公司正在加快上市进程。", "公司正在加快上市進程。"),  # s2twp: 程序
        ("操作系统会终止占用内存过多的进程。", "作業系統會終止占用記憶體過多的程序。"),
        ("循环信用的利率较高。", "循環信用的利率較高。"),  # s2twp: 迴圈
        ("比特币价格大涨。", "比特幣價格大漲。"),
        ("央行调用外汇储备稳定汇率。", "央行調用外匯存底穩定匯率。"),  # s2twp: 呼叫
        ("银行设置了专门的投诉处理部门。", "銀行設置了專門的投訴處理部門。"),
        ("请在设置页面中修改密码。", "請在設定頁面中修改密碼。"),
        ("大盘回调后，投资者开始加仓。", "大盤回檔後，投資者開始加倉。"),
        ("本行发布了风险声明。", "本行發布了風險聲明。"),  # s2twp: 宣告
        ("请在电脑上下载申请表，并按照法律程序办理。", "請在電腦上下載申請表，並按照法律程序辦理。"),  # cue 电脑
    ],
)
def test_programming_senses_of_opencc_pairs_stay_out_of_financial_text(src, expected):
    assert normalise(src).text == expected


@pytest.mark.parametrize(
    "src,expected",
    [
        ("该基金发行规模为十亿元。", "該基金發行規模為十億元。"),  # OpenCC: 金髮 (blond)
        ("资金发放前须经主管机关之核准。", "資金發放前須經主管機關之核准。"),  # 金髮, 核準
        ("公司应编制现金流量表。", "公司應編製現金流量表。"),  # 現金流量量表 from 现金流
        ("法院得免提供担保。", "法院得免提供擔保。"),  # OpenCC 免提 -> 擴音
        ("主管机关在前项范围内核定之。", "主管機關在前項範圍內核定之。"),  # OpenCC 内核 -> 核心
        ("经济增长发展良好。", "經濟增長發展良好。"),  # OpenCC 长发 -> 長髮
        ("保险业务员登录应向主管机关申请。", "保險業務員登錄應向主管機關申請。"),
    ],
)
def test_opencc_errors_in_regulatory_text_are_corrected(src, expected):
    assert normalise(src).text == expected


@pytest.mark.parametrize(
    "src,expected",
    [
        ("商户可以通过收款码收取货款。", "商戶可以透過收款碼收取貨款。"),  # by way of
        ("审批通过后，贷款将于三日内发放。", "審批通過後，貸款將於三日內發放。"),  # passing a review
        ("该议案获得通过。", "該議案獲得通過。"),
        ("本公司推出了新的医疗险产品。", "本公司推出了新的醫療險商品。"),
    ],
)
def test_tongguo_by_way_of_or_passing(src, expected):
    assert normalise(src).text == expected


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("该基金刷新了历史纪录。", "該基金刷新了歷史紀錄。"),  # a new record: s2twp gave 重新整理
        ("请下拉刷新页面。", "請下拉重新整理頁面。"),  # reloading a screen
        ("该公司计划在主板上市。", "該公司計畫在主板上市。"),  # an exchange's main board: s2twp gave 主機板
        ("电脑主板坏了，需要更换。", "電腦主機板壞了，需要更換。"),
    ],
)
def test_review4_pairs_with_a_financial_sense(src, expected):
    """刷新 and 主板 (review 4, F2): no word crosses them, but in this corpus they mostly mean the other thing."""
    assert normalise(src).text == expected


@pytest.mark.parametrize(
    "src,expected",
    [
        ("他每个月的工资都存进银行。", "他每個月的工資都存進銀行。"),  # 工資: 勞動基準法's own word
        ("该行的网络银行用户数也创新高。", "該行的網路銀行用戶數也創新高。"),  # subscribers: 用戶 (dev policy)
        ("这家电信公司的用户超过一千万。", "這家電信公司的用戶超過一千萬。"),
        ("软件更新后，部分用户反映无法登录。", "軟體更新後，部分使用者反映無法登入。"),  # software users
        ("请输入银行代码。", "請輸入銀行代碼。"),  # a code, not program code
        ("这个程序员写的代码非常简洁。", "這個程式設計師寫的程式碼非常簡潔。"),
        ("餐厅的菜单很丰富。", "餐廳的菜單很豐富。"),
        ("请在下拉菜单中选择城市。", "請在下拉選單中選擇城市。"),
        ("该公司导入了新制度。", "該公司導入了新制度。"),
        ("新系统支持批量导入客户数据。", "新系統支援批次匯入客戶資料。"),
        ("自行车道已经开通。", "自行車道已經開通。"),
        ("他办理了销户手续。", "他辦理了銷戶手續。"),
        ("本行持续优化服务流程。", "本行持續優化服務流程。"),
    ],
)
def test_words_equally_normal_in_taiwan_are_converted_character_by_character(src, expected):
    """terminology.tsv round 11: no Taiwan word replaces one that is ordinary Taiwan usage in the same sense."""
    assert normalise(src).text == expected
