"""An ``os.PathLike`` that is neither ``str`` nor ``pathlib.Path`` (as pytest's ``tmpdir``)."""

from __future__ import annotations

import os


class PathLike:
    """Only ``__fspath__``: what every API that takes a path must accept."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)

    def __fspath__(self) -> str:
        return self.path
