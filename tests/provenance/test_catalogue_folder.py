"""``--catalogue`` given a folder (review 18).

The licence catalogue options took files only, so click refused a folder with its usage text and a line in its own
words; every other catalogue mistake (missing, not UTF-8, not TOML, invalid) is one line naming the file and the fix.
Now the catalogue reader refuses a folder the same way: one line, its exit code, no usage text, nothing written.
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "command",
    [
        ("licences", "list"),
        ("licences", "check"),
        ("licences", "show", "CC-BY-4.0"),
        ("audit", "licences"),
        ("audit", "exports"),
        ("export", "dataset", "--purpose", "training", "--audience", "public", "--non-commercial", "--out", "OUT"),
    ],
)
def test_a_folder_is_refused_in_one_line(builder, cli, tmp_path, command):
    builder.source("law_moj", "CC-BY-4.0", metadata={"provider": "示範出版社"})
    builder.record("law_moj", "A/1", "條文。")
    builder.close()
    folder = tmp_path / "catalogues"
    folder.mkdir()
    out = tmp_path / "out"
    args = [str(out) if a == "OUT" else a for a in command]
    missing, _, _ = cli(*args, "--catalogue", str(tmp_path / "missing.toml"))
    code, stdout, err = cli(*args, "--catalogue", str(folder))
    assert code == missing != 0, (stdout, err)  # as every other catalogue file mistake
    assert "Usage:" not in err and len(err.strip().splitlines()) == 1, err
    assert "(it is a folder)" in err and "TOML file" in err and str(folder) in err
    assert not out.exists()
