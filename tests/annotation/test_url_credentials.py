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
