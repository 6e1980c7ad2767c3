"""A file of an FSC input folder that is a symlink out of it is quarantined, never read (review 12), as MODA's is:
before, ``fsc/evil.csv -> /elsewhere/notes.csv`` was ingested as a public FSC case (Copyright Act Art. 9)."""

from __future__ import annotations

from sources.fsc import FscReason, FscSource

CSV = "發文日期,受處分人,主旨,違反事實理由\n114/06/{day},戊{n}人壽,核處罰鍰,未依規定辦理情節重大\n"


def test_a_symlink_out_of_the_folder_is_quarantined_and_the_rest_read(tmp_path, collect):
    d, elsewhere = tmp_path / "fsc", tmp_path / "elsewhere.csv"
    d.mkdir()
    (d / "ok.csv").write_text(CSV.format(day=29, n=1), encoding="utf-8")
    elsewhere.write_text(CSV.format(day=30, n=2), encoding="utf-8")
    (d / "evil.csv").symlink_to(elsewhere)
    records, rejections, skips = collect(FscSource([d]))
    assert [(r.locator, r.reason) for r in rejections] == [("evil.csv", FscReason.LINK_OUTSIDE)]
    assert [r.locator for r in records] == ["ok.csv#line=2"] and skips == []
    named, _, _ = collect(FscSource([d / "evil.csv"]))  # a file named itself is the user's choice, as for MODA
    assert len(named) == 1


def test_a_file_in_a_hidden_folder_is_not_read_as_a_case(tmp_path, collect):
    """A file under a dot-folder (``.ipynb_checkpoints/ok-checkpoint.csv``, ``.git/...``) is hidden, as law.moj,
    MODA and the manifests' folders leave it out: FSC looked only at the file's own name and read the editor's copy
    of a case list as cases of its own."""
    d = tmp_path / "fsc"
    (d / ".ipynb_checkpoints").mkdir(parents=True)
    (d / "ok.csv").write_text(CSV.format(day=29, n=1), encoding="utf-8")
    (d / ".ipynb_checkpoints" / "ok-checkpoint.csv").write_text(CSV.format(day=30, n=2), encoding="utf-8")
    records, rejections, skips = collect(FscSource([d]))
    assert [r.locator for r in records] == ["ok.csv#line=2"] and rejections == [] and skips == []
