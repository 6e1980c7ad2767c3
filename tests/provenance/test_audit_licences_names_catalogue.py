"""`curate audit licences` says which licence catalogue judged (review 18).

Its verdict on past exports depends on the catalogue (`--catalogue FILE` or the shipped one), and the report and
the portal say which; the command's output did not, so a saved output of a custom catalogue's verdict read as the
shipped catalogue's.
"""

from __future__ import annotations

from pathlib import Path


def test_the_output_names_the_catalogue(mixed, cli, tmp_path):
    code, out, _ = cli("audit", "licences")
    assert code == 0 and "judged by the licence rules of the shipped licence catalogue" in out
    custom = tmp_path / "bank.toml"
    shipped = Path("schemas/licences/catalogue.toml").read_text("utf-8")
    custom.write_text(shipped + "# the bank's copy\n", encoding="utf-8")  # the shipped bytes are labelled shipped
    code, out, _ = cli("audit", "licences", "--catalogue", str(custom))
    assert code == 0 and "judged by the licence rules of the custom `bank.toml` (sha256 " in out


def test_the_other_audit_commands_that_judge_by_it_name_it_too(mixed, cli, tmp_path):
    """`audit exports` (its licence_refused column), `audit export ID` (its refused records) and `audit record` (what
    the licence permits) judge by `--catalogue FILE` as `audit licences` does, and said nothing of it either."""
    code, out, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--non-commercial",
        "--pii-gate", "expected", "--out", str(tmp_path / "e"), "--json",
    )  # fmt: skip
    assert code == 0, err
    custom = tmp_path / "bank.toml"
    custom.write_text(Path("schemas/licences/catalogue.toml").read_text("utf-8") + "# ours\n", encoding="utf-8")
    export_id = cli("audit", "exports", "--json")[1].split('"export_id": "')[1].split('"')[0]
    for command in (("audit", "exports"), ("audit", "export", export_id), ("audit", "record", mixed["law"][0])):
        code, out, _ = cli(*command)
        assert code == 0 and "judged by the licence rules of the shipped licence catalogue" in out, (command, out)
        code, out, _ = cli(*command, "--catalogue", str(custom))
        assert code == 0 and "judged by the licence rules of the custom `bank.toml` (sha256 " in out, (command, out)
