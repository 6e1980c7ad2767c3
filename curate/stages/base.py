"""The stage contract: a datatrove ``PipelineStep`` that turns records into decisions.

A stage reads the columns it declares (``reads``) from a Parquet snapshot of the catalogue,
and for each input document returns zero or more :class:`StageResult` rows. The runner
(:mod:`curate.runner`) writes them per rank, then loads them back in bounded batches that each commit
(:mod:`curate.load`):

* ``new_text`` (not None, and different or with ``fields``; an unchanged one without ``fields`` is dropped by
  :func:`settled`, in the rank or, for :meth:`Stage.finalize`'s, by the runner) -> a new record version (``version_of`` = the input,
  id derived from parent + stage + text, licence and doc_key inherited, ``fields`` override
  columns/metadata of the new version); the input becomes ``superseded``;
* ``set_status`` / ``set_pii_state`` -> the input record's status / pii_state changes;
* ``set_script`` -> the input record's ``script`` is stored in place (a derived column: the text did
  not change, so no new version; the stage's event, e.g. ``script_detected``, records it);
* ``action`` -> one ledger event on the input record with ``detail`` (never raw PII), or, for an action the
  stage lists in ``verdicts``, a member of its load batch's verdict batch (:mod:`provenance.verdicts`);
* ``mark`` -> the input is recorded in ``stage_marks`` so a re-run with the same config
  skips it.

Global stages (dedup) also implement :meth:`Stage.finalize`, which runs once in the parent
after all ranks and may return more results.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

#: key of ``Document.metadata`` holding the record's ``metadata`` column (JSON text) when a stage reads it
RECORD_METADATA = "record_metadata"
#: key of ``Document.metadata`` holding the record's row position in ``records`` when the snapshot was written
#: (``rowid``; records are never deleted, so it stays valid): results carry it as ``row``, and a load batch reads only
#: the row groups its records lie in instead of searching the whole table for them (:mod:`curate.load`)
SNAPSHOT_ROW = "_row"


@dataclass(frozen=True, slots=True)
class StageResult:
    """One decision about one input record."""

    record_id: str
    action: str | None = None
    new_text: str | None = None
    set_status: str | None = None
    set_pii_state: str | None = None
    set_script: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    mark: bool = True
    outcome: str | None = None


def settled(res: StageResult, parent_text: str | None) -> StageResult:
    """``res`` without a ``new_text`` equal to its input's text when it sets no ``fields`` (no version follows).

    Every result reaches the load in this form, so the load never compares a new text with its parent's
    (which read every text of the catalogue once per load batch). ``parent_text`` None: unknown, kept.

    >>> settled(StageResult("r", new_text="a"), "a").new_text is None
    True
    >>> settled(StageResult("r", new_text="a", fields={"title": "t"}), "a").new_text
    'a'
    """
    if res.new_text is None or parent_text is None or res.fields or res.new_text != parent_text:
        return res
    return replace(res, new_text=None)


@dataclass(frozen=True, slots=True)
class FinalizeContext:
    """What :meth:`Stage.finalize` gets: the run's folder and a read-only catalogue path."""

    run_id: str
    run_dir: Path
    db_path: Path
    world_size: int


def config_hash(config: Any) -> str:
    """Stable short hash of a (dataclass) config: what a stage's marks and resumable runs are keyed by.

    Options a config lists in ``EXECUTION_ONLY`` change how the work is done, not its results (dedup's
    device, backend, batch size and cache: bit-identical signatures and verdicts); they are hashed at their
    defaults, so a run on a GPU after one on the CPU finds the records done, and the default config's hash is
    the one it always had. Options it lists in ``UNMARKED`` belong to work that does not go by the marks (the
    PII stage's source-wide name scrub) and are left out.

    >>> config_hash({"a": 1}) == config_hash({"a": 1})
    True
    """
    data = asdict(config) if is_dataclass(config) else config
    for f in fields(config) if is_dataclass(config) else ():
        if f.name in getattr(config, "EXECUTION_ONLY", ()) and f.default is not MISSING:
            data[f.name] = f.default
        elif f.name in getattr(config, "UNMARKED", ()):
            del data[f.name]
    blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class Stage(PipelineStep):
    """Base class of processing stages."""

    #: stage name used in `curate run <name>`, events and stage_marks
    name: ClassVar[str]
    #: catalogue columns the stage needs in its snapshot
    reads: ClassVar[tuple[str, ...]] = ("record_id", "text")
    #: what it may write: "version", "status", "event"
    writes: ClassVar[tuple[str, ...]] = ("version", "event")
    #: per-record decisions that leave the text as it is, written as verdict batches (one ledger event per load
    #: batch, its members in ``verdict_members``: :mod:`provenance.verdicts`): ``{action: result column holding
    #: the verdict}``, e.g. ``{"script_detected": "set_script"}``
    verdicts: ClassVar[dict[str, str]] = {}
    #: SQL condition (over `records r`) selecting its input, beside status='active'
    select_where: ClassVar[str] = "TRUE"
    #: skip records already in stage_marks for this stage + config
    skip_marked: ClassVar[bool] = True
    #: a run whose work files were lost after part of its load committed can go on from a new snapshot of what is
    #: left (:func:`curate.workfiles.recheck_work`); False where the run's end needs what the lost files held
    resumes_from_new_snapshot: ClassVar[bool] = True
    #: a finished run whose new versions released dedup's duplicates of what it superseded, which its input takes
    #: now (active again, never through this stage), is followed by another run taking them
    #: (:func:`curate.runner.run_stage`): a PII run after dedup left them active with their raw personal data
    takes_released: ClassVar[bool] = False

    def work_intact(self, run_dir: Path) -> bool:
        """Whether the stage's own work files of a resumed run (beside the snapshot and results) are all there;
        when not, :func:`curate.workfiles.recheck_work` has the run's tasks computed again."""
        return True

    #: frozen dataclass of the stage's options (`curate run STAGE --set key=value`)
    config_class: ClassVar[type | None] = None
    #: datatrove stat bookkeeping
    type = "curate"

    def __init__(self, config: Any = None) -> None:
        super().__init__()
        if config is None and self.config_class is not None:
            config = self.config_class()
        self.config = config
        #: the run's working folder, set by the runner before execution (side files go here)
        self.run_dir: Path | None = None

    @property
    def config_hash(self) -> str:
        return config_hash(self.config if self.config is not None else {})

    # -- per record ----------------------------------------------------------------------
    def process(self, doc: Document) -> Iterable[StageResult]:  # pragma: no cover - abstract
        """Decide about one document (``doc.id`` = record_id, ``doc.metadata`` = other columns)."""
        raise NotImplementedError

    def process_batch(self, docs: list[Document]) -> Iterable[StageResult]:
        """Batched variant; default loops over :meth:`process`."""
        for doc in docs:
            yield from self.process(doc)

    batch_size: ClassVar[int] = 256
    #: a batch also ends once its texts hold this many characters (None: by records only)
    batch_chars: ClassVar[int | None] = None

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        from curate.batching import batches

        done = 0
        for batch in batches(
            self._counted(data),
            max_items=self.batch_size,
            max_chars=self.batch_chars,
            size=lambda doc: len(doc.text or ""),
        ):
            yield from self._emit(batch)
            done += len(batch)
            self._report_progress(rank, done)
        self._report_progress(rank, done)

    def _counted(self, data: DocumentsPipeline) -> DocumentsPipeline:
        for doc in data:
            self.stat_update("documents")
            yield doc

    def _report_progress(self, rank: int, done: int) -> None:
        """This rank's running count for the runner's progress bar (``<run>/progress/<rank>``)."""
        if self.run_dir is None:
            return
        folder = Path(self.run_dir) / "progress"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{rank}.tmp"
            tmp.write_text(str(done))
            tmp.replace(folder / str(rank))
        except OSError:  # progress is best effort (e.g. a remote worker without the shared folder)
            pass

    def _emit(self, docs: list[Document]) -> Iterator[Document]:
        texts = {d.id: d.text for d in docs}
        rows = {d.id: (d.metadata or {}).get(SNAPSHOT_ROW) for d in docs}
        for res in self.process_batch(docs):
            meta = {"_result": settled(res, texts.get(res.record_id)), SNAPSHOT_ROW: rows.get(res.record_id)}
            yield Document(text="", id=res.record_id, metadata=meta)

    # -- once, after all ranks --------------------------------------------------------------
    def finalize(self, ctx: FinalizeContext) -> Iterable[StageResult]:
        """Global work after all ranks (default: nothing)."""
        return ()

    def run_statistics(self) -> dict[str, dict[str, float]]:
        """Extra statistics of the run as ``{metric: {key: number}}`` (stored in ``run_stats``; default none)."""
        return {}

    def check_settings(self) -> None:
        """Read the environment settings the stage uses (:mod:`provenance.envsettings`), so that a bad one stops
        the run before it starts (default: none)."""

    def prepare(self, con: Any) -> None:
        """Read what the stage needs from the catalogue before the snapshot (e.g. the PII allow-list)."""

    def after_batch(self, con: Any, run_id: str) -> None:
        """Called inside each load batch's transaction after its results are written (``_res`` holds the
        batch; default: nothing). Work here commits with the batch (:mod:`curate.load`)."""

    def after_batches(self, con: Any, run_id: str, rows: int) -> None:
        """Whole-run work that commits in steps of its own, after every batch and before the last
        transaction (``_res`` is a view over all of the run's results; default: nothing). ``rows``: the
        load's batch size, what one step may write.

        Each step must be its own transaction and the whole must be idempotent: a run killed here is
        resumed by calling it again, and a second call must find the committed steps done and end
        with the same catalogue as one uninterrupted call. Work that marks the run's progress (what
        a resumed call would read to skip steps) belongs in :meth:`after_load`, which commits with
        the run's end."""

    def after_batches_counts(self, con: Any, run_id: str) -> dict[str, int]:
        """What :meth:`after_batches` wrote in run ``run_id`` (``new_versions``, ``events``), read from the catalogue
        so that a resumed run counts the steps committed before it; added to the load's counts (default: none)."""
        return {}

    def after_load(self, con: Any, run_id: str) -> None:
        """Called once in the run's last load transaction, after every batch (``_res`` is a view over all
        of the run's results; default: nothing)."""
