"""A crash hook for the crash-safety tests: SIGKILL this process at a named point of the ingest.

Set ``SHADOWFLEET_CRASH_AT=<point>:<n>`` (e.g. ``after_publish:3``) and the process kills itself with
SIGKILL the n-th time it passes `point`. Points: ``before_publish`` (temp file durable, not renamed),
``after_publish`` (file renamed, manifest not yet committed), ``after_commit`` (chunk committed),
``compact_after_publish``, ``compact_after_commit``. Unset, the hook costs one dict lookup.
"""

import os
import signal

CRASH_ENV = "SHADOWFLEET_CRASH_AT"
_hits: dict[str, int] = {}


def crash_point(point: str) -> None:
    spec = os.environ.get(CRASH_ENV)
    if not spec:
        return
    name, _, count = spec.partition(":")
    if name != point:
        return
    _hits[point] = _hits.get(point, 0) + 1
    if _hits[point] >= int(count or "1"):
        os.kill(os.getpid(), signal.SIGKILL)
