"""Error records kept as their JSON lines, parsed only when read.

A report can list hundreds of thousands of error records (about 67 a synthetic document).
As Python dicts they cost more to move than to make: a worker process that returns them
pickled makes the parent spend longer unpickling them than the worker spent scoring, and
the report writer only turns them back into the same JSON lines. Kept as those lines
(compact ``orjson`` output, one record a line, the bytes ``r.errors.jsonl`` holds),
they travel and are written as bytes; a reader still sees a sequence of dicts.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, overload

import orjson

__all__ = ["ErrorLines", "RecordLines", "record_chunks", "record_lines"]


class RecordLines(Sequence[dict[str, Any]]):
    """A read-only sequence of records stored as JSON lines (``raw_lines``)."""

    _count: int = 0

    def raw_lines(self) -> Iterator[bytes]:
        """Every record as its JSON line (with its newline), in order."""
        raise NotImplementedError

    def raw_chunks(self) -> Iterator[bytes]:
        """The bytes of :meth:`raw_lines` in pieces of whole lines, fewer and larger."""
        return _joined(self.raw_lines())

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for line in self.raw_lines():
            yield orjson.loads(line)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step > 0:  # read only as far as the slice reaches
                return list(islice(self, start, max(start, stop), step))
            return list(self)[index]  # backwards: every record is read anyway
        if not -self._count <= index < self._count:
            raise IndexError("error record index out of range")
        return next(islice(self, index % self._count, None))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def record_lines(records: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """The JSON lines of ``records``: theirs as they are if they keep lines, else written."""
    raw_lines = getattr(records, "raw_lines", None)
    if raw_lines is not None:
        return raw_lines()  # type: ignore[no-any-return]
    return (orjson.dumps(record) + b"\n" for record in records)


def record_chunks(records: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """:func:`record_lines` in pieces of whole lines (large ones where records keep lines).

    Every record is one line ending in ``b"\\n"`` (orjson writes no other newline), so the
    number of records in the pieces is their number of newlines.
    """
    raw_chunks = getattr(records, "raw_chunks", None)
    if raw_chunks is not None:
        return raw_chunks()  # type: ignore[no-any-return]
    return _joined(record_lines(records))


def _joined(lines: Iterable[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    """Lines joined into pieces of about ``size`` bytes."""
    piece: list[bytes] = []
    length = 0
    for line in lines:
        piece.append(line)
        length += len(line)
        if length >= size:
            yield b"".join(piece)
            piece, length = [], 0
    if piece:
        yield b"".join(piece)


class ErrorLines(RecordLines):
    """Error records held in memory as their JSON lines: cheap to pickle and to write.

    Records must be what ``orjson`` writes and reads back unchanged (strings, integers,
    lists, ``None``: :meth:`~newsbench.eval.units.ErrorRecord.to_dict` output), so that a
    record read back equals the one stored.
    """

    def __init__(self, records: Iterable[Mapping[str, Any]] = ()) -> None:
        self._chunks: list[bytes] = []
        self._count = 0
        self.extend(records)

    def extend(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Append records (dicts, or another record-lines sequence, copied as bytes)."""
        if isinstance(records, ErrorLines):
            self._chunks.extend(records._chunks)
            self._count += records._count
            return
        lines = list(record_lines(records))
        if lines:
            self._chunks.append(b"".join(lines))
            self._count += len(lines)

    def raw_lines(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            yield from io.BytesIO(chunk)  # lines end at b"\n" only, as orjson writes them

    def raw_chunks(self) -> Iterator[bytes]:
        return iter(self._chunks)

    def __repr__(self) -> str:
        return f"ErrorLines({self._count} records, {sum(map(len, self._chunks)):,} bytes)"
