"""Run rows and the bank's Label Studio project table (`annotation_projects`) of the bridge.

Runs are rows written by :mod:`provenance.runs` (the one owner of run rows).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import duckdb

from annotation.config import bank_key
from annotation.errors import LabelStudioTerminalError
from annotation.label_studio import LabelStudioClient
from annotation.tasks import config_sha256, label_config
from annotation.zh_tw import PROJECT_NAMES, description, instructions, project_title
from provenance import ledger, runs
from provenance.db import transaction
from provenance.errors import UsageError

BANK_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def check_bank(bank: str) -> str:
    """Validate a bank code (letters, digits, ``_.-``; at most 32 characters)."""
    if not bank or len(bank) > 32 or set(bank) - BANK_CHARS:
        raise UsageError(f"bank code {bank!r} is invalid: use 1-32 letters, digits, '_', '.', '-'")
    return bank


def check_bank_case(con: duckdb.DuckDBPyConnection, bank: str) -> None:
    """Refuse a push for a bank code with small letters that the catalogue does not know yet (``esun``): bank codes
    are written in capitals everywhere else, and a grant may only name ``member:ESUN``, so the annotators of
    ``esun`` were sent the public and consortium records only, their own bank's agreements never, without a word.
    A code the catalogue already has projects for keeps working (its tasks and pulls are recorded under it), its
    tasks judged for ``member:ESUN`` (:func:`annotation.eligibility.audience_for`)."""
    if bank == bank.upper():
        return
    if con.execute("SELECT count(*) FROM annotation_projects WHERE bank = ?", [bank]).fetchone()[0]:
        return
    raise UsageError(
        f"bank code {bank!r} has small letters: bank codes are written in capitals (a licence grant names "
        f"member:{bank.upper()}, which {bank!r} would never match); use --bank {bank.upper()}"
    )


def _check_bank_clash(con: duckdb.DuckDBPyConnection, bank: str) -> None:
    """Refuse a bank code new to the catalogue that differs from a known one only in case or punctuation (``ctbc``
    beside ``CTBC``, ``e-sun`` beside ``e.sun``): both would read the same per-bank settings
    (``LABEL_STUDIO_URL__CTBC`` and its token), so the second code's projects would land on the first bank's
    instance, or split one bank's work in two."""
    banks = {b for (b,) in con.execute("SELECT DISTINCT bank FROM annotation_projects").fetchall()}
    if bank in banks:  # (a catalogue that holds both already keeps working)
        return
    key = bank_key(bank)
    clash = sorted(b for b in banks if bank_key(b) == key)
    if clash:
        raise UsageError(
            f"bank code {bank!r} differs from the catalogue's bank {clash[0]!r} only in case or punctuation: both "
            f"would use the settings LABEL_STUDIO_URL__{key} and LABEL_STUDIO_API_KEY__{key} (one bank's Label "
            f"Studio); use {clash[0]!r}, or a code that differs in its letters or digits"
        )


#: the commands whose process holds the catalogue's write connection from before its run starts to its end
LOCKED_RUNS = ("annotate push", "annotate pull")


def start_run(con: duckdb.DuckDBPyConnection, command: str, params: dict[str, Any]) -> str:
    """Record a run through the catalogue kernel; returns its id. A push or pull still ``running`` was killed (this
    process holds the catalogue, as each of them does from start to end): it is ended as failed first
    (:func:`provenance.runs.fail_interrupted`), a killed push by the next pull too (it waited for the next push).
    Another command's runs are left alone (a stage run does not hold the catalogue while its workers run)."""
    for kind in LOCKED_RUNS if command in LOCKED_RUNS else ():
        runs.fail_interrupted(con, kind)
    cfg_hash = hashlib.sha256(ledger.canonical_json(params).encode()).hexdigest()
    return runs.start_run(con, command, cfg_hash, params)


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str = "finished", counts: dict[str, Any] | None = None
) -> None:
    """Close a run with its counts."""
    runs.finish_run(con, run_id, status=status, counts=counts)


def _settings(bank: str, project: str) -> dict[str, Any]:
    """zh-TW description, instructions (shown before labelling) and the label config of a project."""
    return {
        "label_config": label_config(project),
        "description": description(bank, project),
        "expert_instruction": instructions(project),
        "show_instruction": True,
    }


def ensure_project(con: duckdb.DuckDBPyConnection, client: LabelStudioClient, bank: str, project: str) -> int:
    """The Label Studio project id of (bank, project) on this instance, creating it if needed.

    A project recorded in the catalogue but deleted in Label Studio is an error (its task mapping
    would be wrong); a project found on the instance by title is adopted.
    """
    instance = client.config.instance
    row = con.execute(
        "SELECT ls_project_id, config_sha256 FROM annotation_projects WHERE instance = ? AND bank = ? AND project = ?",
        [instance, bank, project],
    ).fetchone()
    if row:
        if not client.project_exists(row[0]):
            raise LabelStudioTerminalError(
                f"project {row[0]} ({project_title(bank, project)}) recorded in the catalogue no longer exists; "
                f"if it was deleted on purpose, run `curate annotate forget-project --bank {bank} --project {project} "
                "--reason TEXT` and push again (a new project gets every eligible record); if not, check "
                "LABEL_STUDIO_URL (another instance?)",
                url=instance,
            )
        check_recorded(client, row[0], bank, project)
        if row[1] != config_sha256(project):  # the shipped config or instructions changed: update in place
            client.update_project(row[0], **_settings(bank, project))
            con.execute(
                "UPDATE annotation_projects SET config_sha256 = ? WHERE instance = ? AND bank = ? AND project = ?",
                [config_sha256(project), instance, bank, project],
            )
        return row[0]
    _check_bank_clash(con, bank)
    title = project_title(bank, project)
    pid = client.find_project(title)
    if pid is None:
        pid = client.create_project(title, **_settings(bank, project))
        adopted = None
    else:  # adopted (one a push left unrecorded, or one made by hand): the shipped config and instructions, as a new one
        _refuse_taken(con, instance, pid, bank, project)
        adopted = _adopt(client, pid, bank, project)
    with transaction(con):
        con.execute(
            "INSERT INTO annotation_projects VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
            [instance, bank, project, pid, title, config_sha256(project)],
        )
        if adopted is not None:
            detail = {"bank": bank, "project": project, "instance": instance, "ls_project_id": pid, **adopted}
            ledger.append(con, [ledger.Event(stage="annotation", action="project_adopted", actor=bank, detail=detail)])
    return pid


def _refuse_taken(con: duckdb.DuckDBPyConnection, instance: str, pid: int, bank: str, project: str) -> None:
    """Refuse to adopt a project the catalogue records as another (bank, project) on this instance (one retitled by
    hand): both would push into it and each one's pull would read the other's annotations."""
    owner = con.execute(
        "SELECT bank, project FROM annotation_projects WHERE instance = ? AND ls_project_id = ?", [instance, pid]
    ).fetchone()
    if owner is not None:
        raise LabelStudioTerminalError(
            f"project {pid} on this instance is titled {project_title(bank, project)!r} but the catalogue records it "
            f"as bank {owner[0]}'s {owner[1]} project (retitled by hand?); give it back its title "
            f"{project_title(owner[0], owner[1])!r} and push again (a new project is made for bank {bank})",
            url=instance,
        )


def _described_owner(said: Any) -> tuple[str, str] | None:
    """(bank, project) a push's description names (:func:`annotation.zh_tw.description`); None for any other text
    (a description edited by hand, or an older wording).

    >>> _described_owner(description("CTBC", "topic")), _described_owner("my own project")
    (('CTBC', 'topic'), None)
    """
    for p in PROJECT_NAMES:
        head, tail = f"{PROJECT_NAMES[p][0]}（", f"）：{description('', p).split('：', 1)[1]}"
        if not (isinstance(said, str) and said.startswith(head) and said.endswith(tail)):
            continue
        owner = said[len(head) : len(said) - len(tail)]
        if said == description(owner, p):
            return owner, p
    return None


def _refuse_described(before: dict[str, Any], pid: int, bank: str, project: str, instance: str) -> None:
    """Refuse to adopt a project whose description is the one a push gave another (bank, project): retitled by hand,
    it may be recorded under another spelling of this server's URL (``localhost`` for ``127.0.0.1``), which
    :func:`_refuse_taken` cannot see. A description edited by hand, or an older wording, refuses nothing."""
    owner = _described_owner(before.get("description"))
    if owner is not None and owner != (bank, project):
        raise LabelStudioTerminalError(
            f"project {pid} on this instance is titled {project_title(bank, project)!r} but its description "
            f"names bank {owner[0]}'s {owner[1]} project (retitled by hand?); give it back its title "
            f"{project_title(*owner)!r} and push again (a new project is made for bank {bank})",
            url=instance,
        )


def check_recorded(client: LabelStudioClient, pid: int, bank: str, project: str) -> None:
    """Refuse a recorded project id whose project's description is the one a push gave another (bank, project): a
    Label Studio reinstalled under the same URL numbers its projects from 1 again, so a project pushed again after
    ``forget-project`` may get the id the catalogue records for another (review 17: the push sent its tasks there,
    shown with the other project's labels, and each pull read the other's annotations). A description edited by
    hand, or an older wording, refuses nothing. Push and pull check it before they use the project."""
    now = client.project(pid)
    owner = _described_owner(now.get("description"))
    if owner is not None and owner != (bank, project):
        raise LabelStudioTerminalError(
            f"project {pid}, which the catalogue records as bank {bank}'s {project} project, is bank {owner[0]}'s "
            f"{owner[1]} project now ({str(now.get('title'))[:100]!r}): Label Studio was reinstalled or its database replaced "
            "and numbers its projects anew; it is not used (nothing sent or imported). Restore the old database, or serve the new Label "
            "Studio under another URL (LABEL_STUDIO_URL, or LABEL_STUDIO_URL__BANK: another port or host name) and "
            "push again",
            url=client.config.instance,
        )
    if not is_ours(now, bank, project):
        raise LabelStudioTerminalError(
            f"project {pid}, which the catalogue records as bank {bank}'s {project} project, is neither titled "
            f"{project_title(bank, project)!r} nor described as a push describes it now (titled "
            f"{str(now.get('title'))[:100]!r}): Label Studio was reinstalled or its database replaced, or the project "
            "was retitled by hand; it is not used (nothing sent or imported). Give it back its title if it is the "
            f"bank's, or run `curate annotate forget-project --bank {bank} --project {project} --reason TEXT` and push "
            "again (a new project gets every eligible record)",
            url=client.config.instance,
        )


def is_ours(now: dict[str, Any], bank: str, project: str) -> bool:
    """Whether a Label Studio project (as :meth:`LabelStudioClient.project` returns it) is (bank, project)'s: its
    description is the one a push gives it, or its title is (a description edited by hand, or an older wording)."""
    return _described_owner(now.get("description")) == (bank, project) or now.get("title") == project_title(
        bank, project
    )


def _sha(text: Any) -> str:
    return hashlib.sha256(str(text or "").encode()).hexdigest()


def _adopt(client: LabelStudioClient, pid: int, bank: str, project: str) -> dict[str, Any]:
    """Give a project found by title the shipped label config, description and instructions: the catalogue records
    them as applied (``config_sha256``), so a project someone made by hand with the same title kept its own config
    for good, its annotations read as invalid on pull and its annotators never shown the guide.

    Returns what the ``project_adopted`` ledger event keeps of the project as it stood (digests and counts, never
    its text: a hand-made config or description is free text), so an auditor can tell a bank's own config was
    replaced, on which project, holding how many tasks and annotations."""
    before = client.project(pid)
    _refuse_described(before, pid, bank, project, client.config.instance)
    old = before.get("label_config") or ""
    kept = {
        "previous_label_config_sha256": _sha(old),
        "previous_description_sha256": _sha(before.get("description")),
        "previous_instruction_sha256": _sha(before.get("expert_instruction")),
        "config_replaced": old.strip() != label_config(project).strip(),
        "tasks": before.get("task_number"),
        "annotations": before.get("total_annotations_number"),
    }
    try:
        client.update_project(pid, **_settings(bank, project))
    except LabelStudioTerminalError as exc:
        raise LabelStudioTerminalError(
            f"project {pid} ({project_title(bank, project)}) exists with a labelling config Label Studio would not "
            f"replace with the {project} config ({exc.msg}); rename or delete that project in Label Studio (renaming "
            "keeps its annotations, deleting loses them) and push again",
            url=client.config.instance,
        ) from exc
    return kept


def forget_project(
    con: duckdb.DuckDBPyConnection, client: LabelStudioClient, bank: str, project: str, reason: str
) -> dict[str, Any]:
    """Forget (bank, project) on this instance once its Label Studio project was deleted: the project row, its
    task mapping, unconfirmed pushes and pull cursor go, with one ``project_forgotten`` ledger event (counts and
    reason); imported annotations stay. Refused while Label Studio still has the project (:func:`is_ours`; the id
    held by another project, as a reinstalled Label Studio numbers them anew, is no refusal: ``held_by_another``).
    The next push creates a new project and sends every eligible record again."""
    check_bank(bank)
    if not reason or not reason.strip():
        raise UsageError("forget-project needs a non-empty --reason")
    instance = client.config.instance
    row = con.execute(
        "SELECT ls_project_id FROM annotation_projects WHERE instance = ? AND bank = ? AND project = ?",
        [instance, bank, project],
    ).fetchone()
    if row is None:
        raise UsageError(f"no {project} project of bank {bank} is recorded for {instance}; nothing to forget")
    pid = row[0]
    # a project that holds the id but is not this one (a reinstalled Label Studio numbers its projects anew) is no
    # reason to refuse: it is left as it is
    held = client.project(pid) if client.project_exists(pid) else None
    if held is not None and is_ours(held, bank, project):
        raise UsageError(
            f"project {pid} ({project_title(bank, project)}) still exists at {instance}: only a project deleted "
            "in Label Studio can be forgotten"
        )
    where = "WHERE instance = ? AND ls_project_id = ?"
    with transaction(con):
        tasks = con.execute(f"SELECT count(*) FROM annotation_tasks {where}", [instance, pid]).fetchone()[0]
        for table in ("annotation_tasks", "annotation_push_pending", "annotation_pull_cursor"):
            con.execute(f"DELETE FROM {table} {where}", [instance, pid])  # noqa: S608 (fixed table names)
        con.execute(
            "DELETE FROM annotation_projects WHERE instance = ? AND bank = ? AND project = ?", [instance, bank, project]
        )
        detail = {"bank": bank, "project": project, "instance": instance, "ls_project_id": pid, "tasks": tasks}
        detail["held_by_another"] = held is not None
        ledger.append(
            con,
            [
                ledger.Event(
                    stage="annotation", action="project_forgotten", actor=bank, detail={**detail, "reason": reason}
                )
            ],
        )
    return detail


def annotator_actor(bank: str, user_id: int | None, email_sha256: str | None) -> str:
    """Ledger actor naming the bank and the annotator (Label Studio user id + keyed digest of the e-mail).

    >>> annotator_actor("CTBC", 7, "ab" * 32)[:20]
    'CTBC/ls-user:7/ababa'
    """
    return f"{bank}/ls-user:{user_id}/{email_sha256 or '-'}"


def email_sha256(email: str | None, keyed: Callable[[str], str] | None = None) -> str | None:
    """Keyed digest of the trimmed, lower-cased e-mail; None if unknown or no keyed function was given.

    An e-mail address is guessable (``name@bank``), so a plain sha256 of it is never stored (issue 13):
    the caller passes ``keyed`` (``curate.pii.keyed_ids.annotator_email_digest``: HMAC under the PII key).

    >>> email_sha256("A@x.tw", lambda e: "hmac:" + e), email_sha256("A@x.tw")
    ('hmac:a@x.tw', None)
    """
    if not email or keyed is None:
        return None
    return keyed(email.strip().lower())


__all__ = [
    "annotator_actor",
    "check_bank",
    "check_bank_case",
    "check_recorded",
    "is_ours",
    "email_sha256",
    "ensure_project",
    "finish_run",
    "forget_project",
    "project_title",
    "start_run",
]
