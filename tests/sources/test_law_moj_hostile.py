"""law.moj inputs a hostile review found crashing the ingest or read differently by its two paths.

Each case mixes the bad input with a good law: the bad part is quarantined with its reason (or read
right), the good part is ingested, and no traceback ends the run.
"""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest
from catalogue_query import query as _q

from sources import capped
from sources.folder_files import LINK_OUTSIDE
from sources.law_moj import LawMojSource

GOOD = "chlaw_json/ch/G0380001.json"


def _patch_member(blob: bytearray, name: str, *, flags: int | None = None, method: int | None = None) -> None:
    """Set a member's flag bits or compression method in its local header and its central directory entry."""
    raw = name.encode()
    for sig, flag_at, method_at, name_at in ((b"PK\x03\x04", 6, 8, 30), (b"PK\x01\x02", 8, 10, 46)):
        at = blob.find(sig)
        while at >= 0:
            if blob[at + name_at : at + name_at + len(raw)] == raw:
                if flags is not None:
                    struct.pack_into("<H", blob, at + flag_at, flags)
                if method is not None:
                    struct.pack_into("<H", blob, at + method_at, method)
            at = blob.find(sig, at + 4)


def _hostile_zip(path: Path, law: bytes) -> None:
    """A ZIP of one good law and three members zipfile cannot read: encrypted, method 93, a broken deflate stream."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("good.json", "enc.json", "m93.json", "broken.json"):
            zf.writestr(name, law)
    blob = bytearray(path.read_bytes())
    _patch_member(blob, "enc.json", flags=0x1)
    _patch_member(blob, "m93.json", method=93)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("broken.json")
    start = info.header_offset + 30 + len("broken.json")
    blob[start + 10 : start + 40] = b"\xff" * 30  # an invalid code inside the deflate stream
    path.write_bytes(bytes(blob))


def test_unreadable_zip_members_are_quarantined_and_the_rest_ingested(cli, db_path, tmp_path, law_fixtures):
    z = tmp_path / "ChLaw.json.zip"
    _hostile_zip(z, (law_fixtures / GOOD).read_bytes())
    other = law_fixtures / "chlaw_json/ch/G0380177.json"
    code, out, err = cli("ingest", "law-moj", str(z), str(other), "--scope", "all")
    assert code == 3 and "Traceback" not in err, out + err
    reasons = {loc.split("!")[-1]: r for loc, r in _q(db_path, "SELECT locator, reason FROM quarantine")}
    assert reasons["enc.json"] == "password-protected ZIP member"
    assert reasons["m93.json"].startswith("unsupported ZIP compression method 93")
    assert reasons["broken.json"].startswith("corrupt or truncated ZIP member")
    assert len(reasons) == 3
    pcodes = {p for (p,) in _q(db_path, "SELECT DISTINCT json_extract_string(metadata, '$.pcode') FROM records")}
    assert pcodes == {"G0380001", "G0380177"}


def _out_of_scope_law(tmp_path: Path, law_fixtures: Path) -> Path:
    law = json.loads((law_fixtures / "chlaw_json/ch/G0380177.json").read_text(encoding="utf-8"))
    law["LawCategory"] = "行政＞內政部＞戶政目"
    f = tmp_path / "law.json"
    f.write_text(json.dumps(law, ensure_ascii=False), encoding="utf-8")
    return f


def test_allow_takes_a_lower_case_pcode(cli, db_path, tmp_path, law_fixtures):
    """``--allow g0380177`` once matched nothing (PCODEs from URLs are upper-cased) and the law was skipped."""
    code, out, err = cli("ingest", "law-moj", "--allow", " g0380177", str(_out_of_scope_law(tmp_path, law_fixtures)))
    assert code == 0, out + err
    assert _q(db_path, "SELECT count(*) FROM records")[0][0] > 0


def test_allow_refuses_what_is_not_a_pcode(cli, db_path, tmp_path, law_fixtures):
    code, out, err = cli("ingest", "law-moj", "--allow", "G038", str(_out_of_scope_law(tmp_path, law_fixtures)))
    assert code != 0 and "Traceback" not in err
    assert "--allow 'G038' is not a PCODE" in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-16-le", "utf-32"])
def test_xml_in_utf16_is_read_by_its_encoding(tmp_path, law_fixtures, collect, codec):
    """UTF-16 FalVMingLing XML gives the records of its UTF-8 form (removing control bytes before decoding once
    destroyed it: quarantined as malformed); UTF-32 is refused by name."""
    utf8 = law_fixtures / "falvmingling_xml/ch/G0380112.xml"
    text = utf8.read_text(encoding="utf-8")
    f = tmp_path / "G0380112.xml"
    f.write_bytes(('<?xml version="1.0" encoding="UTF-16"?>\r\n' + text).encode(codec))  # "utf-16": with a BOM
    records, rejections, _ = collect(LawMojSource([f], scope="all"))
    if codec == "utf-32":
        assert not records and [r.reason for r in rejections] == [capped.REASON_UTF32]
        return
    want, _, _ = collect(LawMojSource([utf8], scope="all"))
    assert not rejections and len(records) == len(want) > 0
    assert [(r.doc_key, r.text, r.title) for r in records] == [(r.doc_key, r.text, r.title) for r in want]


def test_a_zip_is_read_member_by_member_not_whole_into_memory(tmp_path, law_fixtures):
    """A dump ZIP is read from the file, one member at a time: a 64 MiB non-law member beside a law (the official
    download can carry attachments) took the whole archive into memory (`read_bytes`), so a 1.2 GB ZIP needed
    1.4 GB of memory to ingest one 100 KB law. The ingest's peak now follows the largest law member."""
    import os
    import tracemalloc

    z = tmp_path / "ChLaw.json.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("G0380001.json", (law_fixtures / GOOD).read_bytes())
        with zf.open("attachments.pdf", "w") as fh:
            chunk = os.urandom(1 << 20)
            for _ in range(64):
                fh.write(chunk)
    src = LawMojSource([z], scope="all")
    tracemalloc.start()
    try:
        items = list(src.iter_raw())
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    kinds = sorted(type(i).__name__ for i in items)
    assert kinds == ["RawItem", "Skip"], items
    assert peak < 16 << 20, f"peak {peak >> 20} MiB while reading a ZIP of a 100 KB law and a 64 MiB attachment"


def test_a_zip_member_named_in_big5_is_named_right_in_quarantine(cli, db_path, tmp_path, law_fixtures):
    """A ZIP written on a Traditional Chinese Windows names its members in CP950 without the UTF-8 flag; zipfile
    reads such names as CP437, so the quarantine row named `ñ╜ºi.json` for 公告.json and nobody could find it."""
    z = tmp_path / "ChLaw.json.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("G0380001.json", (law_fixtures / GOOD).read_bytes())
        zf.writestr("abcd.json", b"{}")  # a law object without its fields: quarantined
    big5 = "公告.json".encode("cp950")
    assert len(big5) == len(b"abcd.json")
    z.write_bytes(z.read_bytes().replace(b"abcd.json", big5))
    code, out, err = cli("ingest", "law-moj", str(z), "--scope", "all")
    assert code == 3 and "Traceback" not in err, out + err
    assert [loc.split("!")[-1] for (loc,) in _q(db_path, "SELECT locator FROM quarantine")] == ["公告.json"]


def test_a_broken_zip_member_is_quarantined_under_scope_fsc_too(cli, db_path, tmp_path, law_fixtures):
    """Under `--scope fsc` (the default) each ZIP member's head is looked at to read English files last; a broken
    deflate stream there raised zlib.error out of the ingest (a traceback, nothing ingested) instead of the
    member's quarantine row, and an unreadable member stopped the look at the members after it."""
    z = tmp_path / "ChLaw.json.zip"
    law = (law_fixtures / GOOD).read_bytes()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("broken.json", law)
        zf.writestr("good.json", law)
    blob = bytearray(z.read_bytes())
    start = 30 + len("broken.json")
    blob[start + 10 : start + 40] = b"\xff" * 30  # an invalid code inside the first member's deflate stream
    z.write_bytes(bytes(blob))
    code, out, err = cli("ingest", "law-moj", str(z))
    assert code == 3 and "Traceback" not in err, out + err
    reasons = [(loc.split("!")[-1], r) for loc, r in _q(db_path, "SELECT locator, reason FROM quarantine")]
    assert len(reasons) == 1 and reasons[0][0] == "broken.json", reasons
    assert reasons[0][1].startswith("corrupt or truncated ZIP member")
    assert _q(db_path, "SELECT count(*) > 0 FROM records") == [(True,)]


def test_a_big5_named_member_over_the_cap_is_named_right_in_the_excerpt(tmp_path, law_fixtures, collect, monkeypatch):
    """The quarantine row's locator named a CP950 member right, but its excerpt (the cap's numbers) still named
    it as zipfile read it, in CP437 mojibake."""
    monkeypatch.setattr(capped, "MAX_MEMBER_BYTES", 1000)
    z = tmp_path / "ChLaw.json.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("abcd.json", (law_fixtures / GOOD).read_bytes())
    z.write_bytes(z.read_bytes().replace(b"abcd.json", "公告.json".encode("cp950")))
    _, rejections, _ = collect(LawMojSource([z], scope="all"))
    assert [(r.locator.split("!")[-1], r.reason) for r in rejections] == [("公告.json", capped.REASON_ZIP_BOMB)]
    assert rejections[0].excerpt.startswith("公告.json: "), rejections[0].excerpt


def test_a_symlink_out_of_the_input_folder_is_quarantined_never_read(cli, db_path, tmp_path, law_fixtures, collect):
    """Review 12, second look: a file of a law-moj input folder that is a symlink out of it was read as a law under
    the folder's licence, where MODA and FSC quarantine it (``sources/folder_files.py``)."""
    laws = tmp_path / "laws"
    laws.mkdir()
    (laws / "G0380177.json").write_bytes((law_fixtures / "chlaw_json/ch/G0380177.json").read_bytes())
    (laws / "notes.json").symlink_to(law_fixtures / GOOD)
    records, rejections, _ = collect(LawMojSource([laws], scope="all"))
    assert [(r.locator, r.reason) for r in rejections] == [(str(laws / "notes.json"), LINK_OUTSIDE)]
    assert records and all(r.locator.startswith("G0380177") or "G0380177" in r.doc_key for r in records)
    code, out, err = cli("ingest", "law-moj", str(laws), "--scope", "all")  # the bulk (SQL) path
    assert code == 3 and "Traceback" not in err, out + err
    assert _q(db_path, "SELECT reason FROM quarantine") == [(LINK_OUTSIDE,)]
    assert _q(db_path, "SELECT count(*) FROM records WHERE container LIKE '%notes%'") == [(0,)]
    assert _q(db_path, "SELECT count(DISTINCT container) FROM records") == [(1,)]
    code, out, err = cli("ingest", "law-moj", str(laws / "notes.json"), "--scope", "all")  # named: the user's choice
    assert code == 0, out + err
