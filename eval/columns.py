"""Column splitting for the CoNLL-style formats: on ASCII whitespace only.

``str.split()`` also splits on a no-break space (U+00A0), an em space and the other
Unicode spaces, which a token may hold (``New\u00a0York``): the token would be cut and its
tag read from another column, silently. These formats separate columns by tabs or ASCII
spaces, so only those separate them here.
"""

from __future__ import annotations

import re

__all__ = ["ascii_fields", "split_columns"]

_ASCII_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def ascii_fields(line: str) -> list[str]:
    """The fields of ``line`` between runs of ASCII whitespace."""
    return [field for field in _ASCII_SPACE.split(line) if field]


def split_columns(line: str) -> list[str]:
    """Tab-separated columns where the line has a tab, else fields between ASCII spaces."""
    return line.split("\t") if "\t" in line else ascii_fields(line)
