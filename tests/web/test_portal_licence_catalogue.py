"""The portal and the report follow a corrected licence catalogue (`serve --catalogue`, `report --catalogue`): before
review 13 both judged by the shipped catalogue only, so after a licence ended in the catalogue file that exports are
made with (`export dataset --catalogue`), a bank user still read the records in the portal and the report's
exportable step still counted them, while the next export and `audit licences --catalogue` refused them."""

from __future__ import annotations

import hashlib
import re
import shutil
import socket
import subprocess
import sys
import time

import httpx

from curate.web.auth import UserStore
from provenance import db
from provenance.licences import licence_catalogue_path

from .webhelpers import USERS, first_active, http_login

_EXPORTABLE = re.compile(r"可匯出 exportable \(training, consortium, non-commercial\)</td><td class=\"n\">([\d,]+)<")


def _ended(tmp_path):
    """The shipped catalogue with OGDL-Taiwan-1.0 ended long ago (the licensor's end found out later)."""
    text = licence_catalogue_path().read_text("utf-8")
    ours = tmp_path / "ours.toml"
    ours.write_text(
        text.replace('id = "OGDL-Taiwan-1.0"\n', 'id = "OGDL-Taiwan-1.0"\nexpiry = "2000-01-01"\n', 1), encoding="utf-8"
    )
    return ours


_JUDGED_BY = re.compile(r'<p id="licence-catalogue"[^>]*>[^<]*: ([^<]*)</p>')


def _judged_by(html: str) -> str:
    """Which licence catalogue a page or report says it judged by (before the portal review of review 13 the report
    said none: two reports of one catalogue with different exportable counts could not be told apart)."""
    m = _JUDGED_BY.search(html)
    assert m, "the page does not say which licence catalogue it judged by"
    return m.group(1)


def _exportable(cli, path, out, *extra, judged_by: str = "shipped") -> int:
    code, _, err = cli("report", "--out", str(out), *extra, db=path)
    assert code == 0, err
    assert _judged_by(out.read_text("utf-8")) == judged_by
    m = _EXPORTABLE.search(out.read_text("utf-8"))
    assert m, "no exportable step in the report"
    return int(m.group(1).replace(",", ""))


def test_report_follows_the_corrected_catalogue(demo_catalogue, cli, tmp_path):
    path = tmp_path / "cat.duckdb"
    shutil.copyfile(demo_catalogue["path"], path)
    ours = _ended(tmp_path)
    shipped = _exportable(cli, path, tmp_path / "a.html")
    con = db.connect_readonly(path)
    try:
        law = con.execute(
            "SELECT count(DISTINCT doc_key) FROM export_items JOIN records USING (record_id) WHERE source_id = 'law_moj'"
        ).fetchone()[0]
    finally:
        con.close()
    custom = f"custom `ours.toml` (sha256 {hashlib.sha256(ours.read_bytes()).hexdigest()})"
    assert law > 0 and _exportable(cli, path, tmp_path / "b.html", "--catalogue", str(ours), judged_by=custom) == (
        shipped - law
    )


def test_report_catalogue_given_through_a_pipe(demo_catalogue, cli, tmp_path):
    """`report --catalogue <(...)`: the label of review 13's portal review was taken by hashing the file before and
    after its rules were loaded, and a pipe (not a file before, empty after) was refused as `changed while it was
    read`, where the report before that fix followed it; it is followed and named by the bytes its rules came from."""
    import os
    import threading

    data = _ended(tmp_path).read_bytes()
    r, w = os.pipe()

    def feed() -> None:
        with os.fdopen(w, "wb") as fh:
            fh.write(data)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        code, _, err = cli(
            "report", "--out", str(tmp_path / "p.html"), "--catalogue", f"/proc/self/fd/{r}", db=demo_catalogue["path"]
        )
    finally:
        feeder.join(timeout=30)
        os.close(r)
    assert code == 0, err
    label = _judged_by((tmp_path / "p.html").read_text("utf-8"))
    assert label == f"custom `{r}` (sha256 {hashlib.sha256(data).hexdigest()})"


def test_a_bank_user_sees_no_other_banks_agreement_on_the_licences_page(demo_catalogue, tmp_path):
    """/licences showed a bank user every entry of the catalogue, also an agreement made with one other bank
    (`member:CTBC`: its name, terms and expiry), while that bank's exports and annotations are hidden from it
    (review 13's portal review). A bank sees the public and consortium entries and its own; an auditor all."""
    from provenance.licences import load_licence_catalogue

    from .webhelpers import LivePortal

    block = (
        '\n[[licence]]\nid = "LicenseRef-{b}-Agreement"\nname = "{b} 授權合約 secret terms"\nurl = ""\n'
        'purposes = ["training"]\naudience = ["member:{b}"]\ncommercial = false\nattribution_required = false\n'
        "share_alike = false\nsublicensable = false\nrank = 15\n"
    )
    ours = tmp_path / "banks.toml"
    text = licence_catalogue_path().read_text("utf-8") + block.format(b="CTBC") + block.format(b="ESUN")
    ours.write_text(text, encoding="utf-8")
    p = LivePortal(demo_catalogue["path"], tmp_path / "portal", licence_catalogue=load_licence_catalogue(ours))
    try:
        pages = {}
        for user in ("alice", "esun"):
            with httpx.Client(base_url=p.url) as c:
                http_login(c, user)
                pages[user] = c.get("/licences").text
    finally:
        p.stop()
    assert "CTBC 授權合約" in pages["alice"] and "ESUN 授權合約" in pages["alice"]
    assert "ESUN 授權合約" in pages["esun"] and "CC-BY-4.0" in pages["esun"]  # its own, and the public ones
    assert "CTBC" not in pages["esun"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_follows_the_corrected_catalogue(demo_catalogue, tmp_path):
    path = tmp_path / "cat.duckdb"
    shutil.copyfile(demo_catalogue["path"], path)
    con = db.connect_readonly(path)
    try:
        rid = first_active(con, "law_moj")
    finally:
        con.close()
    users = tmp_path / "portal" / "users.json"
    users.parent.mkdir()
    for user in ("alice", "esun"):
        UserStore(users).add(user, *USERS[user])
    ours = _ended(tmp_path)
    sha = hashlib.sha256(ours.read_bytes()).hexdigest()
    seen, exportable, recall, judged = {}, {}, {}, {}
    for name, extra in (("shipped", []), ("ours", ["--catalogue", str(ours)])):
        port = _free_port()
        cmd = [sys.executable, "-c", "import sys; from curate.cli import main; sys.exit(main())"]
        args = ["--db", str(path), "serve", "--port", str(port), "--users", str(users), *extra]
        proc = subprocess.Popen([*cmd, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
                while True:  # until the portal listens (or its process ended: then say why)
                    assert proc.poll() is None, proc.communicate()[1].decode()
                    try:
                        c.get("/login")
                        break
                    except httpx.TransportError:
                        time.sleep(0.2)
                http_login(c, "esun")
                seen[name] = c.get(f"/record/{rid}")
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
                http_login(c, "alice")  # the portal's report: its exportable step by the same rules
                exportable[name] = int(_EXPORTABLE.search(c.get("/report").text).group(1).replace(",", ""))
                recall[name] = (c.get("/exports").text, c.get(f"/exports/{demo_catalogue['export_id']}").text)
                # every page that judges by the rules says which: the report, the licences page, the export's recall
                judged[name] = {_judged_by(c.get(p).text) for p in ("/report", "/licences")} | {
                    _judged_by(recall[name][1])
                }
                if name == "ours":  # replaced while serving: the portal keeps, and names, the rules it started with
                    ours.write_text("# replaced while serving\n", encoding="utf-8")
                    judged[name] |= {_judged_by(c.get("/licences").text)}
        finally:
            proc.terminate()
            proc.communicate(timeout=60)
    assert seen["shipped"].status_code == 200 and "銀行法" in seen["shipped"].text
    assert seen["ours"].status_code != 200 and "銀行法" not in seen["ours"].text
    assert exportable["ours"] < exportable["shipped"]
    assert judged["shipped"] == {"shipped"}
    assert judged["ours"] == {f"custom `ours.toml` (sha256 {sha})"}
    # the exports pages' licence recall: the export made before the correction shipped records the licence now refuses
    assert (
        'class="bad"' not in recall["shipped"][0] and "every exported record is still allowed" in recall["shipped"][1]
    )
    assert 'class="bad"' in recall["ours"][0] and "<td>expired</td>" in recall["ours"][1]


def test_a_bad_catalogue_file_is_one_line(demo_catalogue, cli, tmp_path):
    for args in (["report", "--out", str(tmp_path / "r.html")], ["serve", "--users", str(tmp_path / "u.json")]):
        code, _, err = cli(*args, "--catalogue", str(tmp_path / "missing.toml"), db=demo_catalogue["path"])
        assert code != 0 and "missing.toml" in err and len(err.strip().splitlines()) == 1, err
