"""Fault injection for the crash tests: ``JUESUAN_KILL_AT=<point>:<n>`` makes the process SIGKILL itself
the n-th time it passes ``checkpoint(<point>)``.

SIGKILL cannot be caught, so this is the harshest crash there is (power loss aside); the points sit
where a crash would hurt most: between pages of a parse, after validation, inside the loading transaction,
and between the steps of publishing a release. Unset (always, outside tests), a checkpoint costs one
dictionary lookup.
"""

from __future__ import annotations

import os
import signal

POINTS = (
    "parse.page",
    "validate",
    "load.insert",
    "export.copy",
    "export.publish",
    "export.link",
    "export.prune",
)
_passed: dict[str, int] = {}


def checkpoint(point: str) -> None:
    spec = os.environ.get("JUESUAN_KILL_AT")
    if not spec:
        return
    name, _, nth = spec.partition(":")
    if name != point:
        return
    _passed[point] = _passed.get(point, 0) + 1
    if _passed[point] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
