"""`curate annotate push|pull`: hand scrubbed, licence-cleared text to Label Studio and take the work back."""

from __future__ import annotations

from pathlib import Path

import click

from annotation.errors import shown_url
from annotation.tasks import PROJECTS
from curate.commands._common import LazyProgress, json_line, no_personal_data, printable, settings
from curate.commands.licences import CATALOGUE_OPTION

annotate = click.Group("annotate", help="Label Studio bridge: push tasks to a bank's projects, pull annotations.")


def _client(bank: str):
    from annotation.config import resolve
    from annotation.label_studio import LabelStudioClient

    return LabelStudioClient(resolve(bank))


def _vault(con, where: str, *, required: bool, purpose: str = ""):
    """The PII key's review helper (masked values, 非個資 restores, sealing), or None without a key.

    A key other than the one the catalogue's personal data was keyed under is refused before anything is written,
    as ingest and `curate run pii` refuse it (sealed text and keyed ids under it could not be read or matched)."""
    from curate.pii.keyed_ids import refuse_other_key
    from curate.pii.keys import load_key
    from curate.pii.review import VaultReview

    key = load_key(required=required, purpose=purpose)
    if key is None:
        return None
    refuse_other_key(con, key, where)
    return VaultReview(key)


@annotate.command("push")
@click.option("--project", type=click.Choice(PROJECTS), required=True, help="Which annotation project.")
@click.option(
    "--bank",
    required=True,
    help="Member bank code; each bank has its own projects (and may have its "
    "own Label Studio: LABEL_STUDIO_URL__BANK).",
)
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Push at most N new tasks.")
@click.option("--where", default=None, help="Extra SQL condition over records (alias r), e.g. \"r.source_id='fsc'\".")
@click.option(
    "--order",
    type=click.Choice(["priority", "created"]),
    default="priority",
    show_default=True,
    help="priority: normalisation flags, then low-confidence PII, then annotators' corrections, then the rest; "
    "created: oldest first.",
)
@click.option(
    "--batch-size", type=click.IntRange(1, 1000), default=1000, show_default=True, help="Tasks per import request."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the tasks to this JSON file for a manual import instead of pushing (records only its path, for `curate pii scan`).",
)
@CATALOGUE_OPTION
def push_cmd(
    project: str,
    bank: str,
    limit: int | None,
    where: str | None,
    order: str,
    batch_size: int,
    output: Path | None,
    licence_catalogue_file: Path | None,
) -> int:
    """Push active record versions that passed the PII stage and whose licence allows the bank.

    One task per record version: pushing again creates nothing; a newer version replaces its old
    task. Refused records (PII stage not passed, licence) are counted and listed with --debug.
    --catalogue: judge licences by that licence catalogue (a corrected copy exports are made with): tasks of
    records it refuses are not pushed and those on the server are taken out; without it, a push of a project whose
    last push judged by another catalogue is refused (give that file, or the shipped one's path on purpose).
    """
    from annotation.push import PushConfig, push, write_tasks_file
    from provenance.dbnew import connect_existing
    from provenance.export import load_licence_catalogue_for

    cat = load_licence_catalogue_for(licence_catalogue_file)  # a bad file is one line, before anything is read
    s = settings()
    con = connect_existing(s.db_path, "`curate annotate push`")
    try:
        vault = (
            _vault(
                con,
                "`curate annotate push --project pii`",
                required=True,
                purpose="PII review tasks (spans are shown partially masked)",
            )
            if project == "pii"
            else None
        )
        cfg = PushConfig(
            project=project,
            bank=bank,
            limit=limit,
            where=where,
            order=order,
            batch_size=batch_size,
            vault=vault,
            licence_catalogue=cat if licence_catalogue_file else None,  # None: refused after a corrected file's push
        )
        if output is not None:
            rep = write_tasks_file(con, cfg, output)
            click.echo(
                f"wrote {rep.pushed} {project} tasks for {bank} to {output} (import them in Label Studio by "
                f"hand); refused {sum(rep.refused.values())}"
            )
        else:
            client = _client(bank)
            bar = LazyProgress(f"pushing {project} tasks", s.quiet)
            try:
                rep = push(con, client, cfg, progress=bar)
            finally:
                bar.close()
            click.echo(
                f"pushed {rep.pushed} {project} tasks for {bank} to project {rep.ls_project_id} at "
                f"{shown_url(client.config.url)}; already there {rep.already}; superseded {rep.superseded}; "
                f"adopted from an interrupted push {rep.adopted}; refused {sum(rep.refused.values())}"
            )
            _say_retracted(rep)
            if rep.missing:
                click.echo(
                    f"  {rep.missing} tasks were deleted in Label Studio: their records were sent again where still "
                    "eligible (ledger action task_missing)"
                )
        if rep.priority:
            from annotation.push import PRIORITY_CLASSES

            click.echo(
                "  by priority: " + ", ".join(f"{c} {rep.priority[c]}" for c in PRIORITY_CLASSES if rep.priority[c])
            )
        for reason, n in sorted(rep.refused.items()):
            click.echo(f"  refused {n}: {reason}")
        if s.debug:
            for rid, reason in rep.refused_ids:
                click.echo(f"  refused {rid}: {reason}", err=True)
    finally:
        con.close()
    return 0


def _say_retracted(rep) -> None:
    if rep.retracted or rep.retracted_kept:
        click.echo(
            "  withdrawn records, records removed from their source and records the licence no longer opens to the"
            f" bank: {rep.retracted} tasks deleted"
            f" in Label Studio, {rep.retracted_kept} kept there "
            "because annotated (delete those by hand; `curate audit withdrawn` lists them)"
        )
    if getattr(rep, "sealed_deleted", 0):  # (a pull's)
        click.echo(
            f"  versions found to hold personal data since their push: {rep.sealed_deleted} annotated tasks deleted in"
            " Label Studio, their annotations imported"
        )


@annotate.command("pull")
@click.option("--bank", required=True, help="Member bank code.")
@click.option(
    "--project",
    "projects",
    type=click.Choice(PROJECTS),
    multiple=True,
    help="Only these projects (repeatable; default all).",
)
@click.option(
    "--full", is_flag=True, help="Export every annotated task (default: only tasks changed since the last pull)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@CATALOGUE_OPTION
def pull_cmd(
    bank: str, projects: tuple[str, ...], full: bool, as_json: bool, licence_catalogue_file: Path | None
) -> int:
    """Import completed annotations: corrections become new versions, decisions and labels are stored.

    Every imported annotation is a ledger event naming the bank, the annotator (Label Studio user id +
    keyed digest of the e-mail, HMAC under the PII key; none without the key) and the project/task/annotation
    ids. Pulling twice imports nothing new. Comments and corrections that cannot be applied are sealed with the
    PII key (none is kept without it); a malformed annotation is stored as invalid, with a reason, and counted.
    --catalogue: the tasks a licence no longer opens to the bank are taken out by that licence catalogue's rules;
    without it, a pull of a bank whose last push judged by another catalogue is refused (give that file).
    """
    from annotation.pull import pull
    from curate.pii.keyed_ids import annotator_email_digest
    from provenance.dbnew import connect_existing
    from provenance.export import load_licence_catalogue_for

    cat = load_licence_catalogue_for(licence_catalogue_file)

    s = settings()
    con = connect_existing(s.db_path, "`curate annotate pull`")
    try:
        vault = _vault(con, "`curate annotate pull`", required=False)
        client = _client(bank)
        bar = LazyProgress("importing annotations", s.quiet)
        try:
            rep = pull(
                con,
                client,
                bank,
                projects=projects or PROJECTS,
                progress=bar,
                vault=vault,
                full=full,
                email_digest=annotator_email_digest(vault.key if vault is not None else None),
                licence_catalogue=cat if licence_catalogue_file else None,  # None: as the last push (remembered)
            )
        finally:
            bar.close()
    finally:
        con.close()
    if as_json:
        click.echo(json_line(rep.as_dict()))
    else:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(rep.outcomes.items())) or "none"
        click.echo(
            f"imported {rep.imported} annotations for {bank} ({outcomes}); new record versions "
            f"{rep.new_versions}; already imported {rep.already}; on unknown tasks {rep.unknown_tasks}; "
            f"tasks changed since the last pull {rep.changed_tasks}"
        )
        _say_retracted(rep)
        if rep.waiting:
            click.echo(f"  waiting {rep.waiting}: PII reviews of tasks that do not have all their annotators yet")
        if rep.disagreements:
            click.echo(
                f"  annotators disagreed on {rep.disagreements} PII review tasks: those spans stay masked; see the "
                "ledger's pii_review_disagreement events (earlier_version: revoke what an earlier pull allow-listed "
                "with `curate annotate allowlist revoke`)"
            )
    return 0


@annotate.command("forget-project")
@click.option("--bank", required=True, help="Member bank code.")
@click.option("--project", type=click.Choice(PROJECTS), required=True, help="Which annotation project.")
@click.option(
    "--reason",
    required=True,
    help="Why the project was deleted in Label Studio (kept in the ledger).",
    callback=no_personal_data,
)
def forget_project_cmd(bank: str, project: str, reason: str) -> int:
    """Forget a bank's project that was deleted in Label Studio (its task mapping; imported annotations stay).

    Refused while Label Studio still has the project. The next push creates a new project and sends every
    eligible record again.
    """
    from annotation.projects import forget_project
    from provenance.dbnew import connect_existing

    con = connect_existing(settings().db_path, "`curate annotate forget-project`")
    try:
        client = _client(bank)
        got = forget_project(con, client, bank, project, reason)
    finally:
        con.close()
    click.echo(
        f"forgot {project} project {got['ls_project_id']} of {bank} at {got['instance']} and its {got['tasks']} "
        f"tasks; `curate annotate push --project {project} --bank {bank}` creates a new one"
    )
    return 0


allowlist = click.Group("allowlist", help="PII allow-list fed by 非個資 verdicts (keyed digests per source).")
annotate.add_command(allowlist)


@allowlist.command("list")
@click.option("--source", default=None, help="Only this source.")
@click.option("--all", "all_", is_flag=True, help="Include revoked entries.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def allowlist_list(source: str | None, all_: bool, as_json: bool) -> int:
    """Entries in force (digests only: the values are never stored), newest first."""
    from curate.pii.allowlist import entries
    from provenance.db import connect_readonly

    con = connect_readonly(settings().db_path)  # a listing: never creates, migrates or locks out a writer
    try:
        rows = entries(con, source_id=source, all_=all_)
    finally:
        con.close()
    for r in rows:
        if as_json:
            click.echo(json_line(r))  # an annotator's name is Label Studio's: C1 and bidi controls escaped
        else:
            state = f"revoked {r['revoked_at']:%Y-%m-%d} by {r['revoked_by']}" if r["revoked_at"] else "in force"
            line = (
                f"{r['entry_id'][:12]}  {r['source_id']}  {r['entity_type']}  digest {r['digest'][:12]}  "
                f"{r['bank']}  {r['annotator']}  {r['created_at']:%Y-%m-%d}  {state}"
            )
            click.echo(printable(line, keep_breaks=False))
    if not rows and not as_json:
        click.echo("no allow-list entries")
    return 0


@allowlist.command("revoke")
@click.argument("entry_id")
@click.option("--reason", required=True, help="Why (recorded in the ledger).", callback=no_personal_data)
@click.option("--by", default=None, help="Who revokes (default: $USER).")
def allowlist_revoke(entry_id: str, reason: str, by: str | None) -> int:
    """Revoke an entry (give at least 8 characters of its id): later PII runs mask the value again."""
    import getpass

    from curate.pii.allowlist import revoke
    from provenance.dbnew import connect_existing

    con = connect_existing(settings().db_path, "`curate annotate allowlist revoke`")
    try:
        r = revoke(con, entry_id, by=by or getpass.getuser(), reason=reason)
    finally:
        con.close()
    click.echo(f"revoked allow-list entry {r['entry_id'][:12]} ({r['source_id']}, {r['entity_type']})")
    return 0
