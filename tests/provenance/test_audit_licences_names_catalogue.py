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
