"""A licence id given on the command line that the licence catalogue does not hold is a usage error (exit 2, as
README's other not-found ids): `licences show` (review 12) and `ingest moda|fsc --licence` (review 12, second
look), which exited 1 through the source's own ConfigError."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("source", ["moda", "fsc"])
def test_ingest_with_an_unknown_licence_id_is_a_usage_error(cli, tmp_path, source):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"id": "1", "text": "本講義說明銀行信用風險管理之基本原則。"}\n', encoding="utf-8")
    code, out, err = cli("ingest", source, str(folder), "--licence", "LicenseRef-Nope")
    assert code == 2, out + err
    assert "LicenseRef-Nope" in err and "OGDL-Taiwan-1.0" in err and len(err.strip().splitlines()) == 1


def test_ingest_under_an_alias_is_not_refused(cli, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"id": "1", "text": "本講義說明銀行信用風險管理之基本原則。"}\n', encoding="utf-8")
    code, out, err = cli("ingest", "moda", str(folder), "--licence", "LicenseRef-SAITD-Lic-Taiwan-1.0")
    assert code == 0, out + err
