"""A LABEL_STUDIO_URL with ``user:password@`` in it: the password is in no message and not in the catalogue."""

from __future__ import annotations

from annotation.config import LabelStudioConfig
from annotation.errors import LabelStudioTerminalError, LabelStudioTransientError

URL = "http://bob:s3cret-pw@127.0.0.1:9/ls/"


def test_errors_and_repr_do_not_show_the_password():
    for err in (
        LabelStudioTerminalError("the token was refused", url=URL, status=401),
        LabelStudioTransientError("connection refused", url=URL),
    ):
        assert "s3cret-pw" not in str(err) and "bob" not in str(err)
        assert "127.0.0.1:9/ls" in str(err)
    cfg = LabelStudioConfig(url=URL, api_key="tok")
    assert "s3cret-pw" not in repr(cfg)


def test_the_instance_key_stored_with_tasks_holds_no_credentials():
    assert LabelStudioConfig(url=URL, api_key="tok").instance == "http://127.0.0.1:9/ls"
    assert LabelStudioConfig(url="http://127.0.0.1:8080/", api_key="tok").instance == "http://127.0.0.1:8080"


def test_a_password_with_url_delimiters_is_masked_and_refused_in_one_line(tmp_path):
    """Review 8 (surface, 1): an unencoded ``#``, ``?`` or ``/`` in the password ends a URL parser's host, so the
    mask missed it, and a push died with an 81-line httpx traceback."""
    import pytest

    from annotation.config import resolve
    from annotation.errors import shown_url
    from provenance.errors import ConfigError

    for url in ("http://alice:p#w@127.0.0.1:9", "http://alice:p?w@127.0.0.1:9", "http://alice:p/w@127.0.0.1:9/ls"):
        assert "p#w" not in shown_url(url) and "alice" not in shown_url(url), url
        with pytest.raises(ConfigError) as exc:
            resolve("B1", env={"LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": "tok"}, cwd=tmp_path)
        assert "alice" not in str(exc.value) and "percent-encode" in str(exc.value), exc.value


def test_stored_instance_keys_lose_their_credentials_on_migration(tmp_path):
    """Catalogues pushed before the fix keep pulling under the same LABEL_STUDIO_URL: migration 0115 rewrites the
    stored keys (a key whose credential-free form is already there is left alone: no merge, no key clash)."""
    from provenance.db import connect, migrate

    path = tmp_path / "c.duckdb"
    con = connect(path)
    rows = [("http://alice:S3cret@127.0.0.1:18601", "B1"), ("http://bob:pw@ls:8080", "B2"), ("http://ls:8080", "B2")]
    for instance, bank in rows:
        con.execute(
            "INSERT INTO annotation_projects VALUES (?, ?, 'topic', 3, 't', 'x', now())",
            [instance, bank],
        )
        con.execute(
            "INSERT INTO annotation_pull_cursor VALUES (?, 3, NULL, NULL, now())",
            [instance],
        )
    con.execute("DELETE FROM _schema_migrations WHERE version = 115")
    assert migrate(con) == [115]
    keys = sorted(r[0] for r in con.execute("SELECT instance FROM annotation_projects").fetchall())
    assert keys == ["http://127.0.0.1:18601", "http://bob:pw@ls:8080", "http://ls:8080"]
    cursors = sorted(r[0] for r in con.execute("SELECT instance FROM annotation_pull_cursor").fetchall())
    assert cursors == keys
    con.close()
