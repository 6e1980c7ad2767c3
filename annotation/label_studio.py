"""A thin client over label-studio-sdk 2.x with retries, backoff and clear errors.

Every call goes through :meth:`LabelStudioClient._call`: transient failures (connection refused or
reset, timeouts, HTTP 408/429/5xx) are retried with exponential backoff; when the retries are spent,
or on a terminal failure (401/403/404/400), a :class:`~annotation.errors.LabelStudioError` says what
failed and how to fix it. The SDK's own retries are switched off so there is one policy.

An answer the bridge reads itself (exports, counts, listings) is checked before it is read: one that is not
JSON (a login page of a single sign-on or a proxy, served with HTTP 200) or not of the shape Label Studio
gives is a terminal error naming what it is (an HTML page by its title), never quoting it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from annotation.config import LabelStudioConfig
from annotation.errors import LabelStudioTerminalError, LabelStudioTransientError, NotAnApiAnswer

log = logging.getLogger(__name__)
T = TypeVar("T")
_TRANSIENT_STATUS = {408, 429, 500, 502, 503, 504}
#: what to check when an answer is not Label Studio's own
NOT_API = (
    "; something else answers in Label Studio's place (a single sign-on or proxy login page) or LABEL_STUDIO_URL "
    "names another service: check LABEL_STUDIO_URL and that the token reaches Label Studio itself"
)
#: task ids per export request: each id is a query parameter, and Django answers 400 beyond
#: DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000 by default)
EXPORT_IDS_PER_REQUEST = 500


class LabelStudioClient:
    """Label Studio operations the bridge needs, each retried and mapped to workbench errors."""

    def __init__(self, config: LabelStudioConfig, *, sleep: Callable[[float], None] = time.sleep) -> None:
        from label_studio_sdk import LabelStudio

        self.config = config
        self._sleep = sleep
        #: seconds spent in Label Studio calls (including retries), for benchmarks
        self.request_seconds = 0.0
        # (the SDK checks a token's expiry, and may renew it, as it is built: a refusal is the usual error)
        self._sdk = self._call(
            "sign in with the API token",
            LabelStudio,
            base_url=config.url,
            api_key=config.api_key,
            timeout=config.timeout,
            max_retries=0,
        )

    @property
    def sdk(self):  # noqa: ANN201 (label_studio_sdk.LabelStudio, imported lazily)
        """The underlying SDK client (for operations not wrapped here)."""
        return self._sdk

    # -- retry policy -------------------------------------------------------------------------
    def _call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        import httpx
        from label_studio_sdk.core.api_error import ApiError

        cfg = self.config
        attempts = cfg.retries + 1
        delay = cfg.backoff
        started = time.monotonic()
        last = ""
        for attempt in range(1, attempts + 1):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            except httpx.LocalProtocolError:  # never sent, and its message quotes the header whole: the token
                raise LabelStudioTerminalError(
                    f"{what} failed: the HTTP client refused to send the request (a header, such as the API token, "
                    "holds a character a header cannot hold); copy the token again, with nothing around it",
                    url=cfg.url,
                ) from None
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
            except NotAnApiAnswer as exc:
                raise LabelStudioTerminalError(f"{what} failed: the answer is {exc}{NOT_API}", url=cfg.url) from exc
            except ApiError as exc:
                status = exc.status_code
                if status not in _TRANSIENT_STATUS:
                    raise LabelStudioTerminalError(
                        f"{what} failed with HTTP {status}: {_detail(exc.body)}{_hint(status)}",
                        url=cfg.url,
                        status=status,
                    ) from exc
                last = f"HTTP {status}: {_detail(exc.body)}"
            finally:
                self.request_seconds += time.perf_counter() - t0
            if attempt < attempts:
                wait = min(delay, cfg.backoff_max) * (0.75 + 0.5 * random.random())  # noqa: S311 (jitter)
                log.warning("Label Studio %s: %s; retry %d/%d in %.1fs", what, last, attempt, cfg.retries, wait)
                self._sleep(wait)
                delay *= 2
        raise LabelStudioTransientError(
            f"{what} failed after {attempts} attempts over {time.monotonic() - started:.1f}s ({last}); is it running "
            f"and reachable? Start the local one with `make labelstudio`, or check LABEL_STUDIO_URL "
            f"(settings from {cfg.origin or 'arguments'}). Re-running continues without duplicates.",
            url=cfg.url,
        )

    # -- operations ---------------------------------------------------------------------------
    def whoami(self) -> dict[str, Any]:
        """The user the token belongs to (id, email)."""
        me = self._call("identify the API user", self._sdk.users.whoami)
        return {"id": me.id, "email": me.email}

    def find_project(self, title: str) -> int | None:
        """Id of the project with exactly this title, if any."""

        def _find() -> int | None:
            for p in self._sdk.projects.list(title=title, page_size=100):
                if p.title == title:
                    return p.id
            return None

        return self._call(f"look up project {title!r}", _find)

    def project_exists(self, project_id: int) -> bool:
        """True if the project id exists on this instance."""
        try:
            self._call(f"read project {project_id}", self._sdk.projects.get, project_id)
        except LabelStudioTerminalError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def create_project(self, title: str, label_config: str, description: str = "", **settings: Any) -> int:
        """Create a project (``settings``: e.g. ``expert_instruction``, ``show_instruction``); returns its id."""
        p = self._call(
            f"create project {title!r}",
            self._sdk.projects.create,
            title=title,
            label_config=label_config,
            description=description,
            **settings,
        )
        return p.id

    def update_project(self, project_id: int, **settings: Any) -> None:
        """Change a project's settings (label config, description, instructions)."""
        self._call(f"update project {project_id}", self._sdk.projects.update, project_id, **settings)

    def project(self, project_id: int) -> dict[str, Any]:
        """A project's settings as Label Studio returns them."""
        p = self._call(f"read project {project_id}", self._sdk.projects.get, project_id)
        return p.model_dump() if hasattr(p, "model_dump") else dict(p)

    def import_tasks(self, project_id: int, tasks: Sequence[dict[str, Any]]) -> list[int]:
        """Import tasks in one request; returns their ids in the order given."""
        resp = self._call(
            f"import {len(tasks)} tasks into project {project_id}",
            self._sdk.projects.import_tasks,
            project_id,
            request=list(tasks),
            return_task_ids=True,
            commit_to_project=True,
        )
        ids = list(resp.task_ids or [])
        if len(ids) != len(tasks):
            raise LabelStudioTerminalError(
                f"import into project {project_id} confirmed {len(ids)} task ids for {len(tasks)} tasks; "
                "the next push reconciles",
                url=self.config.url,
            )
        return ids

    def export(self, project_id: int, *, all_tasks: bool = False) -> list[dict[str, Any]]:
        """Tasks of a project with their annotations (JSON export); only annotated ones unless ``all_tasks``."""

        def _export() -> list[dict[str, Any]]:
            chunks = self._sdk.projects.exports.download_sync(
                project_id, export_type="JSON", download_all_tasks=all_tasks
            )
            return checked_tasks(parse_json(b"".join(chunks)))

        return self._call(f"export project {project_id}", _export)

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        """GET a Label Studio endpoint through the SDK's authenticated client; the JSON answer."""
        from label_studio_sdk.core.api_error import ApiError

        r = self._sdk._client_wrapper.httpx_client.request(
            path, method="GET", params=params, request_options={"max_retries": 0}
        )
        if r.status_code >= 400:
            try:
                body = r.json()
            except ValueError:
                body = r.text
            raise ApiError(status_code=r.status_code, body=body)
        return parse_json(r.content)

    def _changed_query(self, since: str | None) -> str:
        items = []
        if since:
            items.append(
                {"filter": "filter:tasks:completed_at", "operator": "greater", "type": "Datetime", "value": since}
            )
        return json.dumps({"filters": {"conjunction": "and", "items": items}})

    def annotation_count(self, project_id: int) -> int:
        """How many annotations (submitted and skipped) a project holds (Label Studio's project counters)."""

        def _count() -> int:
            got = self._get(
                "api/projects/counts/",
                {"ids": str(project_id), "include": "id,total_annotations_number,skipped_annotations_number"},
            )
            rows = _field(got, "results", list, "the project counters are not a list")
            _expect(all(isinstance(r, dict) for r in rows), "a project's counters are not an object")
            row = next((r for r in rows if r.get("id") == project_id), None)
            if row is None:
                from label_studio_sdk.core.api_error import ApiError

                raise ApiError(status_code=404, body={"detail": f"project {project_id} not found"})
            counts = [row.get(k) or 0 for k in ("total_annotations_number", "skipped_annotations_number")]
            _expect(all(_is_whole(n) for n in counts), "an annotation counter is not a whole number")
            return sum(counts)

        return self._call(f"count annotations of project {project_id}", _count)

    def changed_count(self, project_id: int, since: str) -> int:
        """How many tasks the Data Manager lists as annotated after ``since`` (its newest annotation, by
        ``completed_at``): one page of one task, for the total."""
        params = {"project": project_id, "fields": "task_only", "page_size": 1, "page": 1}
        query = self._changed_query(since)

        def _count() -> int:
            return _total(self._get("api/tasks/", {**params, "query": query}))

        return self._call(f"count changed tasks of project {project_id}", _count)

    def changed_tasks(self, project_id: int, since: str | None = None, *, page_size: int = 1000) -> list[int]:
        """Ids of tasks with an annotation created after ``since`` (ISO time; None = all labelled tasks)."""
        query = self._changed_query(since)

        def _list() -> list[int]:
            out: list[int] = []
            page = 1
            while True:
                params = {"project": project_id, "fields": "task_only", "page_size": page_size, "page": page}
                got = self._get("api/tasks/", {**params, "query": query})
                tasks = _field(got, "tasks", list, "the task listing is not a list")
                _expect(all(isinstance(t, dict) and _is_whole(t.get("id")) for t in tasks), _NO_TASK_ID)
                out += [t["id"] for t in tasks]
                if len(out) >= _total(got) or not tasks:
                    return out
                page += 1

        return self._call(f"list changed tasks of project {project_id}", _list)

    def task_ids(self, project_id: int) -> set[int]:
        """Ids of every task of a project (the Data Manager's listing without a filter)."""
        return set(self.changed_tasks(project_id))

    def export_tasks(
        self, project_id: int, task_ids: Sequence[int], *, chunk: int = EXPORT_IDS_PER_REQUEST
    ) -> list[dict[str, Any]]:
        """The JSON export of these tasks (with their annotations), in requests of ``chunk`` ids."""
        if not 1 <= chunk <= EXPORT_IDS_PER_REQUEST:
            raise ValueError(f"chunk {chunk} outside 1..{EXPORT_IDS_PER_REQUEST}")
        out: list[dict[str, Any]] = []
        for i in range(0, len(task_ids), chunk):
            ids = list(task_ids[i : i + chunk])
            out += self._call(
                f"export {len(ids)} tasks of project {project_id}",
                lambda ids=ids: checked_tasks(
                    self._get(f"api/projects/{project_id}/export", {"exportType": "JSON", "ids[]": ids})
                ),
            )
        return out

    def delete_task(self, task_id: int) -> None:
        """Delete one task (404 counts as deleted)."""
        try:
            self._call(f"delete task {task_id}", self._sdk.tasks.delete, str(task_id))
        except LabelStudioTerminalError as exc:
            if exc.status != 404:
                raise

    def task_annotation_count(self, task_id: int) -> int:
        """How many annotations a task has, skips included (0 if it no longer exists): a skip is an annotator's
        decision, imported as ``cancelled``; a task deleted as unannotated would take it along unread."""
        t = self._read_task(task_id)
        return 0 if t is None else _annotations(t)

    def delete_if_unannotated(self, task_id: int, owner: tuple[int, str] | None = None) -> bool:
        """Delete a task nobody annotated (skips count); True if it is gone. Counting and deleting are two requests,
        and an annotation saved between them went with the task unread (review of the fixes 14): the task's text is
        blanked first (whoever opens it now has nothing to work on), it is counted again, and deleted only then; an
        annotation saved meanwhile (by someone who had it open) keeps it, its text put back. ``owner``: see
        :meth:`delete_if_at_most`."""
        return self.delete_if_at_most(task_id, 0, owner)

    def delete_if_at_most(self, task_id: int, annotations: int, owner: tuple[int, str] | None = None) -> bool:
        """Delete a task holding at most ``annotations`` annotations, skips included (those the caller has
        imported); True if it is gone. As :meth:`delete_if_unannotated` (``annotations`` 0): one saved meanwhile
        keeps the task, its text put back. ``owner`` (project id, record id): a task of another project or record
        under that id (Label Studio gave the id of a task deleted there by hand to a new one, another bank's or the
        newer version's: review 15) is not ours and is left alone (False)."""
        t = self._read_task(task_id)
        if t is None:
            return True
        if owner is not None and not _owned(t, *owner):
            return False
        if _annotations(t) > annotations:
            return False
        data = dict(t.data or {})
        self._call(f"blank task {task_id}", self._sdk.tasks.update, str(task_id), data={**data, "text": ""})
        again = self._read_task(task_id)
        if again is not None and _annotations(again) > annotations:
            self._call(f"restore task {task_id}", self._sdk.tasks.update, str(task_id), data=data)
            return False
        self.delete_task(task_id)
        return True

    def _read_task(self, task_id: int) -> Any:
        """The SDK's task, or None if it no longer exists."""
        try:
            return self._call(f"read task {task_id}", self._sdk.tasks.get, str(task_id))
        except LabelStudioTerminalError as exc:
            if exc.status == 404:
                return None
            raise

    def user_emails(self) -> dict[int, str]:
        """Label Studio user id -> e-mail (hashed before it is stored anywhere)."""
        users = self._call("list users", self._sdk.users.list)
        return {u.id: (u.email or "") for u in users}

    def create_annotation(
        self,
        task_id: int,
        result: list[dict[str, Any]],
        *,
        completed_by: int | None = None,
        was_cancelled: bool = False,
    ) -> int:
        """Create an annotation (what an annotator's submit does); returns its id."""
        a = self._call(
            f"annotate task {task_id}",
            self._sdk.annotations.create,
            task_id,
            result=result,
            completed_by=completed_by,
            was_cancelled=was_cancelled,
        )
        return a.id


_NO_TASK_ID = "a task is not an object with a whole-number id"


def ls_time(s: str | None) -> dt.datetime | None:
    """A Label Studio time as naive UTC (None if absent)."""
    if not s:
        return None
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(dt.UTC).replace(tzinfo=None)


def parse_json(body: bytes) -> Any:
    """A JSON answer; anything else is :class:`NotAnApiAnswer`, an HTML page named by its title.

    >>> parse_json(b"<!doctype html><html><head><title>SSO Login</title></head></html>")
    Traceback (most recent call last):
    annotation.errors.NotAnApiAnswer: an HTML page (SSO Login), not an API answer
    >>> parse_json(b'[{"id": 1, "data": {"text": "cut off')
    Traceback (most recent call last):
    annotation.errors.NotAnApiAnswer: malformed JSON (36 bytes), not an API answer
    """
    try:
        return json.loads(body)
    except ValueError:  # (JSONDecodeError, UnicodeDecodeError)
        said = _detail(body.decode("utf-8", "replace"))
        raise NotAnApiAnswer(
            said if said.startswith("an HTML page") else f"malformed JSON ({len(body):,} bytes), not an API answer"
        ) from None


def _expect(holds: bool, what: str) -> None:
    """``what`` (a fixed text) is wrong with an answer unless ``holds``."""
    if not holds:
        raise NotAnApiAnswer(f"JSON of another shape ({what})")


def _owned(t: Any, project_id: int, record_id: str) -> bool:
    """Whether an SDK task is the one the catalogue pushed: of ``project_id``, showing ``record_id``."""
    project = getattr(t, "project", None)
    return (project is None or project == project_id) and (getattr(t, "data", None) or {}).get("record_id") == record_id


def _annotations(t: Any) -> int:
    """A task's annotations, skips included (Label Studio's ``total_annotations`` leaves them out)."""
    return int(t.total_annotations or 0) + int(getattr(t, "cancelled_annotations", None) or 0)


def _is_whole(n: Any) -> bool:
    return isinstance(n, int) and not isinstance(n, bool)


def _is_time(s: Any) -> bool:
    if s is None:
        return True
    try:
        ls_time(s)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _field(got: Any, name: str, kind: type, what: str) -> Any:
    """``got[name]`` of an answer that must be an object, the field of type ``kind``."""
    _expect(isinstance(got, dict) and isinstance(got.get(name), kind), what)
    return got[name]


def _total(got: Any) -> int:
    """The ``total`` of a Data Manager listing."""
    _expect(isinstance(got, dict) and _is_whole(got.get("total")), "the listing's total is not a whole number")
    return got["total"]


def checked_tasks(got: Any) -> list[dict[str, Any]]:
    """An export as the bridge reads it: a list of tasks, each an object with a whole-number id and data that is an
    object, its annotations a list of objects with a whole-number id, annotator (a user id) and ISO 8601 times."""
    _expect(isinstance(got, list), "the export is not a list of tasks")
    for task in got:
        _expect(isinstance(task, dict) and _is_whole(task.get("id")), _NO_TASK_ID)
        _expect(task.get("data") is None or isinstance(task["data"], dict), "a task's data is not an object")
        anns = task.get("annotations")
        _expect(anns is None or isinstance(anns, list), "a task's annotations are not a list")
        for ann in anns or []:
            _expect(isinstance(ann, dict) and _is_whole(ann.get("id")), "an annotation has no whole-number id")
            by = ann.get("completed_by")
            by = by.get("id") if isinstance(by, dict) else by
            _expect(by is None or _is_whole(by), "an annotation's annotator is not a user id")
            _expect(
                _is_time(ann.get("created_at")) and _is_time(ann.get("updated_at")),
                "an annotation's time is not an ISO 8601 time",
            )
    return got


def _detail(body: Any) -> str:
    r"""What an error answer says, on one line: an HTML page (a proxy's or Label Studio's own 404 page) by its title.

    >>> _detail("<!doctype html>\n<html lang='en'>\n<head><title>Page not found</title></head>\n<body>…</body></html>")
    'an HTML page (Page not found), not an API answer'
    >>> _detail({"detail": "API key\nhas expired."})
    'API key has expired.'

    A validation error is its fields and messages, without the task data Label Studio quotes in them (scrubbed text
    and record ids, on several lines):

    >>> _detail({"validation_errors": {"non_field_errors": ["Can't find text in task data: {'txt': '行一\n行二'}"]}})
    "non_field_errors: Can't find text in task data: {…}"
    """
    if isinstance(body, dict):
        for key in ("validation_errors", "detail", "message"):
            if body.get(key):
                return _said(body[key])[:500]
    text = str(body)
    if text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        m = re.search(r"<title[^>]*>(.*?)</title>", text, re.S | re.I)
        title = " ".join(m.group(1).split())[:100] if m else ""
        return f"an HTML page{f' ({title})' if title else ''}, not an API answer"
    return " ".join(text.split())[:500]


def _said(v: Any) -> str:
    """An error answer's field on one line: a mapping as ``field: message``, quoted data (``{...}``) left out."""
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_said(x)}" for k, x in v.items())
    if isinstance(v, list):
        return "; ".join(_said(x) for x in v)
    return " ".join(_QUOTED.sub("{…}", str(v)).split())


_QUOTED = re.compile(r"\{.*\}", re.S)


def _hint(status: int | None) -> str:
    if status == 401:
        return (
            "; the token was refused: Label Studio 1.20+ needs a Personal Access Token (run `make labelstudio` "
            "again to renew the local one, or set LABEL_STUDIO_API_KEY)"
        )
    if status == 403:
        return "; this user may not do that (check its role in the organisation)"
    if status == 404:
        return "; it does not exist on this instance (deleted, or another instance is configured?)"
    if status is not None and 200 <= status < 300:  # the SDK's own reading of an answer that is not JSON
        return NOT_API
    return ""


__all__ = ["LabelStudioClient", "checked_tasks", "ls_time", "parse_json"]
