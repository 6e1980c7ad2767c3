"""curate.jsonl_io edges the review of review 10's fixes found: the tools (`zh convert`, `pii`, `dedup`) on odd inputs."""

from __future__ import annotations

import json

import pytest

TOOLS = [["zh", "convert"], ["pii", "detect"], ["pii", "scrub"], ["dedup"]]
IDS = ["zh", "pii-detect", "pii-scrub", "dedup"]


@pytest.mark.parametrize("argv", TOOLS, ids=IDS)
def test_a_key_given_twice_beside_an_id_with_a_lone_surrogate_is_quarantined(cli, tmp_path, argv):
    """`duplicate_key` named the line's id without the lone-surrogate check the other reasons make: the quarantine
    file (UTF-8) could not hold it, and `zh convert` and `pii` ended in a UnicodeEncodeError traceback, no output."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "o.jsonl"
    inp.write_text('{"id": "a\\ud800", "text": "x", "text": "y"}\n{"id": "b", "text": "ok"}\n', encoding="utf-8")
    code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
    assert code == 3 and "Traceback" not in err and "Error" not in err, err
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["b"]
    side = {"zh": "o.jsonl.quarantine.jsonl", "pii": "o.jsonl.errors.jsonl"}.get(argv[0])
    if side:
        row = json.loads((tmp_path / side).read_text(encoding="utf-8"))
        assert (row["line"], row["reason"], row["id"]) == (1, "duplicate_key", None)


@pytest.mark.parametrize("argv", TOOLS, ids=IDS)
def test_an_output_whose_first_id_begins_with_duck_is_no_catalogue(cli, tmp_path, argv):
    """The catalogue check read bytes 8-11 only: `{"id": "` is 8 bytes, so a tool's own output whose first id began
    with DUCK (`DUCK-2024-001`) was refused as a DuckDB database when the tool ran again (exit 2)."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "o.jsonl"
    inp.write_text('{"id": "DUCK-2024-001", "text": "测试"}\n', encoding="utf-8")
    for _ in range(2):
        code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
        assert code == 0, err
    assert out.read_bytes()[8:12] == b"DUCK"


@pytest.mark.parametrize("argv", [["pii", "detect"], ["zh", "convert"]], ids=["pii", "zh"])
def test_a_run_whose_output_fails_at_its_last_bytes_leaves_the_quarantine_file_as_it_was(tmp_path, argv):
    """The quarantine file is renamed when its block ends, inside the output's: the output's last buffered bytes
    were written only after that, when it was closed. A disk that filled there left the old output beside the new
    run's quarantine file (another line's number), the pair that fix was to keep together."""
    import os
    import resource
    import subprocess
    import sys
    from pathlib import Path

    inp, out = tmp_path / "in.jsonl", tmp_path / "o.jsonl"
    good = [json.dumps({"id": i, "text": f"第{i}條 銀行應公告其營業時間。"}, ensure_ascii=False) for i in range(2000)]
    side = out.with_name("o.jsonl." + ("errors" if argv[0] == "pii" else "quarantine") + ".jsonl")
    cmd = [sys.executable, "-m", "curate.cli", "-q", *argv, "--input", str(inp), "--output", str(out)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    inp.write_text("\n".join(good) + "\nnot json\n", encoding="utf-8")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert done.returncode == 3, done.stderr
    before = (out.read_bytes(), side.read_bytes())
    assert json.loads(before[1])["line"] == 2001

    def full_at_the_end() -> None:  # the same output, all but its last 10 bytes fit: as a disk full at the end
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(before[0]) - 10, resource.RLIM_INFINITY))

    inp.write_text("not json\n" + "\n".join(good) + "\n", encoding="utf-8")  # the bad line is now line 1
    failed = subprocess.run(cmd, capture_output=True, text=True, env=env, preexec_fn=full_at_the_end)
    assert failed.returncode == 1 and "could not be written" in failed.stderr, failed.stderr
    assert (out.read_bytes(), side.read_bytes()) == before
    assert {p.name for p in tmp_path.iterdir()} == {"in.jsonl", "o.jsonl", side.name}  # no temporary file left


@pytest.mark.parametrize("mode", ["placeholder", "pseudonym"])
@pytest.mark.parametrize("option", ["--output", "--errors"])
def test_pii_refuses_to_write_over_its_key_file(cli, tmp_path, monkeypatch, option, mode):
    """`--protected` was checked (review 10), not the other file `curate pii scrub` reads: `--output` or `--errors`
    at CURATE_PII_KEY_FILE replaced the key, and with it every pseudonym and digest made with it, exit 0."""
    key = tmp_path / "pii.key"
    key.write_text("ab" * 32 + "\n", encoding="utf-8")
    key.chmod(0o600)  # a key file other users may read is refused
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY_FILE", str(key))
    inp, out = tmp_path / "in.jsonl", tmp_path / "o.jsonl"
    inp.write_text('{"id": "1", "text": "王小明 0912345678"}\n', encoding="utf-8")
    argv = ["--output", str(key)] if option == "--output" else ["--output", str(out), "--errors", str(key)]
    code, _, err = cli("-q", "pii", "scrub", "--mode", mode, "--input", str(inp), *argv)
    assert code == 2 and "CURATE_PII_KEY_FILE" in err and len(err.strip().splitlines()) == 1, err
    assert key.read_text(encoding="utf-8") == "ab" * 32 + "\n" and not out.exists()
    code, _, err = cli("-q", "pii", "scrub", "--mode", mode, "--input", str(inp), "--output", str(out))
    assert code == 0 and "王小明" not in out.read_text(encoding="utf-8"), err  # another output path: scrubbed


def test_an_orphan_another_run_removed_first_is_no_error(tmp_path, monkeypatch):
    """The check for another link (review 10) stat()ed the orphan after is_file(): when a second run for the same
    output removed it in between, the writer ended in FileNotFoundError naming the temporary file, nothing written."""
    import subprocess
    import sys
    from pathlib import Path

    from curate.jsonl_io import atomic_output

    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True).stdout)
    out = tmp_path / "o.jsonl"
    orphan = tmp_path / f"o.jsonl.{dead}.0123abcd.tmp"
    orphan.write_text("x", encoding="utf-8")
    real_is_file = Path.is_file

    def is_file_then_removed(self):  # the other run removes the orphan right after this one looked at it
        found = real_is_file(self)
        if self == orphan:
            orphan.unlink(missing_ok=True)
        return found

    monkeypatch.setattr(Path, "is_file", is_file_then_removed)
    real_lstat = Path.lstat

    def lstat_then_removed(self):
        found = real_lstat(self)
        if self == orphan:
            orphan.unlink(missing_ok=True)
            raise FileNotFoundError(2, "No such file or directory", str(self))
        return found

    monkeypatch.setattr(Path, "lstat", lstat_then_removed)
    with atomic_output(out) as fh:
        fh.write("{}\n")
    assert out.read_text(encoding="utf-8") == "{}\n" and not orphan.exists()
