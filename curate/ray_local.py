"""The Ray cluster a stage run starts on this machine, and what it leaves behind: nothing.

Ray writes its workers' stdout and stderr (a stage's traceback may quote a record's raw, pre-PII text) under its
session folder, ``/tmp/ray/session_*/logs`` by default, outside the run's work folder, kept for good. A cluster
``curate run --executor ray`` starts itself runs in a temporary folder of its own, which goes with the cluster when
the stage ends (review 9). A cluster named by ``--ray-address`` (or one the caller had started) keeps its own logs,
on its own machines: the README says so.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def ray_cluster(ray: Any, workers: int, address: str | None) -> Iterator[None]:
    """Ray initialised for one stage: the caller's cluster as it is, ``address``'s, or a local one of ``workers``
    CPUs in a temporary folder that is deleted (with its logs) once the stage ends."""
    if ray.is_initialized():
        yield
        return
    if address:
        ray.init(address=address, log_to_driver=False)
        try:
            yield
        finally:
            ray.shutdown()
        return
    folder = tempfile.mkdtemp(prefix="curate-ray-")  # short: Ray's socket paths under it must fit 107 bytes
    try:
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, _temp_dir=folder)
        try:
            yield
        finally:
            ray.shutdown()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
