"""Reading the scored files where they are: local paths, or any fsspec URL.

The block and Dask paths read gold and predictions from local files or from URLs their
workers can reach (``s3://``, ``gs://``, ``https://``, ...). Everything that reads them
opens them here, so that a URL is never read as a missing local file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import orjson

from newsbench.schema.io import line_json

__all__ = ["json_objects", "open_binary"]


def open_binary(path: str) -> Any:
    """A local file as it is named; anything else (an fsspec URL) through fsspec.

    A local name is never given to fsspec, which reads ``a::b`` or ``data:...`` as URLs
    and would open another file than the one named.

    Raises:
        OSError: The file cannot be opened.
    """
    if os.path.exists(path):
        return open(path, "rb")
    try:
        import fsspec
    except ImportError:  # plain local files need no fsspec
        return open(path, "rb")
    return fsspec.open(path, "rb").open()


def json_objects(path: str) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON Lines file, line by line, read as the validator reads
    them (:func:`~newsbench.schema.io.line_json`); other lines are skipped (the validation
    that reads the file reports them, located).

    Raises:
        OSError: The file cannot be opened.
    """
    with open_binary(path) as handle:
        for line in handle:
            try:
                value = orjson.loads(line_json(line))
            except orjson.JSONDecodeError:
                continue
            if isinstance(value, dict):
                yield value
