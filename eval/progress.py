"""Progress bars for long runs: rich, on stderr, only on a terminal, only for large inputs.

A command that reads, validates, scores or converts more than :data:`MIN_DOCUMENTS`
documents shows a transient bar on stderr when stderr is a terminal; output that is
piped or captured (CI logs, tests, ``2> file``) never gets one, and stdout is never
touched.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

__all__ = ["MIN_DOCUMENTS", "Advance", "count_lines", "progress_bar", "tty_total"]

MIN_DOCUMENTS = 300
"""Inputs with fewer documents (lines) than this finish too fast to need a bar."""

Advance = Callable[[int], None]
"""Advance a bar by a number of documents."""


def count_lines(path: str | os.PathLike[str]) -> int:
    """The number of lines of a file (JSON Lines: documents), read in binary blocks."""
    count = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count += block.count(b"\n")
    return count


def _wanted(total: int | None, stream: IO[str]) -> bool:
    return stream.isatty() and (total is None or total >= MIN_DOCUMENTS)


@contextmanager
def progress_bar(
    description: str, total: int | None, *, stream: IO[str] | None = None
) -> Iterator[Advance | None]:
    """A bar of ``total`` documents (``None``: unknown), or ``None`` when none is wanted.

    Yields:
        A function that advances the bar, or ``None`` (not a terminal, or a small input):
        callers skip the calls then, so that a run without a bar costs nothing. With an
        unknown ``total`` the bar appears once :data:`MIN_DOCUMENTS` documents went by.
    """
    target = stream if stream is not None else sys.stderr
    if not _wanted(total, target):
        yield None
        return
    if total is None:  # unknown size: a bar only once MIN_DOCUMENTS documents went by
        with _lazy_bar(description, target) as advance:
            yield advance
        return
    with _bar(description, total, target) as advance:
        yield advance


@contextmanager
def _lazy_bar(description: str, target: IO[str]) -> Iterator[Advance]:
    done = 0
    started: list[Any] = []

    def advance(n: int = 1) -> None:
        nonlocal done
        done += n
        if started:
            started[0](n)
        elif done >= MIN_DOCUMENTS:
            context = _bar(description, None, target)
            started.extend([context.__enter__(), context])
            started[0](done)

    try:
        yield advance
    finally:
        if started:
            started[1].__exit__(None, None, None)


@contextmanager
def _bar(description: str, total: int | None, target: IO[str]) -> Iterator[Advance]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=Console(file=target), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


def tty_total(path: str | os.PathLike[str]) -> int | None:
    """``count_lines(path)`` when stderr is a terminal (a bar may show), else ``None``."""
    if not sys.stderr.isatty():
        return None
    try:
        return count_lines(path)
    except OSError:
        return None
