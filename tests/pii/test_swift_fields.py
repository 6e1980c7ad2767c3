"""An MT103's party fields pasted into a remittance note (review 16): the ordering customer's and the beneficiary's
account and name lines (``:50K:/0123456789012`` then ``CHEN MEI LING``) went through ``curate pii scrub`` in clear;
a bank's BIC field, a company beneficiary and prose about the format stay."""

import json

MT103 = (
    ":20:REF20231115001\n:32A:231115USD25000,00\n"
    ":50K:/0123456789012\nCHEN MEI LING\nTAIPEI TAIWAN\n"
    ":52A:CTCBTWTP\n"
    ":59:/7788120045\nTRAN THI MAI\nHANOI VIETNAM\n"
    ":71A:SHA"
)


def test_scrub_removes_the_party_accounts_and_names(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps({"id": "m", "text": MT103}) + "\n", encoding="utf-8")
    code, _, err = cli("-q", "pii", "scrub", "--input", str(src), "--output", str(out))
    assert code == 0, err
    text = json.loads(out.read_text(encoding="utf-8"))["text"]
    for value in ("0123456789012", "CHEN MEI LING", "7788120045", "TRAN THI MAI"):
        assert value not in text, text
    for kept in ("CTCBTWTP", "USD25000,00", "TAIPEI TAIWAN", "HANOI VIETNAM", ":71A:SHA"):
        assert kept in text, text


def test_structured_option_and_a_name_on_the_tag_line(det):
    text = ":50F:/12345678901\n1/NGUYEN VAN AN\n2/12 LE LOI\n:59:PUTRI AYU WULANDARI\nJAKARTA"
    got = {(text[s.start : s.end], s.entity_type) for s in det.analyze(text)}
    assert ("12345678901", "TW_BANK_ACCOUNT") in got
    assert ("NGUYEN VAN AN", "PERSON") in got and ("PUTRI AYU WULANDARI", "PERSON") in got


def test_no_person_in_a_company_beneficiary_a_bic_or_prose(det):
    for text in (
        ":59:/4500293847\nACME TRADING CO LTD\nSINGAPORE",
        ":57A:BKCHVNVX\n:59A:CTCBTWTP",
        "Swift MT103 field :50K: holds the ordering customer; field :59: holds the beneficiary.",
    ):
        assert not [s for s in det.analyze(text) if s.entity_type == "PERSON"], text


def test_no_person_in_a_manual_of_the_fields(det):
    # review 16r: a manual's table of the format names each field by its title on the tag's line; the titles were
    # scrubbed as the customers' names (Ordering Customer, 匯款人)
    for text in (
        "MT103 欄位說明：\n:50K: Ordering Customer\n:59: Beneficiary Customer\n:70: Remittance Information",
        ":50K: 匯款人\n:59: 受款人\n:71A: 費用負擔",
        ":50F: Ordering Customer (party identifier, name and address)\n:59F: Beneficiary Customer name",
    ):
        assert not [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"], text


def test_crlf_and_lone_cr_line_ends(cli, tmp_path, monkeypatch):
    """A FIN message's lines end in CR LF (a file saved on Windows too; an old Mac or OCR export in a lone CR), and
    `curate pii scrub` reads the text as it is: the accounts (CR LF) or everything (CR) went through in clear."""
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [{"id": nl, "text": MT103.replace("\n", nl)} for nl in ("\r\n", "\r")]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code, _, err = cli("-q", "pii", "scrub", "--input", str(src), "--output", str(out))
    assert code == 0, err
    for line in out.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        for value in ("0123456789012", "CHEN MEI LING", "7788120045", "TRAN THI MAI"):
            assert value not in text, repr(text)
        for kept in ("CTCBTWTP", "TAIPEI TAIWAN", "HANOI VIETNAM", ":71A:SHA"):
            assert kept in text, repr(text)


def test_a_name_under_an_account_of_letters_passes_the_pre_screen(det):
    """The pre-screen's MT103 part opened with a line start (``^[ \\t]*:5...``) while the screen tries its parts only
    where a letter, a digit or a surname's character stands: it never matched, and a party field with no other thing
    the screen looks for (an account of letters and short digit runs, no 帳號) went through with its name in clear."""
    for nl in ("\n", "\r\n", "\r"):
        text = nl.join((":20:REF", ":50K:/TWBK88AC", "CHEN MEI LING", "TAIPEI", ":71A:SHA"))
        got = {text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"}
        assert got == {"CHEN MEI LING"}, (repr(nl), got)
