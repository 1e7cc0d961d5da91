"""Run `python -m app` so that the process stops itself (SIGSTOP) at one point of an index build.

`python -m tests.robustness.pause_at <point> index` is `python -m app index` with an audit hook: when
the build reaches <point>, the process stops, and the test kills it there with SIGKILL. Racing a
poll against a build that writes its files in a millisecond would kill it at a random point instead.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
from collections.abc import Callable
from typing import Any


def _path(value: Any) -> str:
    return os.fspath(value) if isinstance(value, str | os.PathLike) else ""


def _in_staging(path: str) -> bool:
    return any(part.startswith(".build-") for part in path.split(os.sep))


# audit event and arguments -> True at the moment to stop, before the operation runs
POINTS: dict[str, Callable[[str, tuple[Any, ...]], bool]] = {
    "staging created, nothing written": lambda event, args: (
        event == "open" and _in_staging(_path(args[0])) and _path(args[0]).endswith("vectors.npy")),
    "vectors written, tables not": lambda event, args: (
        event == "open" and _in_staging(_path(args[0])) and _path(args[0]).endswith("units.json")),
    "staging complete, not renamed": lambda event, args: (
        event == "os.rename" and _in_staging(_path(args[0]))),
    "version in place, manifest not switched": lambda event, args: (
        event == "os.rename" and _path(args[1]).endswith("manifest.json")),
}


def main() -> None:
    point = POINTS[sys.argv[1]]
    fired = False

    def hook(event: str, args: tuple[Any, ...]) -> None:
        nonlocal fired
        if not fired and point(event, args):
            fired = True  # before os.kill, whose own audit event comes back here
            os.kill(os.getpid(), signal.SIGSTOP)

    sys.addaudithook(hook)
    sys.argv = ["app", *sys.argv[2:]]
    runpy.run_module("app", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
