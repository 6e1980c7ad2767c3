"""curate.jsonl_io: the one {"id", "text"} contract of `curate zh convert`, `curate pii`, `curate dedup`."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from curate.jsonl_io import (
    REASONS,
    InvalidLine,
    QuarantineFile,
    ReadStats,
    atomic_output,
    parse_line,
    read_jsonl,
)
from provenance.errors import UsageError


def _read(path, **kw):
    bad, stats = [], ReadStats()
    good = list(read_jsonl(path, on_bad=bad.append, stats=stats, **kw))
    return good, bad, stats


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "bad_json"),
        (b'{"id": "a", "text": "\xff\xfe"}', "not_utf8"),
        (b'["a", "b"]', "not_object"),
        (b'{"text": "x"}', "missing_id"),
        (b'{"id": null, "text": "x"}', "missing_id"),
        (b'{"id": "", "text": "x"}', "bad_id"),
        (b'{"id": true, "text": "x"}', "bad_id"),
        (b'{"id": [1], "text": "x"}', "bad_id"),
        (b'{"id": "a"}', "missing_text"),
        (b'{"id": "a", "text": 5}', "text_not_string"),
        (b'{"id": "a", "text": null}', "text_not_string"),
        (b'{"id": "a", "text": "x\\ud800y"}', "invalid_surrogate"),
        (b'{"id": "\\udc00", "text": "x"}', "invalid_surrogate"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_broken_rule_has_its_reason(raw, reason):
    with pytest.raises(InvalidLine) as exc:
        parse_line(raw)
    assert exc.value.reason == reason and reason in REASONS
    assert str(exc.value)  # a message, not just a code


def test_valid_line_ids_are_strings_and_extra_fields_kept():
    line = parse_line(b'{"id": 7, "text": "", "licence_id": "CC-BY-4.0"}', lineno=4)
    assert (line.lineno, line.id, line.text, line.fields["licence_id"]) == (4, "7", "", "CC-BY-4.0")


def test_bom_blank_lines_crlf_and_line_numbers(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_bytes(
        b'\xef\xbb\xbf{"id": "a", "text": "\xe9\x8a\x80\xe8\xa1\x8c"}\r\n'  # 銀行, BOM first, CRLF
        b"\n"
        b"   \t\n"
        b"{broken\n"
        b'{"id": "b", "text": "x"}'  # no final newline
    )
    good, bad, stats = _read(p)
    assert [(g.lineno, g.id, g.text) for g in good] == [(1, "a", "銀行"), (5, "b", "x")]
    assert [(b.lineno, b.reason) for b in bad] == [(4, "bad_json")]
    assert (stats.lines, stats.quarantined, dict(stats.reasons)) == (3, 1, {"bad_json": 1})
    data = p.read_bytes()
    for g in good:  # offsets point at the JSON itself (after the BOM), so lines can be re-read
        assert json.loads(data[g.offset :].split(b"\n", 1)[0])["id"] == g.id


def test_bom_only_counts_at_the_start_of_the_file(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_bytes(b'{"id": "a", "text": "x"}\n\xef\xbb\xbf{"id": "b", "text": "y"}\n')
    good, bad, _ = _read(p)
    assert [g.id for g in good] == ["a"] and [(b.lineno, b.reason) for b in bad] == [(2, "bad_json")]


def test_long_lines_are_quarantined_without_loading_and_reading_goes_on(tmp_path):
    p = tmp_path / "in.jsonl"
    long = json.dumps({"id": "long", "text": "字" * 5000}, ensure_ascii=False).encode()
    p.write_bytes(long + b"\n" + b'{"id": "b", "text": "y"}\n' + long)
    good, bad, stats = _read(p, max_line_bytes=1000)
    assert [g.id for g in good] == ["b"]
    assert [(b.lineno, b.reason, b.id) for b in bad] == [(1, "line_too_long", None), (3, "line_too_long", None)]
    assert stats.lines == 3


def test_duplicate_ids_only_when_asked(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"id": 1, "text": "a"}\n{"id": "1", "text": "b"}\n', encoding="utf-8")
    good, bad, _ = _read(p)
    assert [g.text for g in good] == ["a", "b"] and not bad
    good, bad, _ = _read(p, unique_ids=True)
    assert [g.text for g in good] == ["a"] and [(b.lineno, b.reason, b.id) for b in bad] == [(2, "duplicate_id", "1")]


def test_quarantine_rows_never_hold_the_text_and_file_is_rewritten(tmp_path):
    p, q = tmp_path / "in.jsonl", tmp_path / "q.jsonl"
    p.write_text('{"id": "a", "text": 12345678}\n{"id": "b", "text": "王小明 0912345678", "x": }\n', encoding="utf-8")
    with QuarantineFile(q) as quarantine:
        assert list(read_jsonl(p, on_bad=quarantine)) == []
    rows = [json.loads(x) for x in q.read_text(encoding="utf-8").splitlines()]
    assert [set(r) for r in rows] == [{"line", "id", "reason", "message"}] * 2
    assert [(r["line"], r["id"], r["reason"]) for r in rows] == [(1, "a", "text_not_string"), (2, None, "bad_json")]
    assert "12345678" not in q.read_text() and "0912345678" not in q.read_text()
    p.write_text('{"id": "a", "text": "ok"}\n', encoding="utf-8")
    with QuarantineFile(q) as quarantine:
        assert [g.id for g in read_jsonl(p, on_bad=quarantine)] == ["a"]
    assert q.read_text() == ""  # a stale quarantine from the earlier run does not survive


def test_atomic_output_appears_only_when_complete(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")

    def crash_midway() -> None:
        with atomic_output(out) as fh:
            fh.write("partial\n")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        crash_midway()
    assert out.read_text() == "old\n" and not list(tmp_path.glob("*.tmp"))
    with atomic_output(out) as fh:
        fh.write("new\n")
    assert out.read_text() == "new\n"


MESSY = [
    b'\xef\xbb\xbf{"id": "a", "text": "\xe9\x8a\x80\xe8\xa1\x8c\xe6\xb3\x95"}',  # BOM + 銀行法
    b"",
    b"{not json",
    b'{"text": "no id"}',
    b'{"id": "c", "text": ["not", "a", "string"]}',
    b'{"id": 9, "text": "\xe9\x87\x91\xe8\x9e\x8d"}',  # 金融, integer id
]


@pytest.mark.parametrize(
    ("argv", "quarantine"),
    [
        (["zh", "convert"], "out.jsonl.quarantine.jsonl"),
        (["pii", "detect"], "out.jsonl.errors.jsonl"),
        (["dedup"], None),
    ],
    ids=["zh-convert", "pii-detect", "dedup"],
)
def test_the_three_tools_read_the_same_file_the_same_way(cli, tmp_path, argv, quarantine):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_bytes(b"\n".join(MESSY) + b"\n")
    code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
    assert code == 3, err
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["a", "9"]
    if quarantine:
        rows = [json.loads(x) for x in (tmp_path / quarantine).read_text(encoding="utf-8").splitlines()]
        assert [(r["line"], r["reason"]) for r in rows] == [(3, "bad_json"), (4, "missing_id"), (5, "text_not_string")]
    else:
        assert all(f"in.jsonl:{n}: skipped ({r})" in err for n, r in [(3, "bad_json"), (4, "missing_id")])
        assert "in.jsonl:5: skipped (text_not_string)" in err


GOOD = '{"id": "a", "text": "銀行法"}\n{"id": "b", "text": "金融"}\n'


@pytest.mark.parametrize(
    ("argv", "side"),
    [
        (["zh", "convert", "--output", "o.jsonl", "--quarantine", "{in}"], None),
        (["pii", "detect", "--output", "o.jsonl", "--errors", "{in}"], None),
        (["pii", "scrub", "--output", "o.jsonl"], "o.jsonl.errors.jsonl"),  # the default errors file
        (["zh", "convert", "--output", "o.jsonl"], "o.jsonl.quarantine.jsonl"),  # the default quarantine
        (["zh", "convert", "--output", "o.jsonl", "--quarantine", "link.jsonl"], "hardlink"),
        (["pii", "detect", "--output", "o.jsonl", "--errors", "link.jsonl"], "symlink"),
        (["zh", "convert", "--output", "o.jsonl", "--quarantine", "o.jsonl"], None),
    ],
    ids=["zh-quarantine", "pii-errors", "pii-default-errors", "zh-default-quarantine", "hardlink", "symlink", "out"],
)
def test_a_side_file_that_is_the_input_or_output_is_refused_before_anything_is_written(cli, tmp_path, argv, side):
    """Review readme F2: a quarantine or errors file (given or default) that is the input emptied it, exit 0."""
    inp = tmp_path / (side if side and side.endswith(".jsonl") else "in.jsonl")
    inp.write_text(GOOD, encoding="utf-8")
    if side == "hardlink":
        (tmp_path / "link.jsonl").hardlink_to(inp)
    elif side == "symlink":
        (tmp_path / "link.jsonl").symlink_to(inp)
    argv = [a.replace("{in}", str(inp)) if a == "{in}" else a for a in argv]
    argv = [str(tmp_path / a) if a.endswith(".jsonl") and "/" not in a else a for a in argv]
    code, _, err = cli("-q", *argv, "--input", str(inp))
    assert code == 2 and "would overwrite" in err and len(err.strip().splitlines()) == 1, err
    assert inp.read_text(encoding="utf-8") == GOOD and not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize("argv", [["zh", "convert"], ["dedup"], ["pii", "detect"]], ids=["zh", "dedup", "pii"])
def test_an_input_named_like_the_outputs_temporary_file_is_kept(cli, tmp_path, argv):
    """Review readme F2: the atomic writer's ``<output>.tmp`` was the input: truncated, or removed by dedup."""
    inp, out = tmp_path / "o.jsonl.tmp", tmp_path / "o.jsonl"
    inp.write_text(GOOD, encoding="utf-8")
    code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
    assert code == 0, err
    assert inp.read_text(encoding="utf-8") == GOOD
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["a", "b"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == ["o.jsonl.tmp"]


@pytest.mark.parametrize(("argv", "tool"), [(["zh", "convert"], "zh"), (["pii", "detect"], "pii")], ids=["zh", "pii"])
def test_the_readme_names_the_side_files_the_tools_write(cli, tmp_path, argv, tool):
    """Review readme F8: the README said OUT.quarantine.jsonl for --output OUT.jsonl; the tools write OUT.jsonl.…"""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    named = re.search(rf"{tool}: (OUT\S*\.jsonl)", readme).group(1)
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": "a", "text": "x"}\n{bad\n', encoding="utf-8")
    code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(tmp_path / "OUT.jsonl"))
    assert code == 3, err
    assert (tmp_path / named).is_file()


def test_a_killed_runs_temporary_file_is_removed_by_the_next_run(tmp_path):
    """A run killed with kill -9 left its full-size ``<out>.<random>.tmp`` for ever, one per run (review 6, latest
    #5). The next run for the same output removes those whose process is gone; a live writer's is left alone."""
    import subprocess
    import sys

    out = tmp_path / "out.jsonl"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = tmp_path / f"out.jsonl.{int(dead.stdout)}.0123abcd.tmp"
    live = tmp_path / f"out.jsonl.{os.getpid()}.89abcdef.tmp"
    other = tmp_path / "out.jsonl.notes.tmp"  # not a writer's name: a user's file
    for f in (orphan, live, other):
        f.write_text("x" * 1000, encoding="utf-8")
    with atomic_output(out) as fh:
        fh.write("{}\n")
    assert not orphan.exists() and live.exists() and other.exists() and out.read_text() == "{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, live.name, other.name])


def _fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    return fifo


@pytest.mark.parametrize("argv", [["zh", "convert"], ["dedup"], ["pii", "detect"], ["pii", "scrub"]])
@pytest.mark.parametrize("kind", ["fifo", "link-to-fifo", "link-to-nothing"])
def test_an_output_that_is_not_a_regular_file_is_refused(cli, tmp_path, argv, kind):
    """Review 7: the output was renamed over whatever had its name: `--output /dev/full` (as root) made the device a
    regular file, and a link (to `/proc/self/fd/1`) was replaced by a file. A device, a FIFO (used here: a test never
    writes to a device node) or a link to one, or to nothing, is refused before anything is written."""
    inp = tmp_path / "in.jsonl"
    inp.write_text(GOOD, encoding="utf-8")
    out = _fifo(tmp_path) if kind == "fifo" else tmp_path / "out.jsonl"
    if kind == "link-to-fifo":
        out.symlink_to(_fifo(tmp_path))
    elif kind == "link-to-nothing":
        out.symlink_to(tmp_path / "nowhere")
    code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert ("is not a regular file" if "fifo" in kind else "symbolic link to nothing") in err, err
    assert out.is_symlink() or out.is_fifo()
    assert _names(tmp_path) <= {"in.jsonl", out.name, "pipe"}  # no output, no errors or quarantine file


def _names(tmp_path):
    return {p.name for p in tmp_path.iterdir()}


@pytest.mark.parametrize("argv", [["zh", "convert"], ["dedup"], ["pii", "detect"]])
def test_an_output_link_to_a_file_writes_that_file(cli, tmp_path, argv):
    inp, target, link = tmp_path / "in.jsonl", tmp_path / "real.jsonl", tmp_path / "out.jsonl"
    inp.write_text(GOOD, encoding="utf-8")
    target.write_text("old\n")
    link.symlink_to(target)
    code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(link))
    assert code == 0, err
    assert link.is_symlink() and [json.loads(x)["id"] for x in target.read_text().splitlines()] == ["a", "b"]


def test_atomic_output_refuses_a_fifo(tmp_path):
    fifo = _fifo(tmp_path)
    with pytest.raises(UsageError, match="is not a regular file"), atomic_output(fifo) as fh:
        fh.write("x")
    assert fifo.is_fifo() and _names(tmp_path) == {"pipe"}


@pytest.mark.parametrize("argv", [["zh", "convert"], ["dedup"], ["pii", "detect"]])
def test_an_input_that_is_a_fifo_is_named_as_such(cli, tmp_path, argv):
    """Review 7 #11: `--input <(cat in.jsonl)` said "input file `/dev/fd/63` does not exist"."""
    code, _, err = cli("-q", *argv, "--input", str(_fifo(tmp_path)), "--output", str(tmp_path / "o.jsonl"))
    assert code == 2 and "is not a regular file" in err and "does not exist" not in err, err


@pytest.mark.parametrize(
    ("argv", "side"),
    [
        (["pii", "scrub", "--errors", "{side}"], "side.jsonl"),
        (["zh", "convert", "--quarantine", "{side}"], "side.jsonl"),
        (["pii", "detect"], "o.jsonl.errors.jsonl"),  # the default side file, and no bad line in the input
        (["zh", "convert"], "o.jsonl.quarantine.jsonl"),
    ],
    ids=["pii-errors", "zh-quarantine", "pii-default", "zh-default"],
)
@pytest.mark.parametrize("kind", ["fifo", "link-to-nothing"])
def test_a_side_file_that_is_not_a_regular_file_is_refused(cli, tmp_path, argv, side, kind):
    """Review 7: only --output was checked: an --errors or --quarantine FIFO (given or the default
    `<output>.errors.jsonl`) hung the tool for ever, a link to nothing was written through. They are refused before
    anything is written. (A reader holds the FIFO open, so the unfixed tool would write, not hang the test.)"""
    inp, out, side_path = tmp_path / "in.jsonl", tmp_path / "o.jsonl", tmp_path / side
    inp.write_text(GOOD, encoding="utf-8")
    reader = None
    if kind == "fifo":
        os.mkfifo(side_path)
        reader = os.open(side_path, os.O_RDONLY | os.O_NONBLOCK)
    else:
        side_path.symlink_to(tmp_path / "nowhere")
    try:
        argv = [str(side_path) if a == "{side}" else a for a in argv]
        code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
    finally:
        if reader is not None:
            os.close(reader)
    assert code == 2 and len(err.strip().splitlines()) == 1 and side in err, err
    assert ("is not a regular file" if kind == "fifo" else "symbolic link to nothing") in err, err
    assert _names(tmp_path) == {"in.jsonl", side}  # no output, nothing through the link


@pytest.mark.parametrize("argv", [["pii", "scrub"], ["zh", "convert"]], ids=["pii", "zh"])
def test_a_quarantine_file_that_cannot_be_written_is_one_line_and_keeps_the_output(cli, tmp_path, argv, monkeypatch):
    """Review 7: `--errors /dev/full` gave a traceback (OSError in QuarantineFile.__exit__) after the output had been
    renamed into place. A failed write of the side file is one line naming it, and the output is not replaced."""
    from curate import jsonl_io

    inp, out = tmp_path / "in.jsonl", tmp_path / "o.jsonl"
    inp.write_text(GOOD + "not json\n", encoding="utf-8")
    out.write_text("old\n", encoding="utf-8")
    write = jsonl_io.write_line

    def full(fh, obj):
        if "quarantine" in fh.name or "errors" in fh.name:
            raise OSError(28, "No space left on device")
        write(fh, obj)

    monkeypatch.setattr(jsonl_io, "write_line", full)
    code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "could not be written (No space left on device)" in err and "o.jsonl." in err, err
    assert out.read_text(encoding="utf-8") == "old\n"


@pytest.mark.parametrize("argv", [["zh", "convert"], ["pii", "detect"], ["dedup"]], ids=["zh", "pii", "dedup"])
@pytest.mark.parametrize("field", ["id", "amount"])
def test_an_integer_of_too_many_digits_is_quarantined_and_the_run_goes_on(cli, tmp_path, argv, field):
    """Python's json refuses an integer of more than 4,300 digits with a plain ValueError: one such value (an id, or
    any field of a line) ended all three tools with a traceback and no output."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    huge = {"id": 1, "text": "x", field: 0}
    inp.write_text(json.dumps(huge).replace(": 0", ": " + "7" * 5000) + "\n" + GOOD, encoding="utf-8")
    code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
    assert code == 3 and "Traceback" not in err, err
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["a", "b"]
    assert "7777" not in err
    with pytest.raises(InvalidLine, match="too many digits") as bad:
        parse_line(inp.read_bytes().splitlines()[0])
    assert bad.value.reason == "bad_json"


@pytest.mark.parametrize("argv", [["zh", "convert"], ["pii", "scrub"], ["dedup"]], ids=["zh", "pii", "dedup"])
def test_an_output_made_private_stays_private_when_written_again(cli, tmp_path, argv):
    """The output is a new file renamed over the old one: a `chmod 600` output (personal text) came back 0644."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text(GOOD, encoding="utf-8")
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o600)
    code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
    assert code == 0, err
    assert out.read_text(encoding="utf-8") != "old\n" and (out.stat().st_mode & 0o777) == 0o600
    out.unlink()
    code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
    assert code == 0, err
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()  # a new file: as the umask makes it


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("option", ["--output", "--quarantine"])
@pytest.mark.parametrize("link", [None, "symlink", "hardlink"])
def test_zh_refuses_to_write_over_its_protected_word_file(cli, tmp_path, option, link):
    """`zh convert --protected words.txt --quarantine words.txt` emptied the user's protected-word list, exit 0."""
    inp, words = tmp_path / "in.jsonl", tmp_path / "words.txt"
    inp.write_text(GOOD, encoding="utf-8")
    words.write_text("王小明\n", encoding="utf-8")
    target = words
    if link:
        target = tmp_path / "link.txt"
        target.symlink_to(words) if link == "symlink" else target.hardlink_to(words)
    argv = ["--output", str(tmp_path / "o.jsonl"), option, str(target)]
    if option == "--output":
        argv = ["--output", str(target)]
    code, _, err = cli("-q", "zh", "convert", "--input", str(inp), "--protected", str(words), *argv)
    assert code == 2 and "--protected" in err and len(err.strip().splitlines()) == 1, err
    assert words.read_text(encoding="utf-8") == "王小明\n" and not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize("argv", [["pii", "detect"], ["zh", "convert"]], ids=["pii", "zh"])
def test_a_run_that_fails_leaves_the_quarantine_file_with_its_output(tmp_path, argv):
    """The quarantine (errors) file was truncated when a run began: a run that then failed (a full disk here, a kill)
    left the old output beside an empty quarantine file, which said no line of that output had been left out."""
    import resource
    import subprocess
    import sys

    inp, out = tmp_path / "in.jsonl", tmp_path / "o.jsonl"
    lines = [
        json.dumps({"id": i, "text": f"第{i}條 銀行應公告其營業時間。"}, ensure_ascii=False) for i in range(20_000)
    ]
    inp.write_text("\n".join(lines) + "\nnot json\n", encoding="utf-8")
    side = out.with_name("o.jsonl." + ("errors" if argv[0] == "pii" else "quarantine") + ".jsonl")
    cmd = [sys.executable, "-m", "curate.cli", "-q", *argv, "--input", str(inp), "--output", str(out)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert done.returncode == 3, done.stderr
    before = (out.read_bytes(), side.read_bytes())
    assert json.loads(before[1])["line"] == 20_001

    def small_files() -> None:  # the output, larger than this, cannot be written: as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))

    failed = subprocess.run(cmd, capture_output=True, text=True, env=env, preexec_fn=small_files)
    assert failed.returncode == 1 and "could not be written" in failed.stderr, failed.stderr
    assert (out.read_bytes(), side.read_bytes()) == before
    assert _names(tmp_path) == {"in.jsonl", "o.jsonl", side.name}  # no temporary file left


@pytest.mark.parametrize(
    ("raw", "record_id", "named"),
    [
        (b'{"id": "a", "text": "\\u738b\\u5c0f\\u660e", "text": "x"}', "a", "`text`"),
        (b'{"id": "a", "id": "b", "text": "x"}', None, "`id`"),
        (b'{"id": 1, "text": "x", "\\u738b": 1, "\\u738b": 2}', "1", "a key"),  # a key that is not ours is not quoted
    ],
    ids=["text", "id", "other"],
)
def test_a_key_given_twice_is_quarantined(raw, record_id, named):
    """`{"id": "a", "text": "王小明…", "text": "x"}` was read as text "x" (json keeps the last value): a reader that
    keeps the first (or joins `curate dedup`'s decisions back by id) meant another record than the tool read."""
    with pytest.raises(InvalidLine) as exc:
        parse_line(raw)
    assert (exc.value.reason, exc.value.record_id) == ("duplicate_key", record_id) and "duplicate_key" in REASONS
    assert str(exc.value).startswith(named) and "王" not in str(exc.value)
    nested = parse_line(b'{"id": 2, "text": "x", "meta": {"k": 1, "k": 2}}')  # not the record's own keys: read
    assert nested.fields["meta"] == {"k": 2}


@pytest.mark.parametrize("argv", [["zh", "convert"], ["pii", "detect"], ["dedup"]], ids=["zh", "pii", "dedup"])
def test_the_tools_quarantine_a_line_giving_a_key_twice(cli, tmp_path, argv):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text('{"id": "z", "text": "x", "text": "y"}\n' + GOOD, encoding="utf-8")
    code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
    assert code == 3, err
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["a", "b"]


def test_dedup_quotes_ids_and_licences_on_stderr_without_control_characters(cli, tmp_path):
    """A duplicate id (or an unknown licence_id) holding a newline or a terminal escape was printed raw on stderr:
    the one-line message split in two, the escape recoloured the user's terminal; a 1 MB id was printed whole."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    odd = "c\x1b[31m\nX\u202e"
    rows = [
        {"id": odd, "text": "x"},
        {"id": odd, "text": "y"},
        {"id": "d", "text": "z", "licence_id": "\x1b[2Jfoo"},
        {"id": "L" * 1_000_000, "text": "u"},
        {"id": "L" * 1_000_000, "text": "v"},
    ]
    inp.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    code, _, err = cli("-q", "dedup", "--input", str(inp), "--output", str(out))
    assert code == 3, err
    assert "\x1b" not in err and "\u202e" not in err and len(err) < 2000, err
    lines = err.strip().splitlines()
    assert len(lines) == 4 and "in.jsonl:2: skipped (duplicate_id)" in lines[0] and "\\u001b[31m\\u000aX" in lines[0]
    assert "in.jsonl:3: skipped (unknown_licence)" in lines[1] and "in.jsonl:5: skipped (duplicate_id)" in lines[2]


@pytest.mark.parametrize("argv", [["zh", "convert"], ["dedup"], ["pii", "detect"]], ids=["zh", "dedup", "pii"])
@pytest.mark.parametrize("side", ["o.jsonl", "o.jsonl.errors.jsonl", "o.jsonl.quarantine.jsonl"])
def test_a_killed_runs_temporary_file_given_as_the_input_is_not_removed(cli, tmp_path, argv, side):
    """A killed run leaves `<output>.<pid>.<hex>.tmp`; a user who saved it and gave it as --input lost it: the next
    run removed it as the dead process's orphan before reading it (`No such file`), the input deleted."""
    import subprocess
    import sys

    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True).stdout)
    inp, out = tmp_path / f"{side}.{dead}.0123abcd.tmp", tmp_path / "o.jsonl"
    inp.write_text(GOOD, encoding="utf-8")
    code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
    assert code == 0, err
    assert inp.read_text(encoding="utf-8") == GOOD
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["a", "b"]


@pytest.mark.parametrize(
    "argv",
    [
        ["zh", "convert", "--output", "{db}"],
        ["pii", "scrub", "--output", "{db}"],
        ["dedup", "--output", "{db}"],
        ["zh", "convert", "--output", "o.jsonl", "--quarantine", "{db}"],
        ["pii", "detect", "--output", "o.jsonl", "--errors", "{db}"],
    ],
    ids=["zh", "pii", "dedup", "zh-quarantine", "pii-errors"],
)
def test_a_catalogue_is_never_replaced_by_a_tools_output(cli, tmp_path, db_path, argv):
    """`curate zh convert --output curate.duckdb` replaced the whole catalogue (records, ledger, vault) by JSONL."""
    code, _, err = cli("init")
    assert code == 0, err
    before = db_path.read_bytes()
    inp = tmp_path / "in.jsonl"
    inp.write_text(GOOD, encoding="utf-8")
    argv = [str(db_path) if a == "{db}" else str(tmp_path / a) if a.endswith(".jsonl") else a for a in argv]
    code, _, err = cli("-q", *argv, "--input", str(inp))
    assert code == 2 and "is a DuckDB database" in err and len(err.strip().splitlines()) == 1, err
    assert db_path.read_bytes() == before and not (tmp_path / "o.jsonl").exists()
