"""Demo step: a licence-terms correction takes effect (issue 14).

The sample manifests (copied by step 05 into demo-out/ingest/) carry agreement rows with an
invalid audience (`internal`) and, for the textbook, no purposes or attribution: the pipeline's ingest warned
about them by manifest line and every export would block those records. Here the data steward
checks the manifest dry (`curate manifest check`), corrects the rows and ingests again: the
records get new versions (same text, not re-extracted, processing state kept) with a
`licence_terms_changed` event showing the old and new terms, and the exports of step 60 follow
the new terms.
"""

from __future__ import annotations

import csv


def _correct(path, fix) -> None:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    for extra in ("purposes", "commercial", "attribution"):
        if extra not in fields:
            fields.append(extra)
    for row in rows:
        if row.get("licence_id") == "LicenseRef-Written-Agreement":
            fix(row)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def _textbook(row) -> None:
    row.update(
        audience="consortium",
        purposes="training;evaluation",
        commercial="no",
        attribution="© 示範出版社，經授權供金融業聯盟訓練使用",
    )


def _tabf(row) -> None:
    # the institute's agreement allows the consortium's (commercial) model training: a stated term
    row.update(audience="consortium", commercial="yes")


def run(ctx) -> None:
    books = ctx.out / "ingest" / "textbooks" / "manifest.csv"
    tabf = ctx.out / "ingest" / "tabf" / "manifest.csv"
    ctx.curate("manifest", "check", str(books), ok_codes=(3,))  # the agreement row is incomplete
    _correct(books, _textbook)
    _correct(tabf, _tabf)
    print(
        "(corrected the agreement rows: textbook audience, purposes, commercial=no, attribution;"
        " TABF audience consortium, commercial=yes)"
    )
    ctx.curate("manifest", "check", str(books))
    ctx.curate("ingest", "textbooks", str(books))
    ctx.curate("ingest", "tabf", str(tabf), ok_codes=(3,))  # its unknown-licence row stays quarantined
    ctx.curate(
        "sql",
        "SELECT record_id[:12] AS record, json_extract_string(detail, '$.old.licence_terms.audience') AS old_audience,"
        " json_extract_string(detail, '$.new.licence_terms.audience') AS new_audience,"
        " json_extract_string(detail, '$.new.licence_terms.attribution') AS attribution"
        " FROM provenance_events WHERE action = 'licence_terms_changed' ORDER BY seq",
    )
    ctx.notes.append("curate sql \"SELECT detail FROM provenance_events WHERE action = 'licence_terms_changed'\"")
