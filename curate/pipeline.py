"""A whole curation pipeline in one TOML file: sources to ingest, stages in order, exports, report.

``curate pipeline run FILE`` runs it through the same library calls as the single commands
(:func:`curate.ingest.ingest`, :func:`curate.runner.run_stage`,
:func:`provenance.export.export_dataset`, :func:`curate.reporting.build_report`);
``--dry-run`` says what each step would do and writes nothing. File layout::

    [[ingest]]                       # one per batch, in order
    source = "law-moj"               # a name of sources.SOURCES
    paths = ["sample/law_moj/ChLaw.json"]   # relative to this file; $VARS expanded (unset: an error)
    options = { scope = "all" }      # the source's options (as `curate ingest SOURCE --help` lists them)

    [[stage]]                        # in order
    name = "hygiene"
    set = { drop_cjk_spaces = true } # the stage's config fields (`curate pipeline stages` lists them)
    workers = 2                      # optional: executor, workers, tasks

    [[export]]
    out = "out/training"             # purpose, audience, commercial are required
    purpose = "training"
    audience = "consortium"
    commercial = true
    catalogue = "licences.toml"      # optional: a corrected licence catalogue, as `export dataset --catalogue`

    [report]
    out = "out/report.html"          # catalogue = "licences.toml" too, as `curate report --catalogue`
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curate.pipeline_checks import (
    EXPORT_TYPES,
    count_field,
    error_like,
    expand_vars,
    file_tables,
    refuse_stage_order,
    stage_sets,
    want,
)
from provenance.errors import ConfigError, UsageError, WorkbenchError

Echo = Callable[[str], None]
_TOP = {"ingest", "stage", "export", "report"}
_STAGE_KEYS = {"name", "set", "executor", "workers", "tasks"}
_INGEST_KEYS = {"source", "paths", "options"}


@dataclass
class IngestStep:
    source: str
    paths: list[Path]
    options: dict[str, Any] = field(default_factory=dict)
    ok_quarantine: bool = True


@dataclass
class StageStep:
    name: str
    sets: dict[str, str] = field(default_factory=dict)
    executor: str = "local"
    workers: int | None = None
    tasks: int | None = None


@dataclass
class ExportStep:
    out: Path
    params: dict[str, Any]
    overwrite: bool = True
    #: the licence catalogue file its rules come from (`export dataset --catalogue`), else the shipped one
    catalogue: Path | None = None


@dataclass
class Pipeline:
    path: Path
    ingest: list[IngestStep] = field(default_factory=list)
    stages: list[StageStep] = field(default_factory=list)
    exports: list[ExportStep] = field(default_factory=list)
    report: Path | None = None
    report_catalogue: Path | None = None


def load(path: str | Path) -> Pipeline:
    """Read and check a pipeline file; every problem names the file, the table, the key and the fix. Every key's
    type and value is checked here, before any step runs."""
    from curate.runner import EXECUTORS, check_settings, make_stage
    from curate.stages import STAGES
    from provenance.export import ExportParams
    from provenance.licence_terms import refuse_bank_case
    from sources import SOURCES

    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"pipeline file `{path}` not found") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte {exc.start}); a pipeline file is TOML, saved as UTF-8") from exc
    except OSError as exc:
        raise ConfigError(f"pipeline file `{path}` cannot be read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from exc
    except RecursionError:
        raise UsageError(f"{path}: arrays or tables nested too deeply to read; a pipeline file is flat") from None
    unknown = set(data) - _TOP
    if unknown:
        raise UsageError(f"{path}: unknown tables {sorted(unknown)}; valid: {sorted(_TOP)}")
    base = path.resolve().parent

    def resolve(p: str, where: str) -> Path:
        if "\0" in p:  # TOML's "\u0000": every path function raised ValueError, a traceback
            raise UsageError(f"{where}: {p!r} holds a NUL character, which no path can; write the path out")
        q = Path(expand_vars(str(p), where))
        return q if q.is_absolute() else base / q

    pipe = Pipeline(path=path)
    for i, item in enumerate(file_tables(data, "ingest", path), 1):
        where = f"{path}: [[ingest]] #{i}"
        bad = set(item) - _INGEST_KEYS
        if bad:
            raise UsageError(f"{where}: unknown keys {sorted(bad)}; valid: {sorted(_INGEST_KEYS)}")
        source = want(where, "source", item.get("source"), str, "a source name (a string)")
        name = source.replace("-", "_")
        if name not in SOURCES:
            raise UsageError(f"{where}: unknown source `{source}`; valid: {', '.join(sorted(SOURCES))}")
        paths = item.get("paths")
        if not paths or not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
            raise UsageError(f"{where}: `paths` must be a non-empty list of files or folders (strings)")
        resolved = [resolve(p, f"{where}: `paths`") for p in paths]
        missing = [str(p) for p in resolved if not p.exists()]
        if missing:
            raise UsageError(f"{where}: paths not found: {', '.join(missing)}")
        options = want(where, "options", item.get("options", {}), dict, "a table (options = { key = value })")
        _check_option_values(where, name, options)
        step = IngestStep(name, resolved, dict(options))
        try:
            _source(step, path, read_catalogue=False)  # checks the options (a licence id, a scope ...) now
        except WorkbenchError as exc:
            raise error_like(exc)(f"{where}: {exc}") from exc
        pipe.ingest.append(step)
    for i, item in enumerate(file_tables(data, "stage", path), 1):
        where = f"{path}: [[stage]] #{i}"
        name = want(where, "name", item.get("name"), str, "a stage name (a string)")
        if name not in STAGES:
            raise UsageError(f"{where}: unknown stage `{name}`; valid: {', '.join(sorted(STAGES))}")
        bad = set(item) - _STAGE_KEYS
        if bad:
            raise UsageError(f"{where}: unknown keys {sorted(bad)}; valid: {sorted(_STAGE_KEYS)}")
        executor = want(where, "executor", item.get("executor", "local"), str, "an executor name (a string)")
        if executor not in EXECUTORS:
            raise UsageError(f"{where}: unknown executor `{executor}`; valid: {', '.join(EXECUTORS)}")
        step = StageStep(
            name,
            stage_sets(where, name, item.get("set", {})),
            executor,
            count_field(where, "workers", item.get("workers")),
            count_field(where, "tasks", item.get("tasks")),
        )
        try:
            check_settings(make_stage(step.name, step.sets))  # every `set` key and value, and the environment's
            # settings a run reads (CURATE_LOAD_BATCH ...) and what the stage needs (torch for CUDA) now, not mid-pipeline
        except WorkbenchError as exc:
            raise error_like(exc)(f"{where}: {exc}") from exc
        pipe.stages.append(step)
    refuse_stage_order(path, [step.name for step in pipe.stages])
    types = {f.name: f.type.split(" |")[0] for f in dataclasses.fields(ExportParams) if f.name != "at"}
    for i, item in enumerate(file_tables(data, "export", path), 1):
        where = f"{path}: [[export]] #{i}"
        item = dict(item)
        out = want(where, "out", item.pop("out", None), str, "the export folder (a string)")
        overwrite = want(where, "overwrite", item.pop("overwrite", True), bool, "true or false (a TOML boolean)")
        catalogue = _catalogue(where, item.pop("catalogue", None), resolve)
        if not out:
            raise UsageError(f"{where}: `out` (the export folder) is required")
        bad = set(item) - set(types)
        if bad:
            raise UsageError(
                f"{where}: unknown keys {sorted(bad)}; valid: out, overwrite, catalogue, {', '.join(sorted(types))}"
            )
        for key, value in item.items():
            want(where, key, value, *EXPORT_TYPES[types[key]])
        try:
            refuse_bank_case(ExportParams(**item).validated().audience)  # `member:esun`: as `export dataset`
        except WorkbenchError as exc:
            raise error_like(exc)(f"{where}: {exc}") from exc
        pipe.exports.append(ExportStep(resolve(out, f"{where}: `out`"), item, overwrite, catalogue))
    if "report" in data:
        report = want(str(path), "report", data["report"], dict, 'a [report] table (out = "report.html")')
        bad = set(report) - {"out", "catalogue"}
        if bad:
            raise UsageError(f"{path}: [report]: unknown keys {sorted(bad)}; valid: ['catalogue', 'out']")
        pipe.report_catalogue = _catalogue(f"{path}: [report]", report.get("catalogue"), resolve)
        out = want(f"{path}: [report]", "out", report.get("out"), str, "the report's HTML file (a string)")
        if not out:
            raise UsageError(f"{path}: [report] needs `out`")
        pipe.report = resolve(out, f"{path}: [report]: `out`")
    return pipe


def _catalogue(where: str, value: Any, resolve: Callable[[str, str], Path]) -> Path | None:
    """A step's ``catalogue`` (the licence catalogue file its rules come from, as ``--catalogue FILE``), read now: a
    pipeline's exports and report followed the shipped catalogue only, so a licence ended in a corrected copy (the
    one `export dataset --catalogue` exports with) still shipped from a pipeline run (review 13, integration)."""
    if value is None:
        return None
    from provenance.export import load_licence_catalogue_for

    file = resolve(want(where, "catalogue", value, str, "a licence catalogue file (a string)"), f"{where}: `catalogue`")
    try:
        load_licence_catalogue_for(file)
    except WorkbenchError as exc:
        raise error_like(exc)(f"{where}: `catalogue`: {exc}") from exc
    return file


def stage_fields() -> dict[str, list[tuple[str, str, Any]]]:
    """``{stage: [(field, type, default)]}``: the `set` keys each stage takes."""
    from curate.stages import STAGES, get_config_class

    out = {}
    for name in sorted(STAGES):
        cls = get_config_class(name)
        out[name] = (
            [(f.name, type(getattr(cls(), f.name)).__name__, getattr(cls(), f.name)) for f in dataclasses.fields(cls)]
            if cls
            else []
        )
    return out


_MANIFEST_OPTIONS = {"source_id": str, "strict": bool, "pii_expected": bool, "max_uncompressed_bytes": int}
#: the options an `[[ingest]]` table may give each source: those of its `curate ingest SOURCE` command, by type
INGEST_OPTIONS: dict[str, dict[str, type]] = {
    "moda": {
        "licence": str,
        "text_field": str,
        "id_field": str,
        "title_field": str,
        "url_field": str,
        "date_field": str,
        "dataset": str,
        "source_id": str,
        "pii_expected": bool,
        "expiry": str,
        "licensee": str,
        "complete": bool,
    },
    "fsc": {"licence": str, "source_id": str},
    "law_moj": {"scope": str, "allow": list},
    "tabf": _MANIFEST_OPTIONS,
    "textbooks": _MANIFEST_OPTIONS,
}


def _check_option_values(where: str, source: str, options: dict[str, Any]) -> None:
    """Each option is one the source's `curate ingest` command takes, of its type (a misspelt `pii_expcted` was
    dropped silently, `pii_expected = "false"` read as true, a list holding a table in `dataset` became part of
    every record's doc key, `allow = "G0380001"` was split into letters)."""
    allowed = INGEST_OPTIONS.get(source)
    if allowed is None:
        return
    for key, value in options.items():
        want = allowed.get(key)
        if want is None:
            raise UsageError(f"{where}: unknown option `{key}` for {source}; valid: {', '.join(sorted(allowed))}")
        if want is list:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            what = "a list of strings"
        elif want is int:
            ok, what = isinstance(value, int) and not isinstance(value, bool) and value > 0, "a positive integer"
        else:
            ok, what = isinstance(value, want), {str: "a string", bool: "true or false"}[want]
        if not ok:
            raise UsageError(f"{where}: option `{key}` must be {what} (got {type(value).__name__})")


def _source(step: IngestStep, db_path: str | Path, *, read_catalogue: bool = True):
    """The source object, with the options the matching `curate ingest` command would give it."""
    from sources import get_source_class

    options = dict(step.options)
    if isinstance(options.get("licence"), str):  # as `--licence`: an alias is stored as the catalogue's own id
        from provenance.licences import canonical_licence_id

        options["licence"] = canonical_licence_id(options["licence"])
    if step.source == "moda" and read_catalogue and not options.get("dataset"):  # as `curate ingest moda`
        from curate.ingest_rows import moda_dataset_options

        sid, pii = options.get("source_id") or "moda", bool(options.get("pii_expected"))
        options.update(moda_dataset_options(db_path, sid, pii_expected=pii))
    if step.source == "moda" and read_catalogue and isinstance(options.get("licence"), str):  # as `curate ingest moda`
        from sources.moda_grants import held_grant_terms

        options["held_terms"] = held_grant_terms(db_path, options.get("source_id") or "moda", options["licence"])
    if step.source == "law_moj":  # as `curate ingest law-moj`: allow-list additions (the FSC laws the catalogue
        from sources.law_moj import DEFAULT_ALLOW_LIST  # holds, and FSC cases held in full, are read by the ingest)

        options["allow_list"] = (*DEFAULT_ALLOW_LIST, *options.pop("allow", ()))
    try:
        return get_source_class(step.source)([str(p) for p in step.paths], **options)
    except TypeError as exc:
        raise ConfigError(f"ingest {step.source}: bad options {step.options}: {exc}") from exc


def _check_source_ids(pipe: Pipeline, db_path: str | Path) -> None:
    """Before the first step: no batch may take a source id that the catalogue or an earlier batch holds for
    another kind of source, nor read the PII key file or a copy of the key (:mod:`curate.ingest_inputs`: the
    ingest step refused it only after the batches before it had run, and the dry run read it), nor give a TABF or
    textbooks manifest that its ingest would refuse whole (a column named twice, a reserved column, an encoding it
    cannot tell: review 13); the checks every ingest makes, here for the whole file at once."""
    from curate.ingest_inputs import refuse_key_file_input
    from curate.ingest_names import refuse_non_utf8_inputs
    from curate.ingest_rows import check_not_reserved, check_source_id, check_source_kinds, refuse_personal
    from provenance import db

    kinds: dict[str, str] = {}
    checks = []
    for i, step in enumerate(pipe.ingest, 1):
        source = _source(step, db_path, read_catalogue=False)
        try:
            refuse_key_file_input(source, strict=True)  # a manifest refused whole too, each read once
            refuse_non_utf8_inputs(source.paths)  # a Big5 file name, which the ingest step refuses
        except (UsageError, ConfigError) as exc:
            raise type(exc)(f"{pipe.path}: [[ingest]] #{i}: {exc}") from None
        for info in source.source_infos():
            try:  # also on a new catalogue: a `source_id = "$BANK"` passed the dry run and the batches before it ran
                check_source_id(info.source_id)
                check_not_reserved(info.source_id, source.name)
                if step.options.get("dataset"):
                    refuse_personal("dataset name (`dataset`)", str(step.options["dataset"]))
            except UsageError as exc:
                raise UsageError(f"{pipe.path}: [[ingest]] #{i}: {exc}") from None
            if kinds.setdefault(info.source_id, info.kind) != info.kind:
                raise ConfigError(
                    f"{pipe.path}: [[ingest]] #{i}: source id `{info.source_id}` is a source of kind"
                    f" `{kinds[info.source_id]}` in an earlier batch, not `{info.kind}`; choose another source_id"
                )
        checks.append((source.source_infos(), source.name, source.options))
    from provenance.dbnew import holds_no_catalogue

    if checks and not holds_no_catalogue(db_path):  # a 0-byte file or an empty database is made one, as a new path
        con = db.connect_readonly(db_path)
        try:
            for infos, name, options in checks:
                check_source_kinds(con, infos, name, options)
        finally:
            con.close()


def check_outputs(pipe: Pipeline, db_path: str | Path) -> None:
    """Before the first step: no export folder nor the report may be (or lie in) the catalogue's files, another
    output or an input (:func:`curate.pipeline_checks.refuse_shared_outputs`), no export folder may lie inside an
    export folder already on disk (:func:`provenance.export_out.refuse_inside_export`: the export step refused it
    only after the ingests and stages had run), the report may replace only an earlier report
    (:func:`curate.reporting.output.check_out`), and no input may overlap the catalogue's files or an earlier
    export's folder, and each export folder is one its export will take (:mod:`curate.pipeline_places`)."""
    from curate.pipeline_checks import refuse_shared_outputs
    from curate.pipeline_places import refuse_catalogue_inputs, refuse_unusable_export_folders
    from curate.reporting.output import check_out
    from provenance.export_out import catalogue_paths, refuse_inside_export, refuse_overlap

    outputs = [(f"[[export]] #{i}", step.out) for i, step in enumerate(pipe.exports, 1)]
    inputs = [(f"[[ingest]] #{i}", p) for i, step in enumerate(pipe.ingest, 1) for p in step.paths]
    refuse_shared_outputs(pipe.path, outputs + ([("[report]", pipe.report)] if pipe.report else []), inputs)
    catalogue = catalogue_paths(db_path)
    try:
        for i, step in enumerate(pipe.exports, 1):
            where = f"[[export]] #{i}"
            refuse_overlap(step.out, catalogue, option="out")
            refuse_inside_export(step.out, option="out")
        if pipe.report:
            where = "[report]"
            check_out(pipe.report, catalogue, option="out")
    except WorkbenchError as exc:
        raise ConfigError(f"{pipe.path}: {where}: {exc}") from exc
    refuse_catalogue_inputs(pipe, db_path)
    refuse_unusable_export_folders(pipe, db_path)


def run(
    pipe: Pipeline, db_path: str | Path, *, echo: Echo, progress: Callable[[str], Any] | None = None
) -> dict[str, Any]:
    """Run every step in order; returns what each did. ``progress(label)`` gives a context manager
    yielding an ``update(n)`` callable (the CLI's progress bars)."""
    from contextlib import nullcontext

    from curate.ingest import ingest
    from curate.runfailed import failed_on_out_of_memory
    from curate.runner import make_stage, run_stage
    from curate.snapshot import capped_note, pii_wait_note
    from provenance import db
    from provenance.export import ExportParams, export_dataset, load_licence_catalogue_for

    done: dict[str, Any] = {"ingest": [], "stages": [], "exports": [], "report": None, "quarantined": 0}
    check_outputs(pipe, db_path)
    _check_source_ids(pipe, db_path)
    for step in pipe.ingest:
        with progress(f"ingest {step.source}") if progress else nullcontext(lambda n=1: None) as update:
            rep = ingest(db_path, _source(step, db_path), progress=update)
        d = rep.as_dict()
        done["quarantined"] += d["quarantined"]
        done["ingest"].append(d)
        echo(
            f"ingest {step.source}: run {d['run_id']}: {d['records_seen']} records ({d['records_new']} new, "
            f"{d['versions_new']} new versions), {d['quarantined']} quarantined, {d['skipped_total']} skipped"
        )
        for line in rep.detail_lines():  # every skipped, quarantined and warned item by name (issue 14)
            echo("  " + line)
    for step in pipe.stages:
        stage = make_stage(step.name, step.sets)
        with failed_on_out_of_memory(db_path, stage):
            first = run_stage(
                db_path,
                stage,
                executor=step.executor,
                workers=step.workers,
                tasks=step.tasks,
                progress=progress is not None,
            )
        from curate.stats import stale_note

        for rep in (first, *first.followed_by):  # a PII run's followers took the raw duplicates it released
            c = rep.counts
            done["stages"].append({"stage": step.name, "run_id": rep.run_id, "inputs": rep.inputs, **c})
            echo(
                f"stage {step.name}: run {rep.run_id}: {rep.inputs} records in, {c.get('new_versions', 0)} new versions,"
                f" {c.get('status_changes', 0)} status changes, {c.get('events', 0)} events{stale_note(c)}"
            )
            if note := capped_note(rep.inputs, step.workers, step.tasks):
                echo("  " + note)
            if rep.status != "finished":  # submitted to Slurm: the steps after it need its results in the catalogue
                echo(f"  {rep.message}")
                echo("pipeline stopped here: the steps after this stage were not run; run the same pipeline file again")
                done["stopped"] = step.name
                return done
            from curate.stats import run_summary, summary_lines

            con = db.connect_readonly(db_path)
            try:
                for line in summary_lines(run_summary(con, rep.run_id)):
                    echo("  " + line)
            finally:
                con.close()
        if waiting := pii_wait_note(db_path, stage):  # e.g. dedup before pii: counted, never silent
            echo("  " + waiting)
    for step in pipe.exports:
        con = db.connect(db_path, create=False)
        try:
            cat = load_licence_catalogue_for(step.catalogue)
            res = export_dataset(
                con, step.out, ExportParams(**step.params), overwrite=step.overwrite, licence_catalogue=cat
            )
        finally:
            con.close()
        done["exports"].append({"export_id": res.export_id, "out": str(res.out_dir), "records": res.records})
        echo(f"export {res.export_id}: {res.records} records, {res.blocked} blocked -> {res.out_dir}")
    if pipe.report:
        from curate.reporting import build_report, output

        con = db.connect_readonly(db_path)
        try:
            cat = load_licence_catalogue_for(pipe.report_catalogue)
            html = build_report(con, catalogue=str(db_path), db_path=db_path, licence_catalogue=cat)
        finally:
            con.close()
        output.write(pipe.report, html, option="[report] out")
        done["report"] = str(pipe.report)
        echo(f"report: {pipe.report}")
    return done


def dry_run(pipe: Pipeline, db_path: str | Path, *, echo: Echo, samples: int = 2) -> dict[str, Any]:
    """What each step would do, writing nothing: items per ingest batch (files are read), records each
    stage would take from the catalogue as it is now, before/after samples for hygiene and normalise
    (only records past the PII stage), and what each export would hold and block, by reason."""
    from collections import Counter

    from sources.base import Rejection, Skip

    out: dict[str, Any] = {"ingest": [], "stages": [], "exports": []}
    check_outputs(pipe, db_path)
    _check_source_ids(pipe, db_path)
    for step in pipe.ingest:
        kinds: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        src = _source(step, db_path, read_catalogue=False)
        for raw in src.iter_raw():
            if isinstance(raw, Rejection):
                kinds["quarantined"] += 1
                reasons[raw.reason.split(":")[0]] += 1
            elif isinstance(raw, Skip):
                kinds["skipped"] += 1
                reasons[raw.reason.split(":")[0]] += 1
            elif hasattr(raw, "payload"):
                for rec in src.to_records(raw):
                    kind = (
                        "quarantined"
                        if isinstance(rec, Rejection)
                        else "skipped"
                        if isinstance(rec, Skip)
                        else "records"
                    )
                    kinds[kind] += 1
                    if kind != "records":
                        reasons[rec.reason.split(":")[0]] += 1
        out["ingest"].append({"source": step.source, **kinds, "reasons": dict(reasons)})
        why = "; ".join(f"{k} {v}" for k, v in reasons.most_common())
        echo(
            f"ingest {step.source}: would read {kinds['records']} records, quarantine {kinds['quarantined']},"
            f" skip {kinds['skipped']}" + (f" ({why})" if why else "")
        )
    from provenance import db
    from provenance.dbnew import holds_no_catalogue

    if holds_no_catalogue(db_path):  # missing, a 0-byte file or an empty database: the run makes it a catalogue
        echo(f"catalogue {db_path} does not exist yet: stage and export counts need the ingested records")
        return out

    con = db.connect_readonly(db_path)
    try:
        echo(f"(stages and exports below: on catalogue {db_path} as it is now; a dry run applies no step)")
        for step in pipe.stages:
            out["stages"].append(_dry_stage(con, step, echo, samples))
        for step in pipe.exports:
            from provenance.export import ExportParams, load_licence_catalogue_for, preview

            pv = preview(con, ExportParams(**step.params), licence_catalogue=load_licence_catalogue_for(step.catalogue))
            out["exports"].append({"out": str(step.out), **pv})
            blocked = ", ".join(f"{k} {v}" for k, v in sorted(pv["blocked"].items(), key=lambda kv: -kv[1]))
            echo(
                f"export {step.params['purpose']}/{step.params['audience']} -> {step.out}: would hold"
                f" {pv['records']} records; blocked {sum(pv['blocked'].values())}"
                + (f" ({blocked})" if blocked else "")
            )
        if pipe.report:
            echo(f"report: would write {pipe.report}")
    finally:
        con.close()
    return out


def _dry_stage(con, step: StageStep, echo: Echo, samples: int) -> dict[str, Any]:
    from datatrove.data import Document

    from curate.runner import make_stage
    from curate.snapshot import input_where, pii_waiting
    from curate.stages.base import RECORD_METADATA
    from provenance.records import PII_PASSED

    stage = make_stage(step.name, step.sets)
    where, params = input_where(stage)
    n = con.execute(f"SELECT count(*) FROM records r WHERE {where}", params).fetchone()[0]
    waiting = pii_waiting(con, stage)  # left to the PII stage now (a PII step before this one checks them first)
    echo(
        f"stage {step.name}: would take {n} records" + (f" ({waiting} more wait for the PII stage)" if waiting else "")
    )
    shown = []
    if step.name in ("hygiene", "normalise") and n:
        cols = list(dict.fromkeys(("record_id", "text", *stage.reads)))
        # the same columns the runner's snapshot gives the stage (metadata as JSON text, see curate.runner)
        select = ", ".join(f"CAST(r.{c} AS VARCHAR)" if c == "metadata" else f"r.{c}" for c in cols)
        cols = [RECORD_METADATA if c == "metadata" else c for c in cols]
        rows = con.execute(
            f"SELECT {select} FROM records r WHERE {where}"
            f" AND list_contains(['{PII_PASSED[0]}', '{PII_PASSED[1]}'], r.pii_state) ORDER BY r.record_id LIMIT 200",
            params,
        ).fetchall()
        for row in rows:
            rec = dict(zip(cols, row, strict=True))
            meta = {k: v for k, v in rec.items() if k not in ("record_id", "text")}
            results = list(stage.process(Document(text=rec["text"], id=rec["record_id"], metadata=meta)))
            new = next((r.new_text for r in results if r.new_text is not None), None)
            if new is not None and new != rec["text"]:
                shown.append({"record_id": rec["record_id"], "before": rec["text"], "after": new})
                echo(f"  {rec['record_id'][:12]} before: {_clip(rec['text'])}")
                echo(f"  {rec['record_id'][:12]} after:  {_clip(new)}")
            if len(shown) >= samples:
                break
        if not shown:
            echo("  (no sample: no record past the PII stage would change)")
    return {"stage": step.name, "records": n, "pii_waiting": waiting, "samples": shown}


def _clip(text: str, n: int = 100) -> str:
    t = text.replace("\r", "\\r").replace("\n", "\\n")
    return t if len(t) <= n else t[: n - 1] + "…"
