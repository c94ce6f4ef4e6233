"""Per-unit statistics of one metric in a report: compact rows that behave like lists.

A report keeps, for every metric it can resample, one ``(p_num, p_den, r_num, r_den)``
row per resampling unit. Held as nested lists of Python floats, 10,000 documents times
25 metrics cost ≈ 46 MB; :class:`UnitRows` stores them as one read-only float64 array
(8 bytes a count) and still reads, compares and serialises like the list of rows that
the JSON report holds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["UnitRows"]


class UnitRows(Sequence[list[float]]):
    """Rows of per-unit statistics stored in one read-only ``(n_units, n_columns)`` array.

    ``rows[i]`` is a list of floats, ``np.asarray(rows)`` the array itself (no copy), and
    ``rows == other`` compares values with another :class:`UnitRows`, a list of rows or
    an array (so a report equals the same report read back from its JSON file).

    Raises:
        ValueError: If ``rows`` is not two-dimensional.
    """

    __slots__ = ("_array",)
    __hash__ = None  # type: ignore[assignment]  # equal to lists, which do not hash

    def __init__(self, rows: ArrayLike) -> None:
        array = np.array(rows, dtype=np.float64, order="C")
        if array.ndim != 2:
            raise ValueError(f"unit rows must be a 2-D table, got shape {array.shape}")
        array.flags.writeable = False
        self._array = array

    @property
    def shape(self) -> tuple[int, int]:
        """``(number of units, number of columns)``."""
        return self._array.shape  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self._array)

    @overload
    def __getitem__(self, index: int) -> list[float]: ...

    @overload
    def __getitem__(self, index: slice) -> UnitRows: ...

    def __getitem__(self, index: int | slice) -> list[float] | UnitRows:
        if isinstance(index, slice):
            return UnitRows(self._array[index])
        row: list[float] = self._array[index].tolist()
        return row

    def __iter__(self) -> Iterator[list[float]]:
        for row in self._array:
            yield row.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is None or np.dtype(dtype) == self._array.dtype:
            return self._array.copy() if copy else self._array
        return self._array.astype(dtype)

    def tolist(self) -> list[list[float]]:
        """The rows as nested lists of Python floats (what the JSON report holds)."""
        rows: list[list[float]] = self._array.tolist()
        return rows

    def __eq__(self, other: object) -> bool:
        if isinstance(other, UnitRows):
            values = other._array
        elif isinstance(other, (list, tuple, np.ndarray)):
            try:
                values = np.asarray(other, dtype=np.float64)
            except (TypeError, ValueError):
                return False
        else:
            return NotImplemented
        return values.shape == self._array.shape and bool(np.array_equal(values, self._array))

    def __reduce__(self) -> tuple[type[UnitRows], tuple[np.ndarray]]:
        return (UnitRows, (self._array,))

    def __repr__(self) -> str:
        n, k = self.shape
        return f"UnitRows({n} units x {k} columns)"
