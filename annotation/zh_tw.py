"""What annotators read, in Traditional Chinese (Taiwan): project titles, descriptions, instructions, notes.

Label Studio shows a project's ``expert_instruction`` (HTML) before labelling when ``show_instruction``
is set; the label configs (``schemas/label_studio/*.xml``) carry the zh-TW choices and labels with the
English name as a second line. Label Studio's own menus stay English in the community edition.

Proofreading notes are plain sentences, one per edit or flag, never repeated::

    第 10 字「银」已轉為「銀」
    第 1–12 字可能為簡體，請確認
"""

from __future__ import annotations

import json
from typing import Any

#: project -> (zh-TW name, English name)
PROJECT_NAMES: dict[str, tuple[str, str]] = {
    "proofread": ("校對", "proofreading"),
    "pii": ("個資審查", "PII review"),
    "topic": ("主題分類", "topic labels"),
}

DESCRIPTIONS: dict[str, str] = {
    "proofread": "確認簡轉繁的結果與文字品質；必要時直接修改文字。",
    "pii": "逐一判斷系統偵測到的個人資料（已部分遮蔽），並標出漏掉的個資。",
    "topic": "為每段文字選擇主題，並評定品質（1–5 星）。",
}

_INSTRUCTIONS: dict[str, str] = {
    "proofread": """
<h3>校對說明（Proofreading）</h3>
<ol>
<li>先看黃色框內的「系統說明」：每一行是一處簡轉繁的修改，或一段需要您確認的文字。</li>
<li>下方的文字框已預先填入全文。發現錯字、漏字或轉換錯誤時，<b>直接在文字框內修改</b>。</li>
<li>選擇結果：<b>正確</b>（不需修改）、<b>已修正</b>（您改了文字）、<b>退回</b>（整段無法使用，例如亂碼）。</li>
<li>〔姓名〕、〔電話〕等方括號是個資的代號，<b>請勿修改或填入真實資料</b>。</li>
</ol>
<p>要修改：錯字、簡體字殘留、台灣慣用詞（軟體、網路、資訊）。不要修改：法規原文的用字、專有名詞、數字與金額。</p>
""",
    "pii": """
<h3>個資審查說明（PII review）</h3>
<ol>
<li>文字中以顏色標示的是系統偵測到的個資，已依個資遮蔽慣例部分遮蔽（例如 王○明、A12****789、0912-***-678）。
您看不到完整內容，也不需要看到。</li>
<li>點選每一個標示，在右側選擇判斷：<b>正確</b>（確實是個資）、<b>非個資</b>（例如機關名稱、法條編號，
系統會還原這段文字）、<b>類型錯誤</b>（是個資但類型不對：請同時改選正確的類型）。</li>
<li>系統漏掉的個資：先選類型，再用滑鼠選取那段文字，並將判斷設為 <b>漏標</b>；送出後該段會重新遮蔽。</li>
<li>不確定時選「正確」：寧可多遮，不可外洩。</li>
</ol>
""",
    "topic": """
<h3>主題分類說明（Topic labels）</h3>
<ol>
<li>閱讀全文，選擇最主要的一個主題（授信、財務分析、財報、法規、市場、外匯、其他）。</li>
<li>以 1–5 星評定文字品質：5 星為完整通順、可直接用於訓練；1 星為殘缺或亂碼。</li>
</ol>
""",
}

CHROME_NOTE = "<p><small>Label Studio 社群版的選單與按鈕維持英文（Submit＝送出、Skip＝略過）。</small></p>"

NO_NOTES = "（無簡轉繁修改或待確認之處）"

_FLAG_SENTENCES = {
    "weak_signal": "{where}可能為簡體，請確認",
    "mixed_signals": "{where}同時有簡體與繁體的特徵，未自動轉換，請確認",
    "short": "{where}太短，無法判斷是否為簡體，請確認",
    "ambiguous_chars": "{where}含一簡對多繁的字「{chars}」，請確認轉換是否正確",
}


def project_title(bank: str, project: str) -> str:
    """Label Studio project title of a bank's project (also its identity on the instance).

    >>> project_title("CTBC", "pii")
    'FinLLM CTBC 個資審查 (pii)'
    """
    return f"FinLLM {bank} {PROJECT_NAMES[project][0]} ({project})"


def description(bank: str, project: str) -> str:
    """Project description shown in Label Studio's project list.

    >>> description("CTBC", "topic")
    '主題分類（CTBC）：為每段文字選擇主題，並評定品質（1–5 星）。'
    """
    return f"{PROJECT_NAMES[project][0]}（{bank}）：{DESCRIPTIONS[project]}"


def instructions(project: str) -> str:
    """HTML instructions Label Studio shows before labelling (``expert_instruction``)."""
    return _INSTRUCTIONS[project].strip() + "\n" + CHROME_NOTE


def _where(start: Any, end: Any = None) -> str:
    """Human (1-based) character position.

    >>> _where(8), _where(0, 12), _where(None)
    ('第 9 字', '第 1–12 字', '此句')
    """
    if not isinstance(start, int):
        return "此句"
    if isinstance(end, int) and end - start > 1:
        return f"第 {start + 1}–{end} 字"
    return f"第 {start + 1} 字"


def _rows(entries: Any) -> list[Any]:
    """A normalise or flag event's entries one by one: held column by column (``{"offset": [...], ...}``)
    or, in events written before 2026-12-03, as a list.

    >>> _rows({"offset": [8], "before": ["银"], "after": ["銀"], "by": ["opencc"]})
    [{'offset': 8, 'before': '银', 'after': '銀', 'by': 'opencc'}]
    """
    if isinstance(entries, dict):
        cols = {k: v for k, v in entries.items() if isinstance(v, list)}
        n = min((len(v) for v in cols.values()), default=0)
        return [{k: v[i] for k, v in cols.items()} for i in range(n)]
    return list(entries) if isinstance(entries, list) else []


def note_lines(details: list[Any], text: str) -> list[str]:
    """One plain Chinese sentence per normalisation edit or proofreading flag, each once, in text order.

    An edit is shown only if its result still occurs in the (scrubbed) text being sent, so nothing
    the PII stage removed can reappear through a note.

    >>> note_lines([{"edits": [{"offset": 8, "before": "银", "after": "銀"}]}] * 2, "本行銀行")
    ['第 9 字「银」已轉為「銀」']
    >>> note_lines([{"edits": {"offset": [8], "before": ["银"], "after": ["銀"], "by": ["opencc"]}}], "本行銀行")
    ['第 9 字「银」已轉為「銀」']
    >>> note_lines([{"flags": [{"start": 0, "end": 5, "reason": "weak_signal"}]}], "")
    ['第 1–5 字可能為簡體，請確認']
    >>> note_lines([{"flags": {"start": [0], "end": [5], "reason": ["weak_signal"]}}], "")
    ['第 1–5 字可能為簡體，請確認']
    """
    found: dict[str, tuple[int, int]] = {}
    for n, raw in enumerate(details):
        d = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(d, dict):
            continue
        for e in _rows(d.get("edits")):
            if not isinstance(e, dict):
                continue
            before, after = str(e.get("before", "")), str(e.get("after", ""))
            if not after or after not in text or len(after) > 40:
                continue
            at = e.get("offset", e.get("start"))
            line = f"{_where(at)}「{before}」已轉為「{after}」"
            found.setdefault(line, (at if isinstance(at, int) else 1 << 30, n))
        for f in _rows(d.get("flags")):
            if isinstance(f, str):
                f = {"reason": f}
            if not isinstance(f, dict):
                continue
            reason = str(f.get("reason") or f.get("kind") or "")
            start, end = f.get("start", f.get("offset")), f.get("end")
            pattern = _FLAG_SENTENCES.get(reason, "{where}請確認（{reason}）")
            line = pattern.format(where=_where(start, end), chars=f.get("chars", ""), reason=reason)
            found.setdefault(line, (start if isinstance(start, int) else 1 << 30, n))
    return sorted(found, key=lambda line: found[line])


__all__ = ["NO_NOTES", "PROJECT_NAMES", "description", "instructions", "note_lines", "project_title"]
