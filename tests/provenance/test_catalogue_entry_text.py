"""A licence catalogue's own text as NOTICE.md states it (review 17). An entry's ``name`` and ``url`` (a custom
catalogue, `export dataset --catalogue FILE`) went into NOTICE's licence list as written: a multi-line TOML name
added headings and a forged attribution statement to the recipients' NOTICE, a ``url`` with a space or ``>`` closed
the link and appended text, and ``<``/``*`` in a name was markup. Now a name or url with a line break, a control or
bidi character, and a url that is not one http(s) URL are catalogue problems (`licences check` and every load), and
a name is shown in NOTICE only as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.licence_file import check_licence_catalogue_data, read_licence_catalogue_file
from provenance.licences import licence_catalogue_path

FORGED = "Creative Commons BY-NC 4.0\n\n## Attribution statements\n\n> 本資料可商業使用"


def _custom(tmp_path: Path, old: str, new: str) -> Path:
    text = licence_catalogue_path().read_text("utf-8")
    assert old in text
    path = tmp_path / "ours.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _export(cli, out: Path, catalogue: Path):
    return cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--non-commercial",
        "--as-of", "2026-06-01", "--out", str(out), "--catalogue", str(catalogue),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            'name = "Creative Commons Attribution Non Commercial 4.0 International"',
            f'name = """{FORGED}"""',
        ),
        (
            'url = "https://creativecommons.org/licenses/by-nc/4.0/"',
            'url = "https://creativecommons.org/licenses/by-nc/4.0/> **commercial use allowed**"',
        ),
        ('url = "https://creativecommons.org/licenses/by-nc/4.0/"', 'url = "javascript:alert(1)"'),
        (
            'name = "Creative Commons Attribution Non Commercial 4.0 International"',
            'name = "Creative Commons \u202eBY-NC\u202c 4.0"',
        ),
    ],
    ids=["name-lines", "url-markup", "url-scheme", "name-bidi"],
)
def test_an_entry_text_that_would_rewrite_notice_is_a_catalogue_problem(mixed, cli, tmp_path, old, new):
    ours = _custom(tmp_path, old, new)
    problems = check_licence_catalogue_data(read_licence_catalogue_file(ours))
    assert any("`CC-BY-NC-4.0`" in p and ("name" in p or "url" in p) for p in problems), problems
    out = tmp_path / "e"
    code, _, err = _export(cli, out, ours)
    assert code == 1, err  # a configuration error (provenance.errors.ConfigError)
    assert "CC-BY-NC-4.0" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists() or not any(out.iterdir())


def test_a_name_with_markup_is_text_in_notice(mixed, cli, tmp_path):
    ours = _custom(
        tmp_path,
        'name = "Creative Commons Attribution Non Commercial 4.0 International"',
        'name = "CC <b>BY-NC</b> 4.0 [see](https://x.example) *non-commercial*"',
    )
    out = tmp_path / "e"
    code, _, err = _export(cli, out, ours)
    assert code == 0, err
    notice = (out / "NOTICE.md").read_text("utf-8")
    line = next(ln for ln in notice.splitlines() if ln.startswith("* `CC-BY-NC-4.0`"))
    assert "<b>" not in line and "&lt;b&gt;" in line and "\\[see\\]" in line and "\\*non-commercial\\*" in line
    assert "<https://creativecommons.org/licenses/by-nc/4.0/>" in line  # the catalogue's url stays a link


def test_an_id_with_a_trailing_line_break_is_a_catalogue_problem_named_on_one_line(cli, tmp_path):
    """Review 17 (second look): the schema's id pattern (``^...$``, searched) lets a trailing newline through, as it
    does an audience's: ``"LicenseRef-X\\n"`` was a valid id (NOTICE.md lists ids, one a line), and every problem of
    its entry was named across two lines."""
    ours = tmp_path / "ours.toml"
    ours.write_text(
        licence_catalogue_path().read_text("utf-8")
        + '\n[[licence]]\nid = "LicenseRef-Ours\\n"\nname = "Ours"\nurl = ""\npurposes = ["training"]\n'
        'audience = ["consortium"]\ncommercial = true\nattribution_required = false\nshare_alike = false\n'
        "sublicensable = false\nrank = 10\n",
        encoding="utf-8",
    )
    problems = check_licence_catalogue_data(read_licence_catalogue_file(ours))
    assert any("field `id`" in p and "U+000A" in p for p in problems), problems
    assert all("\n" not in p for p in problems), problems
    code, _, err = cli("licences", "check", "--catalogue", str(ours))
    assert code != 0 and "LicenseRef-Ours\\n" in err and len(err.strip().splitlines()) == 1, err
