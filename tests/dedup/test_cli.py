"""`curate dedup --input --output`: output contract, bad lines counted, exit code 3."""

from __future__ import annotations

import json

import pytest


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_cli_output_contract(cli, tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    law = "第 2 條\n本法稱銀行，謂依本法組織登記，經營銀行業務之機構。銀行應依主管機關之規定辦理存款業務。"
    _write(
        inp,
        [
            json.dumps({"id": "trad", "text": law, "source_kind": "law_moj"}, ensure_ascii=False),
            json.dumps(
                {
                    "id": "simp",
                    "text": "第2条 本法称银行,谓依本法组织登记,经营银行业务之机构.银行应依主管机关之规定办理存款业务.",
                    "source_kind": "moda",
                },
                ensure_ascii=False,
            ),
            json.dumps({"id": 7, "text": "另一段完全無關的文字，談的是保險業的資本適足率規定。"}, ensure_ascii=False),
        ],
    )
    code, _, err = cli("--quiet", "dedup", "--input", str(inp), "--output", str(out))
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(rows) == {"trad", "simp", "7"}
    assert rows["trad"] == {**rows["trad"], "cluster": "trad", "survivor": True, "duplicate_of": None}
    assert rows["simp"]["survivor"] is False and rows["simp"]["duplicate_of"] == "trad"
    assert rows["simp"]["cluster"] == "trad" and rows["simp"]["rule"] == "authority"
    assert rows["7"]["cluster"] == "7" and rows["7"]["survivor"] is True


def test_cli_bad_lines_reported_and_counted(cli, tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(inp, ['{"id": "a", "text": "銀行法"}', "{not json", '{"id": "b"}', '["x"]', '{"id": "a", "text": "x"}'])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 3
    assert "in.jsonl:2" in err and "in.jsonl:3" in err and "in.jsonl:4" in err and "duplicate id" in err
    assert "4 bad lines" in err
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["a"]


def test_cli_usage_errors(cli, tmp_path):
    inp = tmp_path / "in.jsonl"
    _write(inp, ['{"id": "a", "text": "銀行法"}'])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(tmp_path / "o.jsonl"), "--set", "bands=0")
    assert code == 2 and "bands" in err
    code, _, err = cli("dedup", "--input", str(tmp_path / "missing.jsonl"), "--output", str(tmp_path / "o.jsonl"))
    assert code == 2
    # the output would replace the input (zh convert and pii refuse the same)
    before = inp.read_bytes()
    for same in (str(inp), str(tmp_path / "." / "in.jsonl")):
        code, _, err = cli("dedup", "--input", str(inp), "--output", same)
        assert code == 2 and "--output must differ from --input" in err and "Traceback" not in err
        assert inp.read_bytes() == before


def test_run_dedup_on_cuda_without_one_says_what_to_do_once(cli, db_path):
    """`--set device=cuda` where there is none: one clear line from the worker processes, no traceback."""
    import importlib.util

    from .records import add_records

    if importlib.util.find_spec("torch") is not None:
        import torch

        if torch.cuda.is_available():
            import pytest

            pytest.skip("a CUDA device is present")
    # records enough for two shards: the error is raised in worker processes and pickled back
    add_records(
        db_path,
        [("law_moj", f"G{i}", f"第 {i} 條\n為健全銀行業務經營，保障存款人權益，特制定本法。") for i in range(8)],
    )
    code, _, err = cli("run", "dedup", "--workers", "2", "--set", "device=cuda")
    assert code == 1 and "Traceback" not in err
    assert ("`torch` is not installed" in err and "finllm-curate[gpu]" in err) or "sees no CUDA device" in err, err
    assert err.count("the optional package") <= 1, err


def test_cli_keeps_parallel_provisions_of_two_laws(cli, tmp_path):
    """Standalone, as in the stage: an identical article of two laws (銀行法 §136, 金控法 §67) is not a duplicate to
    drop (it used to be: every law_moj line was one document), the same law's text twice is, and a textbook quoting
    the article is still a duplicate of the law."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    art = "違反本法或依本法所發布之命令者，除本法另有處罰規定外，處新臺幣五十萬元以上一千萬元以下罰鍰。"
    lines = [
        {"id": "bank-136", "text": art, "source_kind": "law_moj"},
        {"id": "fhc-67", "text": art, "source_kind": "law_moj"},
        {"id": "fhc-67-again", "text": art, "source_kind": "law_moj", "document": "G0380112"},
        {"id": "fhc-67-once", "text": art, "source_kind": "law_moj", "document": "G0380112"},
        {"id": "book", "text": art, "source_kind": "textbooks"},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["bank-136"]["survivor"] and rows["bank-136"]["near_duplicate_of"] is None
    assert rows["fhc-67"]["survivor"] and rows["fhc-67"]["near_duplicate_of"] == "bank-136"
    # within one document given by the line, an identical text is a duplicate (one of the two stays, linked)
    g = [rows["fhc-67-again"], rows["fhc-67-once"]]
    assert sorted(r["survivor"] for r in g) == [False, True]
    assert [r["near_duplicate_of"] for r in g if r["survivor"]] == ["bank-136"]
    assert rows["book"]["survivor"] is False and rows["book"]["rule"] == "authority"
    assert "1 clusters, 2 exact" in err


def test_cli_refuses_a_licence_id_not_in_the_catalogue(cli, tmp_path):
    """A misspelt licence id ranked as no licence: the NC copy survived over the open one (`cc0-1.0`), silently."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    text = "本行依銀行法規定辦理存款業務，並應依主管機關之規定提存存款準備金。"
    lines = [
        {"id": "open", "text": text, "licence_id": "cc0-1.0"},
        {"id": "nc", "text": text, "licence_id": "CC-BY-NC-4.0"},
        {"id": "cc0", "text": text + "另訂之。", "licence_id": "CC0-1.0"},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 3
    assert "in.jsonl:1: skipped (unknown_licence)" in err and "`cc0-1.0` is not in the licence catalogue" in err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(rows) == {"nc", "cc0"}
    assert rows["cc0"]["survivor"] and rows["nc"]["duplicate_of"] == "cc0" and rows["nc"]["rule"] == "licence"


def test_cli_blank_document_and_licence_cells_are_absent_ones(cli, tmp_path):
    """A spreadsheet export writes an empty cell as ``""``: a blank ``document`` made every law_moj line one document
    again (the identical article of a second law marked a duplicate, dropped), and a blank ``licence_id`` was
    quarantined as an unknown licence (exit 3) although it names none, as in a manifest."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    art = "違反本法或依本法所發布之命令者，除本法另有處罰規定外，處新臺幣五十萬元以上一千萬元以下罰鍰。"
    lines = [
        {"id": "bank-136", "text": art, "source_kind": "law_moj", "document": "", "licence_id": ""},
        {"id": "fhc-67", "text": art, "source_kind": "law_moj", "document": "  ", "licence_id": " "},
        {"id": "book", "text": art, "source_kind": "textbooks", "document": "", "licence_id": " CC-BY-4.0 "},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["bank-136"]["survivor"] and rows["fhc-67"]["survivor"], rows
    assert rows["fhc-67"]["near_duplicate_of"] == "bank-136"
    assert rows["book"]["survivor"] is False and rows["book"]["rule"] == "authority"


def test_cli_never_clusters_deleted_stubs(cli, tmp_path):
    """As in the stage, a （刪除） stub of a repealed article is flagged and never clustered: the stubs of one law (its
    `document` given) were each other's exact duplicates and all but one marked survivor:false."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [
        {"id": "bank-5", "text": "（刪除）", "source_kind": "law_moj", "document": "G0380001"},
        {"id": "bank-7", "text": "（刪除）", "source_kind": "law_moj", "document": "G0380001"},
        {"id": "book-3", "text": "(删除)", "source_kind": "textbooks"},
        {"id": "a1", "text": "銀行應依主管機關之規定辦理存款準備金之提存，並定期申報。", "source_kind": "law_moj"},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 0, err
    rows = [json.loads(r) for r in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["bank-5", "bank-7", "book-3", "a1"]  # input order
    for r in rows[:3]:
        assert r["survivor"] and r["deleted_stub"] and r["cluster"] == r["id"] and r["duplicate_of"] is None, r
    assert rows[3]["survivor"] and rows[3]["deleted_stub"] is False
    assert "4 documents, 4 clusters" in err and "3 （刪除） stubs not clustered" in err


def test_cli_quarantines_an_optional_field_that_is_no_string_or_integer(cli, tmp_path):
    """An optional field was read as its Python text, whatever its JSON type: `"version": {"edition": 2}` ranked as
    "{'edition': 2}" and beat edition 9 by "newest", `true` became "True", a list a document "['x']" (review 9,
    integration). Such a line is quarantined, as one whose `text` is not a string; an integer is read as a string."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    text = "本行依銀行法規定辦理存款業務，並應依主管機關之規定提存存款準備金。"
    lines = [
        {"id": "obj", "text": text, "version": {"edition": 2}},
        {"id": "nine", "text": text, "version": 9},
        {"id": "bool", "text": text, "source_kind": True},
        {"id": "list", "text": text, "document": ["銀行法"]},
        {"id": "float", "text": text, "version": 2024.10},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 3, err
    for n, (field, kind) in enumerate(
        [("version", "an object"), ("source_kind", "a boolean"), ("document", "a list"), ("version", "a number")]
    ):
        line = (1, 3, 4, 5)[n]
        assert f"in.jsonl:{line}: skipped (bad_field): `{field}` is {kind}, not a string or an integer" in err, err
    rows = [json.loads(r) for r in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["nine"] and rows[0]["survivor"]


def test_cli_refuses_a_misspelt_source_kind(cli, tmp_path):
    """A line's ``source_kind`` spelt as the ingest command (`law-moj`) or in capitals ranked as no source and was
    deduplicated globally: the identical article of another law was dropped as a duplicate, silently (exit 0)."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    art = "違反本法或依本法所發布之命令者，除本法另有處罰規定外，處新臺幣五十萬元以上一千萬元以下罰鍰。"
    lines = [
        {"id": "bank", "text": art, "source_kind": "law_moj", "document": "銀行法"},
        {"id": "fhc", "text": art, "source_kind": "law-moj", "document": "金融控股公司法"},
        {"id": "ins", "text": art, "source_kind": "LAW_MOJ", "document": "保險法"},
        {"id": "own", "text": art + "其他。", "source_kind": "news"},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 3, err
    assert "in.jsonl:2: skipped (unknown_source_kind)" in err and "did you mean `law_moj`?" in err
    assert "in.jsonl:3: skipped (unknown_source_kind)" in err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(rows) == {"bank", "own"}  # a kind of the user's own passes
    assert all(r["duplicate_of"] is None for r in rows.values() if r["id"] != "own")


def test_cli_a_version_without_digits_is_no_version(cli, tmp_path):
    """A manifest's unknown date (`不詳`, `n.d.`) compared as text came after every date: that copy was 'newest' and the
    dated one was dropped as its duplicate."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    text = "本行依銀行法規定辦理存款業務，並應依主管機關之規定提存存款準備金。"
    lines = [
        {"id": "a-unknown", "text": text, "version": "不詳"},
        {"id": "b-nd", "text": text, "version": "n.d."},
        {"id": "c-dated", "text": text, "version": "2024-01-01"},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["c-dated"]["survivor"]
    assert [rows[k]["duplicate_of"] for k in ("a-unknown", "b-nd")] == ["c-dated", "c-dated"]
    assert {rows[k]["rule"] for k in ("a-unknown", "b-nd")} == {"newest"}


def test_cli_a_chained_copy_names_the_member_it_matched(cli, tmp_path):
    """A≈B≈C: C dropped "as a duplicate of A" at a Jaccard below the threshold names B, the member it matched."""
    from .test_engine import _chain

    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    a, b, c = _chain()
    lines = [
        {"id": "C", "text": c, "version": "1"},
        {"id": "A", "text": a, "version": "3"},
        {"id": "B", "text": b, "version": "2"},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["C"]["duplicate_of"] == "A" and rows["C"]["jaccard"] < 0.7
    assert rows["C"]["matched"] == "B" and rows["C"]["matched_jaccard"] >= 0.7
    assert rows["B"]["matched"] is None and rows["A"]["matched"] is None


def test_cli_refuses_a_source_kind_typed_in_full_width_letters(cli, tmp_path):
    """`ｌａｗ＿ｍｏｊ` (a spreadsheet cell typed in an input method's full-width mode) named no source and passed: the
    identical article of another law was dropped as a duplicate (exit 0). A tag of the user's own after a colon
    (`law_moj:en`) is the source, as the message says."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    art = "違反本法或依本法所發布之命令者，除本法另有處罰規定外，處新臺幣五十萬元以上一千萬元以下罰鍰。"
    lines = [
        {"id": "bank", "text": art, "source_kind": "law_moj", "document": "銀行法"},
        {"id": "fhc", "text": art, "source_kind": "ｌａｗ＿ｍｏｊ", "document": "金融控股公司法"},
        {"id": "en", "text": art, "source_kind": "law_moj:en", "document": "保險法"},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 3, err
    assert "in.jsonl:2: skipped (unknown_source_kind)" in err and "did you mean `law_moj`?" in err, err
    assert "`law_moj:en`" in err, err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(rows) == {"bank", "en"} and all(r["duplicate_of"] is None for r in rows.values())


def test_cli_a_version_in_roc_years_is_the_day_it_names(cli, tmp_path):
    """A textbook's 113.05.01 or 民國113年5月1日 (2024) compared as written lost to 2023-01-01 ("003113" < "0042023")
    or beat every western date (民 after every digit): the older copy was kept, `rule: newest`."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    text = "本行依銀行法規定辦理存款業務，並應依主管機關之規定提存存款準備金，其比率由中央銀行定之。"
    lines = [
        {"id": "a-iso-2023", "text": text, "source_kind": "textbooks", "version": "2023-01-01"},
        {"id": "b-roc-2024", "text": text, "source_kind": "textbooks", "version": "113.05.01"},
        {"id": "c-iso-2023", "text": text + "甲", "source_kind": "corpus", "version": "2023-06-01"},
        {"id": "d-roc-2021", "text": text + "甲", "source_kind": "corpus", "version": "民國110年5月1日"},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["b-roc-2024"]["survivor"]
    assert rows["a-iso-2023"]["duplicate_of"] == "b-roc-2024" and rows["a-iso-2023"]["rule"] == "newest"
    # among the corpus copies (beaten by authority either way) the 2023 copy is the newer one
    from curate.dedup.config import DedupConfig
    from curate.dedup.survivor import Candidate, choose

    pair = [
        Candidate("d-roc-2021", "corpus", version="民國110年5月1日"),
        Candidate("c", "corpus", version="2023-06-01"),
    ]
    assert choose(pair, DedupConfig()).id == "c"


def test_cli_two_customers_scrubbed_copies_of_one_letter_are_one_text(cli, tmp_path):
    """The decision on PII placeholders (README, dedup): a scrubbed text is compared as it ships. Two customers'
    copies of one form letter, identical once scrubbed, are one training text: one is kept, the other's row names
    only the kept record's id (no personal value reaches the output). Pseudonyms are keyed per value: under them the
    two customers' letters differ (a short letter's are not even near duplicates), the same customer's do not."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    body = "您好，本行通知您，您於本行開立之帳戶〔銀行帳號〕因逾期未繳款，已依約定辦理停用，請於十日內與客服中心聯繫。"
    lines = [
        {"id": "letter-a", "text": "〔姓名〕" + body},
        {"id": "letter-b", "text": "〔姓名〕" + body},
        {"id": "pseudo-c", "text": "〔姓名#3fa2c1〕" + body.replace("〔銀行帳號〕", "〔銀行帳號#0a1b2c〕")},
        {"id": "pseudo-d", "text": "〔姓名#9b01d2〕" + body.replace("〔銀行帳號〕", "〔銀行帳號#77e0f3〕")},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["letter-a"]["survivor"] and rows["letter-b"]["duplicate_of"] == "letter-a"
    assert rows["letter-b"]["match"] == "exact"
    assert rows["pseudo-c"]["survivor"] and rows["pseudo-d"]["survivor"]
    assert rows["pseudo-c"]["cluster"] != rows["pseudo-d"]["cluster"]
    assert all(v not in out.read_text(encoding="utf-8") for v in ("〔", "姓名", "3fa2c1"))


def test_cli_a_textbook_edition_in_roc_years_is_its_western_year(cli, tmp_path):
    """A textbook's 112年版 (2023) read as written ("003112") lost to 2022年版 ("0042022"): the older edition was kept."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    text = "銀行辦理授信，應訂定授信政策，並依授信對象之信用狀況，建立徵信、審核、覆審及逾期放款催收之作業程序。"
    lines = [
        {"id": "a-2022", "text": text, "source_kind": "textbooks", "version": "2022年版"},
        {"id": "b-112", "text": text, "source_kind": "textbooks", "version": "112年版"},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["b-112"]["survivor"] and rows["a-2022"]["duplicate_of"] == "b-112"
    assert rows["a-2022"]["rule"] == "newest"


def test_cli_a_hostile_version_of_thousands_of_han_digits_is_read(cli, tmp_path):
    """A version of 5,000 一 (a hostile or garbled line) was read as an int through the shared numeral table and
    Python's 4,300-digit limit stopped `curate dedup` with a traceback; as text it is a (large) edition number."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    text = "本行依銀行法規定辦理存款業務，並應依主管機關之規定提存存款準備金，其比率由中央銀行定之。"
    lines = [{"id": "a-huge", "text": text, "version": "一" * 5000}, {"id": "b-two", "text": text, "version": "二"}]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["a-huge"]["survivor"] and rows["b-two"]["duplicate_of"] == "a-huge"


def test_cli_what_follows_a_dated_version_still_counts(cli, tmp_path):
    """Since the ROC-date reading (506ed50) a dated version was its day alone: 113.05.01 第3版 tied with 113.05.01
    第2版 (and 2024-05-01 v3 with v2), and the longer, older copy was kept (`rule: longer`)."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    text = "銀行辦理授信，應訂定授信政策，並依授信對象之信用狀況，建立徵信、審核、覆審及逾期放款催收之作業程序。"
    lines = [
        {"id": "a-2nd", "text": text + "。", "source_kind": "textbooks", "version": "113.05.01 第2版"},
        {"id": "b-3rd", "text": text, "source_kind": "textbooks", "version": "113.05.01 第3版"},
        {"id": "c-v2", "text": text + "甲。", "source_kind": "corpus", "version": "2024-05-01 v2"},
        {"id": "d-v3", "text": text + "甲", "source_kind": "corpus", "version": "2024-05-01 v3"},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out), "--threshold", "0.5")
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["b-3rd"]["survivor"] and rows["a-2nd"]["duplicate_of"] == "b-3rd"
    assert rows["a-2nd"]["rule"] == "newest"
    from curate.dedup.config import DedupConfig
    from curate.dedup.survivor import Candidate, choose

    pair = [
        Candidate("c-v2", "corpus", version="2024-05-01 v2", length=9),
        Candidate("d-v3", "corpus", version="2024-05-01 v3"),
    ]
    assert choose(pair, DedupConfig()).id == "d-v3"


def test_cli_a_dotted_release_number_is_no_roc_date(cli, tmp_path):
    """Since the ROC-date reading (506ed50) a dataset's release 10.2.1 was read as ROC 10, 1921-02-01, and came after
    10.10.0 (no day, compared as written): the older release was kept, `rule: newest`. 99.05.01 is still a date."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    text = "銀行辦理授信，應訂定授信政策，並依授信對象之信用狀況，建立徵信、審核、覆審及逾期放款催收之作業程序。"
    other = "本行依銀行法規定辦理存款業務，並應依主管機關之規定提存存款準備金，其比率由中央銀行定之。"
    lines = [
        {"id": "a-10.2.1", "text": text, "source_kind": "moda", "version": "10.2.1"},
        {"id": "b-10.10.0", "text": text, "source_kind": "moda", "version": "10.10.0"},
        {"id": "c-roc99", "text": other, "source_kind": "corpus", "version": "99.05.01"},
        {"id": "d-2009", "text": other, "source_kind": "corpus", "version": "2009-12-31"},
    ]
    _write(inp, [json.dumps(x, ensure_ascii=False) for x in lines])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["b-10.10.0"]["survivor"] and rows["a-10.2.1"]["duplicate_of"] == "b-10.10.0"
    assert rows["a-10.2.1"]["rule"] == "newest"
    assert rows["c-roc99"]["survivor"] and rows["d-2009"]["duplicate_of"] == "c-roc99"


def test_an_integer_id_and_the_string_of_its_digits_clash(cli, tmp_path):
    """Decided (review 14): `1` and `"1"` are one id (ids are read and written as strings: two output rows "1" could
    not be joined back): the second is quarantined as a duplicate, first kept, and the message says why."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(
        inp,
        [
            json.dumps({"id": 1, "text": "金融監督管理委員會發布新聞稿，說明銀行法修正。"}, ensure_ascii=False),
            json.dumps({"id": "1", "text": "另一段完全不同的文字內容，關於保險業務。"}, ensure_ascii=False),
            json.dumps({"id": "x1", "text": "第三段"}, ensure_ascii=False),
            json.dumps({"id": "x1", "text": "第四段"}, ensure_ascii=False),
        ],
    )
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 3, err
    rows = [json.loads(r) for r in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["1", "x1"] and all(r["survivor"] for r in rows)
    dup = [line for line in err.splitlines() if "duplicate id" in line]
    assert len(dup) == 2 and "in.jsonl:2" in dup[0] and "integer id and the string of its digits" in dup[0], err
    assert "in.jsonl:4" in dup[1] and "integer id and" not in dup[1], err


@pytest.mark.parametrize("ids", [("1", "1"), (1, 1), ("-7", "-7")])
def test_a_numeric_id_repeated_in_one_form_is_a_plain_duplicate(cli, tmp_path, ids):
    """Review 14 (review of the fixes): the note on 1 and "1" was added to every repeated id of digits, so a bank's
    numeric ids written as strings, "1" twice, were told an integer and a string had met."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(inp, [json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in zip(ids, ("第一段", "第二段"))])
    code, _, err = cli("dedup", "--input", str(inp), "--output", str(out))
    assert code == 3, err
    (dup,) = [line for line in err.splitlines() if "duplicate id" in line]
    assert "in.jsonl:2" in dup and "integer id and" not in dup, err
