"""`export dataset --out FILE` where FILE is an existing file (review 17): click's own check answered with its usage
text and `Error: Invalid value for '--out': Directory ... is a file.` (three lines, no way out named); now one line
from the export's own check, exit 2, the file untouched."""

from __future__ import annotations


def test_out_an_existing_file_is_one_line(mixed, cli, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("keep me\n", encoding="utf-8")
    code, out, err = cli(
        "export", "dataset", "--purpose", "training", "--audience", "public", "--non-commercial",
        "--out", str(target),
    )  # fmt: skip
    assert code == 2, err
    assert "Usage:" not in err and len(err.strip().splitlines()) == 1, err
    assert str(target) in err and "not a folder" in err and "choose a new or empty folder" in err
    assert target.read_text("utf-8") == "keep me\n" and sorted(p.name for p in tmp_path.iterdir()) == [
        "cat.duckdb",
        "notes.txt",
    ]


def test_verify_export_of_a_file_is_one_line(mixed, cli, tmp_path):
    """A recipient handed an archive of the folder passes the archive: click's usage text before, now one line."""
    archive = tmp_path / "export.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))
    code, _, err = cli("audit", "verify-export", str(archive))
    assert code == 2, err
    assert "Usage:" not in err and len(err.strip().splitlines()) == 1, err
    assert "is a file; pass the export's folder" in err
    code, _, err = cli("audit", "verify-export", str(tmp_path / "gone"))
    assert code == 2 and "is missing; pass the export's folder" in err, err


def test_out_with_a_line_break_is_refused_before_anything_is_written(mixed, cli, tmp_path):
    """Review 17: `--out $'e\\nexport 0000: 0 records'` was exported to, and the summary's second line was the name's."""
    for name in ("e\nexport 0000: 0 records", "e\rok", "e\u202egpj.txt"):
        out = tmp_path / name
        code, stdout, err = cli(
            "export", "dataset", "--purpose", "training", "--audience", "public", "--non-commercial",
            "--out", str(out),
        )  # fmt: skip
        assert code == 2, err
        assert len(err.strip().splitlines()) == 1 and "line break, control or bidi character" in err, err
        assert stdout == "" and not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.duckdb"]


def test_a_refused_cjk_out_is_named_as_read(mixed, cli, tmp_path):
    """The refusal named a CJK path in \\u escapes (`\\u532f\\u51fa`); only the hidden character is escaped now."""
    out = tmp_path / "匯出 資料\n第二行"
    code, _, err = cli(
        "export", "dataset", "--purpose", "training", "--audience", "public", "--non-commercial", "--out", str(out),
    )  # fmt: skip
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "匯出 資料\\n第二行" in err and "\\u" not in err, err
