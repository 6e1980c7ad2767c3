"""`curate audit verify-export` reads only the plain files an export wrote (review 10, export #4): a recorded file
replaced by a link or a special file is changed (a link to /dev/zero or a FIFO kept the check, and the portal page that
runs it, reading for ever), and a link or a FIFO added to the folder is an extra file."""

from __future__ import annotations

import os
import shutil

from prov_helpers import export_public


def _verify(cli, out):
    code, stdout, err = cli("audit", "verify-export", str(out))
    assert "Traceback" not in stdout + err, stdout + err
    return code, stdout + err


def test_a_recorded_file_replaced_by_a_link_to_the_same_bytes_is_changed(mixed, cli, tmp_path):
    out = tmp_path / "e"
    export_public(cli, out, "--as-of", "2026-06-01", "--non-commercial")
    assert _verify(cli, out)[0] == 0
    elsewhere = tmp_path / "elsewhere.jsonl"
    shutil.copyfile(out / "manifest.jsonl", elsewhere)
    (out / "manifest.jsonl").unlink()
    (out / "manifest.jsonl").symlink_to(elsewhere)  # same bytes, but the folder no longer holds them
    code, text = _verify(cli, out)
    assert code == 1 and "not a regular file: manifest.jsonl (a symbolic link, not followed)" in text, text


def test_a_fifo_or_a_link_added_to_the_folder_is_an_extra_file(mixed, cli, tmp_path):
    out = tmp_path / "e"
    export_public(cli, out, "--as-of", "2026-06-01", "--non-commercial")
    os.mkfifo(out / "data" / "pipe")
    (out / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    code, text = _verify(cli, out)
    assert (
        code == 1
        and "extra entry: data/pipe (a FIFO)" in text
        and "extra entry: elsewhere (a symbolic link, not followed)" in text
    ), text


def test_a_manifest_linked_to_dev_zero_is_not_read(mixed, cli, tmp_path):
    out = tmp_path / "e"
    export_public(cli, out, "--as-of", "2026-06-01", "--non-commercial")
    (out / "manifest.jsonl").unlink()
    (out / "manifest.jsonl").symlink_to("/dev/zero")  # read, it never ends
    code, text = _verify(cli, out)
    assert code == 1 and "not a regular file: manifest.jsonl" in text, text
