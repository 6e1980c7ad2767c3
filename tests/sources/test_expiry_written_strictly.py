"""A grant's last day is written YYYY-MM-DD, and only that is read as one (review 18).

``datetime.date.fromisoformat`` reads more: ``20301231``, and ISO week dates, ``2030W011`` as 2029-12-31. A manifest
row's ``expiry`` written as a week date was a day other than the row seemed to name (NOTICE stated that other day),
and ``export dataset --as-of 2026W011`` judged licences on a day nobody wrote. Now the manifest row is a term problem
(``manifest check`` names it, no export ships the file's records) and ``--as-of`` is refused in one line, as
``ingest moda --expiry`` and the licence catalogue's schema already refused them.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

AGREEMENT = {
    "licence_id": "LicenseRef-Written-Agreement",
    "agreement_id": "PUB-2025-01",
    "licensor": "金融出版社",
    "audience": "consortium",
    "purposes": "training;evaluation",
}


def _manifest(folder: Path, rows: list[dict[str, str]]) -> Path:
    path = folder / "manifest.csv"
    columns = ["path", "title", *sorted({k for r in rows for k in r} - {"path", "title"})]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        w.writerows({c: r.get(c, "") for c in columns} for r in rows)
    return path


@pytest.mark.parametrize("written", ["2030W011", "20301231", "2030-W52-1"])
def test_a_manifest_expiry_not_written_as_a_day_is_a_term_problem(cli, db_path, books, written):
    row = {"path": "deposit.txt", **AGREEMENT, "attribution": "© 金融出版社", "commercial": "no", "expiry": written}
    m = _manifest(books, [row])
    code, out, _ = cli("manifest", "check", str(m))
    assert code == 3 and f"expiry `{written}` is not an ISO date (YYYY-MM-DD)" in out, out
    assert cli("--quiet", "ingest", "textbooks", str(m))[0] == 0
    code, stdout, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "consortium", "--non-commercial",
        "--pii-gate", "expected", "--out", str(books.parent / "e"), "--json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(stdout)
    assert res["records"] == 0 and res["blocked_by_code"] == {"licence_terms": 1}


@pytest.mark.parametrize("written", ["2026W011", "20260601", "2026-W22-1"])
def test_as_of_not_written_as_a_day_is_refused(cli, db_path, books, written):
    m = _manifest(books, [{"path": "deposit.txt", "licence_id": "CC-BY-NC-4.0", "title": "存款", "licensor": "某"}])
    assert cli("--quiet", "ingest", "textbooks", str(m))[0] == 0
    out = books.parent / "e"
    code, _, err = cli(
        "export", "dataset", "--purpose", "training", "--audience", "public", "--non-commercial",
        "--out", str(out), "--as-of", written,
    )  # fmt: skip
    assert code == 2 and f"--as-of `{written}` is not a date (YYYY-MM-DD)" in err and "Traceback" not in err
    assert not out.exists()
