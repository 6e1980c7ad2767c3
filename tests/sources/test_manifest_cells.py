"""Manifest headers and cells that would let the wrong value win silently (review 8): a column named twice, a row
with more cells than the header (an unquoted comma), a NUL byte in a path. Each is refused by name or by line."""

from __future__ import annotations

import pytest

from provenance.errors import ConfigError
from sources.manifest import ManifestReason, check_manifest, read_manifest
from sources.tabf import TabfSource

PARA = "授信五P原則：借款戶、資金用途、還款來源、債權保障、未來展望。"


def _folder(tmp_path, header: str, rows: list[str], files=("a.txt", "b.txt", "c.txt")):
    d = tmp_path / "m"
    d.mkdir()
    for name in files:
        (d / name).write_text(PARA, encoding="utf-8")
    manifest = d / "manifest.csv"
    manifest.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return manifest


@pytest.mark.parametrize("second", ["licence_id", " licence_id", "licence_id "])
def test_a_column_named_twice_refuses_the_manifest_naming_it(tmp_path, second):
    manifest = _folder(tmp_path, f"path,licence_id,title,{second},licensor", ["a.txt,CC-BY-NC-4.0,甲,CC-BY-4.0,某大學"])
    with pytest.raises(ConfigError, match=r"names column\(s\) licence_id more than once") as err:
        list(read_manifest(manifest))
    assert "\n" not in str(err.value)
    with pytest.raises(ConfigError, match="licence_id more than once"):
        check_manifest(manifest)


def test_blank_header_cells_are_not_a_column_named_twice(tmp_path):
    manifest = _folder(tmp_path, "path,licence_id,,", ["a.txt,CC-BY-4.0,,"])
    assert [r.licence_id for r in read_manifest(manifest)] == ["CC-BY-4.0"]


def test_a_row_with_more_cells_than_the_header_is_rejected_by_line(tmp_path, collect):
    manifest = _folder(
        tmp_path,
        "path,licence_id,title,licensor",
        ["a.txt,CC-BY-4.0,授信實務, 第三版,金融研訓院", 'b.txt,CC-BY-4.0,"授信實務, 第三版",金融研訓院'],
    )
    out = list(read_manifest(manifest))
    assert (out[0].locator, out[0].reason, out[0].excerpt) == (
        "manifest.csv:2:a.txt",
        ManifestReason.EXTRA_CELLS,
        "5 cells, header has 4; quote a cell that holds a comma",
    )
    assert (out[1].title, out[1].licensor) == ("授信實務, 第三版", "金融研訓院")
    records, rejections, _ = collect(TabfSource([manifest]))
    assert [r.reason for r in rejections] == [ManifestReason.EXTRA_CELLS]
    assert {r.locator.split("#")[0] for r in records} == {"b.txt"}
    checked = {e["path"]: e for e in check_manifest(manifest)}
    assert checked["a.txt"]["status"] == "rejected" and "5 cells" in checked["a.txt"]["problems"][0]


def test_a_valid_row_beside_one_with_extra_cells_for_the_same_file_is_rejected_too(tmp_path):
    manifest = _folder(tmp_path, "path,licence_id,title", ["a.txt,CC-BY-NC-4.0,甲,乙", "a.txt,CC-BY-4.0,甲"])
    assert [r.reason for r in read_manifest(manifest)] == [ManifestReason.EXTRA_CELLS, ManifestReason.CONFLICTING_ROWS]


def test_a_nul_byte_in_a_path_rejects_that_row_only(tmp_path):
    from curate.ingest import ingest

    title = "授信實務" * 20  # one control character in a longer text is under decode_text's 1 % of them
    rows = [f"a.txt,CC-BY-4.0,{title}", f"b\x00.txt,CC-BY-4.0,{title}", f"c.txt,CC-BY-4.0,{title}"]
    manifest = _folder(tmp_path, "path,licence_id,title", rows, files=("a.txt", "c.txt"))
    out = list(read_manifest(manifest))
    assert [getattr(r, "reason", None) for r in out] == [None, ManifestReason.BAD_PATH, None]
    assert "embedded null byte" in out[1].excerpt
    checked = [e["status"] for e in check_manifest(manifest)]
    assert checked == ["ok", "rejected", "ok"]
    report = ingest(tmp_path / "c.duckdb", TabfSource([manifest]))
    assert report.records_new == 2 and report.quarantine_reasons == {ManifestReason.BAD_PATH: 1}


def test_manifest_check_shows_a_nul_byte_of_a_path_as_an_escape(tmp_path, cli):
    title = "授信實務" * 20
    rows = [f"a.txt,CC-BY-4.0,{title}", f"b\x00.txt,CC-BY-4.0,{title}"]
    code, out, _ = cli("manifest", "check", str(_folder(tmp_path, "path,licence_id,title", rows, files=("a.txt",))))
    assert code == 3 and "\x00" not in out
    assert (
        "line 3: b\\x00.txt [-] rejected" in out and "problem: manifest path that cannot be resolved: b\\x00.txt" in out
    )


def test_a_trailing_empty_cell_on_every_row_is_not_an_extra_cell(tmp_path, collect):
    """Excel and other CSV writers end each row with one more comma: the surplus cells are empty, so nothing sits a
    column late; a row of commas only is a blank line, skipped as one (review 8 of the fixes, #1)."""
    d = tmp_path / "m"
    d.mkdir()
    for name in ("a.txt", "b.txt"):
        (d / name).write_text(PARA, encoding="utf-8")
    manifest = d / "manifest.csv"
    rows = ["path,licence_id,title,licensor", "a.txt,CC-BY-4.0,授信,某大學,", "b.txt,CC-BY-4.0,存款,某大學, ,", ",,,,"]
    manifest.write_bytes("\r\n".join(rows).encode() + b"\r\n")
    out = list(read_manifest(manifest))
    assert [(r.rel_path, r.licence_id, r.title, r.licensor) for r in out] == [
        ("a.txt", "CC-BY-4.0", "授信", "某大學"),
        ("b.txt", "CC-BY-4.0", "存款", "某大學"),
    ]
    assert [e["status"] for e in check_manifest(manifest)] == ["ok", "ok"]
    records, rejections, _ = collect(TabfSource([manifest]))
    assert rejections == [] and {r.locator.split("#")[0] for r in records} == {"a.txt", "b.txt"}


def test_a_surplus_cell_that_holds_something_is_still_counted_with_the_empty_ones(tmp_path):
    manifest = _folder(tmp_path, "path,licence_id,title", ["a.txt,CC-BY-4.0,授信, 第三版,", ",,,x"])
    out = list(read_manifest(manifest))
    assert [(r.reason, r.excerpt) for r in out] == [
        (ManifestReason.EXTRA_CELLS, "5 cells, header has 3; quote a cell that holds a comma"),
        (ManifestReason.MISSING_PATH, "the row has cells but no `path`; name the file it licenses"),
    ]


def test_a_column_named_as_a_key_the_ingest_sets_refuses_the_manifest(tmp_path, cli):
    """A steward's own ``file_sha256`` column replaced the digest the ingest computes, so a corrected file read as
    unchanged on every later ingest and its new text was never extracted (exit 0, "1 unchanged")."""
    manifest = _folder(tmp_path, "path,licence_id,title,file_sha256", ["a.txt,CC-BY-4.0,甲,0123abcd"])
    code, out, err = cli("ingest", "tabf", str(manifest))
    assert code == 1 and "has column(s) file_sha256, which the ingest sets itself" in out + err, out + err
    assert "rename them" in out + err and "Traceback" not in out + err
    code, out, err = cli("manifest", "check", str(manifest))
    assert code == 1 and "file_sha256" in out + err, out + err
    manifest.write_text("path,licence_id,title,steward_sha256\na.txt,CC-BY-4.0,甲,0123abcd\n", encoding="utf-8")
    assert cli("ingest", "tabf", str(manifest))[0] == 0  # renamed, the column is kept in the metadata as before
    (manifest.parent / "a.txt").write_text("更正後的內容：授信原則第二版。", encoding="utf-8")
    code, out, _ = cli("ingest", "tabf", str(manifest))
    assert code == 0 and "1 new versions" in out, out


def test_a_missing_required_column_is_listed_once(tmp_path):
    """Review 14: the message listed `licence_id` as required and again as optional."""
    manifest = _folder(tmp_path, "path,title", ["a.txt,甲"])
    with pytest.raises(ConfigError, match=r"lacks column\(s\) licence_id") as err:
        list(read_manifest(manifest))
    required, optional = str(err.value).split("required: ", 1)[1].split("; optional: ", 1)
    assert required == "path, licence_id"
    assert {"path", "licence_id"}.isdisjoint(c.strip() for c in optional.split(",")) and "title" in optional
