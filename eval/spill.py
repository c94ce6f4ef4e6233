"""Statistics of a long run kept on disk, so that scoring holds memory flat in corpus size.

Scoring file by file in blocks (:mod:`newsbench.eval.blocks`) keeps one block of documents
in memory; what still grows with the corpus is what the report lists per unit: the
per-unit rows of every metric (about 8 KB a document), the per-document coreference
rows (about 1 KB) and the error records (about 20 KB). :class:`SpilledRun` absorbs each
block's statistics in corpus order, writes those three to temporary files and keeps the
rest (unit ids, sums, type details: about a hundred bytes a document). Its
:meth:`SpilledRun.shard` is a :class:`~newsbench.eval.harness.ShardScores` whose rows
and errors read back from disk,
one metric at a time, so the report built from it is the one built in memory, value
for value, and :func:`~newsbench.eval.report_files.write_report` copies them to the
report's side files without holding them.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from array import array
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from newsbench.eval.error_lines import RecordLines, record_chunks
from newsbench.eval.harness import ShardScores
from newsbench.eval.unit_rows import UnitRows

__all__ = ["ErrorSpill", "RowSpill", "SpilledRows", "SpilledRun", "SpilledUnitRows"]


class _Folder:
    """A temporary folder, removed when the last object that holds it is gone."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="newsbench-spill-"))
        weakref.finalize(self, shutil.rmtree, self.path, True)


class ErrorSpill(RecordLines):
    """Error records appended to a JSON Lines file; read back in order, never held."""

    def __init__(self, path: Path, keep: object = None) -> None:
        self._keep = keep  # the temporary folder the file is in, kept while this lives
        self._path = path
        self._handle: IO[bytes] = open(path, "wb")  # noqa: SIM115  # closed by close()
        self._count = 0

    def extend(self, records: Sequence[dict[str, Any]]) -> None:
        """Append records (in corpus order); records kept as lines are copied as bytes."""
        self._handle.write(b"".join(record_chunks(records)))
        self._count += len(records)

    def close(self) -> None:
        """Flush the file: no more records."""
        if not self._handle.closed:
            self._handle.close()

    def raw_lines(self) -> Iterator[bytes]:
        """Every record as its JSON line (with its newline), in order."""
        self.close()
        with open(self._path, "rb") as handle:
            yield from handle

    def raw_chunks(self) -> Iterator[bytes]:
        """The file in pieces of about 1 MiB, each ending at the end of a line."""
        self.close()
        with open(self._path, "rb") as handle:
            rest: list[bytes] = []  # the start of a line longer than a piece
            for block in iter(lambda: handle.read(1 << 20), b""):
                cut = block.rfind(b"\n") + 1
                if cut == 0:
                    rest.append(block)
                    continue
                yield b"".join([*rest, block[:cut]])
                rest = [block[cut:]]
            if any(rest):
                yield b"".join(rest)

    def __repr__(self) -> str:
        return f"ErrorSpill({self._count} records in {self._path})"


class _RowFile:
    """Pieces of per-unit rows, appended to one file; a metric's column put back from them."""

    def __init__(self, folder: _Folder, name: str) -> None:
        self._folder = folder  # kept while any rows read from this file live
        self._path = folder.path / name
        self._writer: IO[bytes] | None = open(self._path, "wb")  # noqa: SIM115  # see close()
        self.pieces: dict[str, list[tuple[int, int, int]]] = {}

    def add(self, rows: Mapping[str, array], first_value: int) -> None:
        """Store a block's rows; ``first_value`` is the block's offset in values."""
        if self._writer is None:
            raise ValueError("rows added to a closed row file")
        for metric, values in rows.items():
            position = self._writer.tell()
            self._writer.write(values.tobytes())
            self.pieces.setdefault(metric, []).append((first_value, position, len(values)))

    def close(self) -> None:
        """No more rows: the file is written, and held open no longer (a report kept
        unread holds no file descriptor)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def column(self, metric: str, n_values: int) -> array:
        """The metric's values over the whole run: zero where a block did not have it."""
        if self._writer is not None:
            self._writer.flush()
        column = np.zeros(n_values, dtype=np.float64)
        with open(self._path, "rb") as reader:
            for first, position, count in self.pieces.get(metric, ()):
                reader.seek(position)
                column[first : first + count] = np.frombuffer(
                    reader.read(8 * count), dtype=np.float64
                )
        return array("d", column.tobytes())


class SpilledUnitRows(UnitRows):
    """A metric's per-unit rows that stay on disk until an array is asked for.

    The stored column holds ``width`` values per unit; the rows are the four columns from
    ``first`` (a coreference row holds several metrics side by side).
    """

    __slots__ = ("_first", "_metric", "_n_values", "_rows", "_width")

    def __init__(
        self, rows: _RowFile, metric: str, n_values: int, width: int = 4, first: int = 0
    ) -> None:
        self._rows, self._metric, self._n_values = rows, metric, n_values
        self._width, self._first = width, first

    @property  # type: ignore[override]
    def _array(self) -> np.ndarray:
        values = np.frombuffer(self._rows.column(self._metric, self._n_values), dtype=np.float64)
        values = values.reshape(-1, self._width)
        if self._width != 4:
            values = np.ascontiguousarray(values[:, self._first : self._first + 4])
        values.flags.writeable = False
        return values

    def __reduce__(self) -> tuple[type[UnitRows], tuple[np.ndarray]]:
        return (UnitRows, (self._array,))


class SpilledRows(Mapping[str, array]):
    """``ShardScores.rows`` read back from disk: each access loads one metric's column."""

    def __init__(self, rows: _RowFile, n_values: int) -> None:
        self._rows, self._n_values = rows, n_values

    def __getitem__(self, metric: str) -> array:
        if metric not in self._rows.pieces:
            raise KeyError(metric)
        return self._rows.column(metric, self._n_values)

    def __contains__(self, metric: object) -> bool:
        return metric in self._rows.pieces

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows.pieces)

    def __len__(self) -> int:
        return len(self._rows.pieces)

    def __delitem__(self, metric: str) -> None:
        del self._rows.pieces[metric]

    def setdefault(self, metric: str, default: array) -> array:
        """The metric's column, or ``default`` when no block had it (never stored)."""
        return self.get(metric, default)

    def unit_rows(self, metric: str, width: int = 4, first: int = 0) -> UnitRows:
        """The metric's rows for the report (four columns from ``first`` of ``width``),
        loaded only when read."""
        return SpilledUnitRows(self._rows, metric, self._n_values, width, first)


class SpilledRun:
    """Absorb consecutive shards in corpus order, their rows and errors written to disk.

    The temporary folder lives as long as anything read from it (the shard, a report's
    rows or error listing) and is removed at interpreter exit at the latest.
    """

    def __init__(self) -> None:
        folder = _Folder()
        self._folder = folder.path
        self._rows = _RowFile(folder, "rows.bin")
        self._coref_rows = _RowFile(folder, "coref-rows.bin")
        self._errors = ErrorSpill(folder.path / "errors.jsonl", keep=folder)
        self._merged: ShardScores | None = None

    def absorb(self, shard: ShardScores) -> None:
        """Add the statistics of the documents that follow (a block's shard; consumed)."""
        if shard.keep != "all" or shard.max_errors is not None:
            raise ValueError("a spilled run keeps every statistic: score with keep='all'")
        units = 0 if self._merged is None else len(self._merged.unit_ids)
        documents = 0 if self._merged is None else len(self._merged.doc_ids)
        self._rows.add(shard.rows, 4 * units)
        self._coref_rows.add(shard.coref_rows, shard.coref_width() * documents)
        self._errors.extend(shard.errors)
        shard.rows, shard.coref_rows, shard.errors = {}, {}, []
        if self._merged is None:
            self._merged = shard
        else:
            self._merged.merge(shard)

    def shard(self) -> ShardScores:
        """The merged statistics, rows and errors read back from disk.

        Raises:
            ValueError: nothing was absorbed.
        """
        if self._merged is None:
            raise ValueError("no shard to merge")
        merged = self._merged
        self.close()
        merged.rows = SpilledRows(self._rows, 4 * len(merged.unit_ids))  # type: ignore[assignment]
        merged.coref_rows = SpilledRows(  # type: ignore[assignment]
            self._coref_rows, merged.coref_width() * len(merged.doc_ids)
        )
        merged.errors = self._errors  # type: ignore[assignment]
        return merged

    def close(self) -> None:
        """Close the files being written (:meth:`shard` does; so must a run given up)."""
        self._errors.close()
        self._rows.close()
        self._coref_rows.close()


class RowSpill:
    """A :class:`~newsbench.eval.harness.RowSink` that writes a growing shard's rows to disk.

    ``score_stream(..., row_sink=RowSpill())`` keeps one shard (so its running totals are
    summed document by document, as without the spill) but holds at most ``every``
    documents' per-unit rows; at the end the rows read back from disk, one metric at a
    time, value for value the ones the shard would have held.
    """

    def __init__(self, every: int = 256) -> None:
        folder = _Folder()
        self.every = every
        self._rows = _RowFile(folder, "rows.bin")
        self._coref_rows = _RowFile(folder, "coref-rows.bin")

    def take(self, shard: ShardScores) -> None:
        """Move the shard's rows to disk."""
        self._rows.add(shard.rows, 4 * shard.rows_from_unit)
        self._coref_rows.add(shard.coref_rows, shard.coref_width() * shard.rows_from_doc)
        shard.rows, shard.coref_rows = {}, {}
        shard.rows_from_unit, shard.rows_from_doc = len(shard.unit_ids), len(shard.doc_ids)

    def give_back(self, shard: ShardScores) -> None:
        """Move the last rows to disk and give the shard every row back, read from disk."""
        self.take(shard)
        self._rows.close()
        self._coref_rows.close()
        shard.rows = SpilledRows(self._rows, 4 * len(shard.unit_ids))  # type: ignore[assignment]
        shard.coref_rows = SpilledRows(  # type: ignore[assignment]
            self._coref_rows, shard.coref_width() * len(shard.doc_ids)
        )
        shard.rows_from_unit = shard.rows_from_doc = 0
