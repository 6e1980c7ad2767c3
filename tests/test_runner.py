"""Stage runner on real datatrove executors: versions, events, reruns, kill -9 resume, Ray."""

from __future__ import annotations

import gc
import os
import re
import signal
import sys
from pathlib import Path

import duckdb
import pytest
from catalogue_query import ledger_events
from catalogue_query import query as _q
from fake_slurm import fake_slurm as _fake_slurm
from fake_slurm import run_submitted_job as _run_submitted_job
from killed import run_killed

from curate.ingest import ingest
from curate.runner import make_stage, run_stage
from curate.stages.base import Stage, StageResult
from provenance import audit, ledger
from provenance.crosscheck import crosscheck
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def law_db(tmp_path: Path, law_fixtures: Path) -> Path:
    path = tmp_path / "cat.duckdb"
    ingest(path, LawMojSource([law_fixtures / "chlaw_json/ch", law_fixtures / "chlaw_json/en"]))
    return path


def _catalogue_state(path: Path):
    """Everything but run ids and timestamps: what must match after a crash + rerun."""
    recs = _q(path, "SELECT record_id, doc_key, version_of, status, text, stage FROM records ORDER BY record_id")
    events = ledger_events(path)  # less the run bookkeeping and the row seals (each catalogue's own times)
    marks = _q(path, "SELECT record_id, stage, config_hash FROM stage_marks ORDER BY ALL")
    verdicts = _q(path, "SELECT record_id, verdict, detail FROM verdict_members ORDER BY ALL")
    return recs, events, marks, verdicts


def test_hygiene_new_versions_and_events(law_db: Path) -> None:
    rep = run_stage(law_db, make_stage("hygiene"), workers=2)
    assert rep.status == "finished" and rep.counts["new_versions"] > 0
    # CRLF articles changed; each new version links to its parent and inherits licence and doc_key
    rows = _q(
        law_db,
        """SELECT n.text, p.text, n.licence_id = p.licence_id, n.doc_key = p.doc_key, p.status
                         FROM records n JOIN records p ON p.record_id = n.version_of WHERE n.stage = 'hygiene'""",
    )
    assert len(rows) == rep.counts["new_versions"]
    for new, old, same_lic, same_key, old_status in rows:
        assert "\r" not in new and new != old and same_lic and same_key and old_status == "superseded"
        # hygiene never inserts characters into Chinese: the new text is a subsequence of NFC(old)
        it = iter(old.replace("\r\n", "\n"))
        assert all(ch in it for ch in new)
    ev = _q(law_db, "SELECT count(*) FROM provenance_events WHERE stage='hygiene' AND action='rewrite'")[0][0]
    assert ev == rep.counts["new_versions"]
    assert gc.get_freeze_count() == 0  # the heap frozen for the forked ranks is given back to the collector
    # a rerun is a no-op
    again = run_stage(law_db, make_stage("hygiene"), workers=2)
    assert again.counts["new_versions"] == 0 and again.counts["events"] == 0
    assert ledger.verify(duckdb.connect(str(law_db), read_only=True)).ok


def _run_cli_killed(db: Path, fault: str, tmp: Path, tasks: int = 4, stage: str = "hygiene") -> int:
    """Run `curate run STAGE` in its own session with a SIGKILL injected at ``fault``."""
    env = {**os.environ, "CURATE_FAULT": fault, "PYTHONPATH": str(ROOT)}
    cmd = [
        sys.executable,
        "-m",
        "curate.cli",
        "--db",
        str(db),
        "run",
        stage,
        "--workers",
        "1",
        "--tasks",
        str(tasks),
    ]
    return run_killed(cmd, env, tmp / "out.log")


@pytest.mark.parametrize(
    "fault, batches_in",
    [
        ("after_rank_1", 0),
        ("before_load", 0),
        ("after_batch_0", 1),  # killed at a batch boundary: batch 0 committed
        ("mid_batch_1", 1),  # killed inside batch 1's transaction: batch 0 in, batch 1 rolled back
        ("before_last_transaction", None),  # every batch in, the run not finished
        ("during_load", None),  # in the last transaction: every batch in
    ],
)
def test_kill9_then_rerun_matches_uninterrupted(
    tmp_path: Path, law_fixtures: Path, fault: str, batches_in: int | None, monkeypatch
) -> None:
    monkeypatch.setenv("CURATE_LOAD_BATCH", "7")  # several load batches per results file
    src = [law_fixtures / "chlaw_json/ch"]
    clean, crashed = tmp_path / "clean.duckdb", tmp_path / "crashed.duckdb"
    for p in (clean, crashed):
        ingest(p, LawMojSource(src))
    expected = run_stage(clean, make_stage("hygiene"), workers=1, tasks=4)
    rc = _run_cli_killed(crashed, fault, tmp_path)
    assert rc == -signal.SIGKILL
    assert _q(crashed, "SELECT status FROM runs WHERE command = 'run hygiene'") == [("running",)]
    loaded = _q(crashed, "SELECT count(*) FROM run_load_batches")[0][0]
    if batches_in is None:
        assert loaded > 2  # the kill came after several committed batches
    else:
        assert loaded == batches_in
    rep = run_stage(crashed, make_stage("hygiene"), workers=1, tasks=4)
    assert rep.resumed and rep.counts == expected.counts and rep.counts["new_versions"] > 0
    assert _catalogue_state(crashed) == _catalogue_state(clean)
    # stage_marks has no key (migration 0100): a resumed load must not mark a record twice
    assert _q(crashed, "SELECT count(*) - count(DISTINCT (record_id, stage, config_hash)) FROM stage_marks") == [(0,)]
    assert _q(crashed, "SELECT count(*) FROM runs WHERE command = 'run hygiene' AND status = 'finished'") == [(1,)]
    for path in (crashed, clean):  # each version's row seal (left out of the comparison) against its own row
        con = duckdb.connect(str(path), read_only=True)
        try:
            assert ledger.verify(con).ok and crosscheck(con).ok
            assert con.execute(
                "SELECT count(*) = count(detail->>'new_row_sha256') FROM provenance_events WHERE action = 'rewrite'"
            ).fetchone() == (True,)
        finally:
            con.close()


@pytest.mark.parametrize("fault", ["after_batch_0", "mid_batch_1", "before_last_transaction"])
def test_kill9_verdict_batches_resume(tmp_path: Path, law_fixtures: Path, fault: str, monkeypatch) -> None:
    """Normalise writes its `script_detected` verdicts as one verdict batch per load batch (provenance.verdicts):
    killed at a batch boundary, inside a batch or before the last transaction, the resumed run has the same
    batches, members and digests as an uninterrupted one, and both verify."""
    monkeypatch.setenv("CURATE_LOAD_BATCH", "7")
    src = [law_fixtures / "chlaw_json/ch"]
    clean, crashed = tmp_path / "clean.duckdb", tmp_path / "crashed.duckdb"
    for p in (clean, crashed):
        ingest(p, LawMojSource(src))
    expected = run_stage(clean, make_stage("normalise"), workers=1, tasks=4)
    assert _run_cli_killed(crashed, fault, tmp_path, stage="normalise") == -signal.SIGKILL
    assert _q(crashed, "SELECT status FROM runs WHERE command = 'run normalise'") == [("running",)]
    rep = run_stage(crashed, make_stage("normalise"), workers=1, tasks=4)
    assert rep.resumed and rep.counts == expected.counts
    state = _catalogue_state(crashed)
    assert state == _catalogue_state(clean) and len(state[3]) > 20
    assert _q(crashed, "SELECT count(*) FROM provenance_events WHERE action = 'verdict_batch'")[0][0] > 3
    con = duckdb.connect(str(crashed), read_only=True)
    try:
        assert audit.verify(con).ok and crosscheck(con).ok
    finally:
        con.close()


@pytest.mark.parametrize("resume_batch", ["5", "50000", "1"])
def test_resume_with_another_load_batch_size(
    tmp_path: Path, law_fixtures: Path, resume_batch: str, monkeypatch
) -> None:
    """Killed after two batches of 7 results, resumed with batches of another size: every result is loaded once
    (batch ids used to be `<file>:<batch number>`, so a resume with larger batches skipped the rest of a batch
    that had been loaded, and one with smaller batches loaded results twice)."""
    src = [law_fixtures / "chlaw_json/ch"]
    clean, crashed = tmp_path / "clean.duckdb", tmp_path / "crashed.duckdb"
    for p in (clean, crashed):
        ingest(p, LawMojSource(src))
    expected = run_stage(clean, make_stage("hygiene"), workers=1, tasks=4)
    monkeypatch.setenv("CURATE_LOAD_BATCH", "7")
    assert _run_cli_killed(crashed, "after_batch_1", tmp_path) == -signal.SIGKILL
    # a batch's last record waits for the next batch (its results are never cut): 6 + 7 results
    assert _q(crashed, "SELECT count(*), sum(results) FROM run_load_batches") == [(2, 13)]
    monkeypatch.setenv("CURATE_LOAD_BATCH", resume_batch)
    rep = run_stage(crashed, make_stage("hygiene"), workers=1, tasks=4)
    assert rep.resumed and rep.counts == expected.counts and rep.counts["new_versions"] > 0
    assert _catalogue_state(crashed) == _catalogue_state(clean)
    assert _q(crashed, "SELECT sum(results) FROM run_load_batches") == [(expected.counts["results"],)]
    assert ledger.verify(duckdb.connect(str(crashed), read_only=True)).ok


def test_ray_executor_same_result(tmp_path: Path, law_fixtures: Path) -> None:
    pytest.importorskip("ray")
    src = [law_fixtures / "chlaw_json/ch/G0380001.json", law_fixtures / "chlaw_json/ch/G0380131.json"]
    local, viaray = tmp_path / "local.duckdb", tmp_path / "ray.duckdb"
    for p in (local, viaray):
        ingest(p, LawMojSource(src))
    run_stage(local, make_stage("hygiene"), workers=2, tasks=3)
    import ray

    try:
        # a --workers past what Ray takes as CPUs (1e14) ended the run as "ValueError, a bug": capped at the tasks
        rep = run_stage(viaray, make_stage("hygiene"), executor="ray", workers=2**63 - 1, tasks=3)
    finally:
        ray.shutdown()
    assert rep.status == "finished"
    assert _catalogue_state(viaray)[0] == _catalogue_state(local)[0]


def test_unknown_executor_and_option(law_db: Path) -> None:
    from provenance.errors import ConfigError, UsageError

    with pytest.raises(ConfigError, match="valid: local, ray, slurm"):
        run_stage(law_db, make_stage("hygiene"), executor="spark")
    with pytest.raises(UsageError, match="valid: drop_cjk_spaces"):
        make_stage("hygiene", {"bogus": "1"})


@pytest.mark.parametrize(
    ("key", "value", "msg"),
    [
        ("seed", "-5", "seed must be in [0, 2**63 - 1]"),
        ("seed", str(2**64), "seed must be in [0, 2**63 - 1]"),
        ("bands", "100000000", "must be at most 1024, got 100000000 x 5"),
        ("rows", "2000", "must be at most 1024"),
        ("ngram", "1000000000", "ngram must be in [1, 64]"),
        ("max_bucket", "0", "max_bucket must be >= 1"),
    ],
)
def test_dedup_numbers_out_of_range_are_refused_before_a_run(key: str, value: str, msg: str) -> None:
    """`--set` (and a pipeline's `set`) values the engine cannot take are refused when the stage is made: they
    used to pass and fail in the workers, with a traceback and the run left `running`. A usage error (exit 2)."""
    from provenance.errors import UsageError

    with pytest.raises(UsageError, match=re.escape(msg)):
        make_stage("dedup", {key: value})


def _float_options() -> list[tuple[str, str]]:
    import dataclasses

    from curate.stages import CONFIGS, get_config_class

    return [
        (stage, f.name)
        for stage in CONFIGS
        for f in dataclasses.fields(get_config_class(stage))
        if isinstance(getattr(get_config_class(stage)(), f.name), float)
    ]


@pytest.mark.parametrize(("stage", "key"), _float_options())
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_float_options_must_be_finite(stage: str, key: str, value: str) -> None:
    """NaN compares false with every bound: `prefilter_margin=nan` passed `>= 0` and rejected every candidate. A
    usage error (exit 2), like every value out of range."""
    from provenance.errors import UsageError

    with pytest.raises(UsageError, match=f"`?{key}`? must be"):
        make_stage(stage, {key: value})


def test_dedup_margin_nan_is_refused_without_the_command_line() -> None:
    from curate.dedup.config import DedupConfig
    from provenance.errors import ConfigError

    with pytest.raises(ConfigError, match="prefilter_margin must be a number >= 0"):
        DedupConfig(prefilter_margin=float("nan"))


def test_slurm_submit_then_load(tmp_path: Path, law_fixtures: Path, monkeypatch) -> None:
    """Slurm cannot run here: sbatch and squeue are faked on PATH and the submitted ranks run in-process later."""
    bin_dir = _fake_slurm(tmp_path, monkeypatch)
    path = tmp_path / "cat.duckdb"
    ingest(path, LawMojSource([law_fixtures / "chlaw_json/ch/G0380001.json"]))
    slurm = {"executor": "slurm", "workers": 2, "tasks": 2, "slurm_options": {"partition": "cpu", "time": "00:10:00"}}
    first = run_stage(path, make_stage("hygiene"), **slurm)
    assert first.status == "running" and "submitted 2 tasks to Slurm (job 4241)" in first.message
    calls = (bin_dir / "calls").read_text().splitlines()
    assert len(calls) == 2  # the job array and datatrove's merge of its statistics
    _run_submitted_job(path)
    second = run_stage(path, make_stage("hygiene"), **slurm)
    assert second.status == "finished" and second.resumed and second.run_id == first.run_id
    assert (bin_dir / "calls").read_text().splitlines() == calls  # nothing submitted again
    # the submitted job's results are loaded as a local run's would be
    local = tmp_path / "local.duckdb"
    ingest(local, LawMojSource([law_fixtures / "chlaw_json/ch/G0380001.json"]))
    expected = run_stage(local, make_stage("hygiene"), executor="local", workers=1, tasks=2)
    assert second.counts["results"] == expected.counts["results"] > 0
    assert second.counts["new_versions"] == expected.counts["new_versions"]


def test_slurm_job_still_queued_is_not_submitted_again(tmp_path: Path, law_fixtures: Path, cli, monkeypatch) -> None:
    """The same command run again while the job waits in the queue submitted every rank a second time (datatrove does
    not look at the queue): two jobs wrote the same results files, and the second rewrote the ranks the first's
    pending tasks read. While squeue lists the job nothing is submitted; once it left the queue with ranks not done
    (failed, cancelled), those are submitted again. Nor is the run abandoned, or its tasks run locally, while its job is
    queued."""
    bin_dir = _fake_slurm(tmp_path, monkeypatch)
    path = tmp_path / "cat.duckdb"
    ingest(path, LawMojSource([law_fixtures / "chlaw_json/ch/G0380001.json"]))
    slurm = {"executor": "slurm", "workers": 2, "tasks": 2}
    first = run_stage(path, make_stage("hygiene"), **slurm)
    assert "job 4241" in first.message
    (bin_dir / "queue").write_text("4241\n")
    again = run_stage(path, make_stage("hygiene"), **slurm)
    assert again.status == "running" and again.run_id == first.run_id
    assert (
        "Slurm job 4241 is still queued or running (PENDING)" in again.message
        and "nothing was submitted" in again.message
    )
    assert len((bin_dir / "calls").read_text().splitlines()) == 2
    code, _, err = cli("runs", "abandon", first.run_id, db=path)  # its tasks would write into a deleted folder
    assert code == 1 and "scancel 4241" in err and len(err.splitlines()) == 1, err
    assert _q(path, "SELECT status FROM runs WHERE command = 'run hygiene'") == [("running",)]
    code, _, err = cli("run", "hygiene", "--workers", "2", "--tasks", "2", db=path)  # locally, beside the job
    assert code == 1 and "queued or running in Slurm job 4241" in err and len(err.splitlines()) == 1, err
    assert not list(path.parent.glob(".curate/*/runs/*/results/*.parquet"))
    (bin_dir / "queue").write_text("")  # the job ended without running its tasks (cancelled): submitted again
    third = run_stage(path, make_stage("hygiene"), **slurm)
    assert third.status == "running" and "submitted 2 tasks to Slurm (job 4243)" in third.message
    _run_submitted_job(path)
    assert run_stage(path, make_stage("hygiene"), **slurm).status == "finished"


def test_slurm_job_that_ended_or_whose_id_is_another_jobs_is_not_waited_for(
    tmp_path: Path, law_fixtures: Path, cli, monkeypatch
) -> None:
    """squeue lists a job for minutes after it ended (COMPLETED, FAILED, CANCELLED ...) where SQUEUE_STATES asks for
    such states, and a job id Slurm numbered again (its controller's state lost) names another job: both were taken for the run's
    job still queued, so the run could be neither resumed nor abandoned, and the line said to `scancel` a job that had
    ended, or another user's."""
    bin_dir = _fake_slurm(tmp_path, monkeypatch)
    path = tmp_path / "cat.duckdb"
    ingest(path, LawMojSource([law_fixtures / "chlaw_json/ch/G0380001.json"]))
    slurm = {"executor": "slurm", "workers": 2, "tasks": 2}
    first = run_stage(path, make_stage("hygiene"), **slurm)
    assert "job 4241" in first.message
    (bin_dir / "queue").write_text("4241 RUNNING\n")  # the run's own job, still running: waited for
    assert "still queued or running (RUNNING)" in run_stage(path, make_stage("hygiene"), **slurm).message
    (bin_dir / "queue").write_text("4241 FAILED\n")  # ended with its ranks not done: submitted again
    again = run_stage(path, make_stage("hygiene"), **slurm)
    assert again.run_id == first.run_id and "submitted 2 tasks to Slurm (job 4243)" in again.message, again.message
    (bin_dir / "queue").write_text("4243 RUNNING someone-elses-job\n")  # the id now names another job
    code, out, err = cli("run", "hygiene", "--workers", "2", "--tasks", "2", db=path)
    assert code == 0 and "queued" not in err, (out, err)
    assert _q(path, "SELECT status FROM runs WHERE command = 'run hygiene'") == [("finished",)]


def test_slurm_gone_leaves_a_way_out(tmp_path: Path, law_fixtures: Path, cli, monkeypatch) -> None:
    """Without squeue (a machine without Slurm's commands, a cluster taken down) a run once submitted to Slurm could
    be neither resumed locally nor abandoned, and the line named no way out: it names the job file to remove."""
    bin_dir = _fake_slurm(tmp_path, monkeypatch)
    path = tmp_path / "cat.duckdb"
    ingest(path, LawMojSource([law_fixtures / "chlaw_json/ch/G0380001.json"]))
    first = run_stage(path, make_stage("hygiene"), executor="slurm", workers=2, tasks=2)
    (bin_dir / "squeue").unlink()
    code, _, err = cli("runs", "abandon", first.run_id, db=path)
    (job_file,) = path.parent.glob(f".curate/*/runs/{first.run_id}/slurm_job")
    assert code == 1 and f"remove `{job_file}`" in err and len(err.splitlines()) == 1, err
    job_file.unlink()
    code, _, err = cli("runs", "abandon", first.run_id, db=path)
    assert code == 0, err


def test_slurm_refusing_a_submission_is_one_line_and_a_job_that_went_in_is_watched(
    tmp_path: Path, law_fixtures: Path, cli, monkeypatch
) -> None:
    """sbatch refusing the job (a bad partition) ended the run as "CalledProcessError, a bug"; and when the job array
    went in but the statistics' merge job was refused, the array's id was not kept: the next command submitted its
    ranks again beside it."""
    bin_dir = _fake_slurm(tmp_path, monkeypatch)
    path = tmp_path / "cat.duckdb"
    ingest(path, LawMojSource([law_fixtures / "chlaw_json/ch/G0380001.json"]))
    (bin_dir / "fail_from").write_text("1")  # the job array itself is refused
    argv = ("-q", "run", "hygiene", "--executor", "slurm", "--workers", "2", "--tasks", "2")
    code, _, err = cli(*argv, db=path)
    assert code == 1 and "sbatch refused the run's job (exit 1)" in err and "bug" not in err, err
    (bin_dir / "fail_from").write_text("3")  # the array goes in (call 2), its merge job (call 3) is refused
    code, _, err = cli(*argv, db=path)
    assert code == 1 and "sbatch refused" in err, err
    (bin_dir / "queue").write_text("4242\n")
    code, out, err = cli(*argv, db=path)
    assert code == 0 and "Slurm job 4242 is still queued" in out, (out, err)
    assert len((bin_dir / "calls").read_text().splitlines()) == 3


def test_slurm_without_sbatch_is_one_line(tmp_path: Path, law_fixtures: Path, cli, monkeypatch) -> None:
    """`--executor slurm` where Slurm's commands are not: "the stage raised FileNotFoundError, a bug in the workbench"."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no sbatch
    path = tmp_path / "cat.duckdb"
    ingest(path, LawMojSource([law_fixtures / "chlaw_json/ch/G0380001.json"]))
    code, _, err = cli("-q", "run", "hygiene", "--executor", "slurm", db=path)
    assert code == 1 and "`sbatch` is not on PATH" in err and "bug" not in err and len(err.splitlines()) == 1, err


class _EchoStage(Stage):
    """Returns every input's text unchanged (and one changed), from the ranks and from finalize."""

    name = "echo"

    def process(self, doc):
        changed = doc.text + "！" if doc.text.endswith("。") else doc.text
        yield StageResult(doc.id, action="echoed", new_text=changed, mark=False)

    def finalize(self, ctx):
        ro = duckdb.connect(str(ctx.db_path), read_only=True)
        rid, text = ro.execute("SELECT record_id, text FROM records WHERE status = 'active' LIMIT 1").fetchone()
        ro.close()
        return [StageResult(rid, action="echoed_again", new_text=text, mark=False)]


def test_an_unchanged_text_makes_no_version(law_db: Path) -> None:
    """A result whose new text equals its input's (from a rank or from finalize) is an event, not a version."""
    n_changed = _q(law_db, "SELECT count(*) FROM records WHERE status = 'active' AND text LIKE '%。'")[0][0]
    assert 0 < n_changed < _q(law_db, "SELECT count(*) FROM records WHERE status = 'active'")[0][0]
    rep = run_stage(law_db, _EchoStage(), workers=2)
    assert rep.status == "finished"
    assert rep.counts["new_versions"] == n_changed
    assert _q(law_db, "SELECT count(*) FROM records WHERE stage = 'echo'")[0][0] == n_changed
    assert all(t.endswith("。！") for (t,) in _q(law_db, "SELECT text FROM records WHERE stage = 'echo'"))
    assert _q(law_db, "SELECT count(*) FROM provenance_events WHERE action = 'echoed_again'")[0][0] == 1


def test_a_ray_cluster_started_for_a_stage_leaves_no_logs_behind(tmp_path: Path, law_fixtures: Path, monkeypatch):
    """Ray wrote its workers' stdout/stderr (a stage's traceback may quote raw, pre-PII text) under
    /tmp/ray/session_*/logs, outside the run folder, for good (review 9): a cluster the run starts lives in a
    temporary folder of its own, deleted with it when the stage ends."""
    ray = pytest.importorskip("ray")
    db_path = tmp_path / "ray.duckdb"
    ingest(db_path, LawMojSource([law_fixtures / "chlaw_json/ch/G0380001.json"]))
    folders: list[str] = []
    init = ray.init

    def spy(*args, **kwargs):
        folders.append(kwargs.get("_temp_dir"))
        assert folders[-1] and Path(folders[-1], "session_latest").exists() is False
        return init(*args, **kwargs)

    monkeypatch.setattr(ray, "init", spy)
    rep = run_stage(db_path, make_stage("hygiene"), executor="ray", workers=2, tasks=2)
    assert rep.status == "finished"
    assert len(folders) == 1 and Path(folders[0]).name.startswith("curate-ray-")
    assert not Path(folders[0]).exists() and not ray.is_initialized()  # the cluster and its logs are gone
