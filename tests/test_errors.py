"""The exception root's errors survive pickling whole: a stage's worker processes send them to the runner."""

from __future__ import annotations

import pickle

import pytest

from annotation import errors as ls_errors
from curate.runlock import RunLockedError
from curate.watched import DeadWorkerError
from provenance import errors
from sources.errors import SourceError

MESSAGE = ("what went wrong, where, and how to fix it",)
MADE = {
    errors.MissingDependencyError: (("torch", "gpu", "dedup on a CUDA device"), {}),
    errors.LicenceError: (("CC-BY-NC-4.0", "forbids commercial use"), {}),
    SourceError: (("law_moj", "ChLaw.json:3", "not a law object"), {}),
    ls_errors.LabelStudioError: (("unknown project 7",), {"url": "http://127.0.0.1:8080", "status": 404}),
    ls_errors.LabelStudioTransientError: (("timed out",), {"url": "http://127.0.0.1:8080"}),
    ls_errors.InvalidAnnotation: (("offsets_not_integers", "a region's start or end is not a whole number"), {}),
}


def _all(cls: type) -> list[type]:
    return [cls, *(c for sub in cls.__subclasses__() for c in _all(sub))]


# every error class these modules define (imported above), the root's subclasses found at collection time
CLASSES = sorted(
    {
        c
        for c in _all(errors.WorkbenchError)
        if c.__module__.split(".")[0] in {"provenance", "curate", "sources", "annotation"}
    },
    key=lambda c: c.__qualname__,
)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_error_round_trips_through_pickle(cls):
    args, kwargs = MADE.get(cls, (MESSAGE, {}))
    err = cls(*args, **kwargs)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls and str(back) == str(err) and back.exit_code == err.exit_code
    assert vars(back) == vars(err)


def test_the_named_classes_are_checked():
    assert {RunLockedError, DeadWorkerError, SourceError, *MADE} <= set(CLASSES)


def test_missing_dependency_message_is_not_wrapped_twice_after_pickling():
    err = pickle.loads(pickle.dumps(errors.MissingDependencyError("torch", "gpu", "dedup on a CUDA device")))
    assert str(err).count("the optional package") == 1 and err.package == "torch" and err.extra == "gpu"
