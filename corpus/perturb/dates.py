"""Move a document in time: the DCT by whole weeks, written years by whole years.

The shift is ``years`` whole years (seeded, 1 to 4) for everything the text states
(a year, a month name) and ``weeks = round(years * 365.2425 / 7)`` whole weeks for the
document creation time, so weekday names stay right. Each TIMEX value is recomputed:

- anchored in the text (its span names a year or a month): the year moves by
  ``years``, month and day stay as written, and every year written in the span is
  rewritten to match;
- relative to the DCT ("Saturday", "last month", "this week", "this year"): the value
  moves with the DCT (days, ISO weeks, months or years, at the value's own grain);
- durations, sets, ``PRESENT_REF`` and decades are unchanged.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

from newsbench.corpus.perturb.edits import Edit, EditScript
from newsbench.schema.model import Document, TimeExpression

DAYS_PER_YEAR = 365.2425

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_MONTH_NAME = re.compile(rf"\b(?:{_MONTHS})\b\.?", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d.,])(1[89]\d\d|20\d\d)(?![\d]|s\b|'s\b)")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(T.*)?$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})(-WE)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_SEASON_OR_QUARTER = re.compile(r"^(\d{4})(-(?:SP|SU|FA|WI|Q[1-4]|H[12]))$")
_YEAR_ONLY = re.compile(r"^(\d{4})$")


class DateShiftError(ValueError):
    """A date of the document that cannot be shifted; ``path`` points at it (RFC 6901)."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


def shift_years_for(document: Document, seed: int) -> int:
    """The seeded number of years a document moves (4 when it writes a 29 February)."""
    years = random.Random(f"dates-shifted:{seed}:{document.id}").choice((1, 2, 3, 4))
    if any((t.value or "")[4:10] == "-02-29" for t in document.time_expressions or ()):
        return 4
    return years


def is_text_anchored(timex: TimeExpression) -> bool:
    """Whether the span itself names its year or month (not resolved from the DCT)."""
    return bool(_YEAR.search(timex.text) or _MONTH_NAME.search(timex.text))


def _moved_date(day: date, days: int) -> date:
    return day + timedelta(days=days)


def _year(year: int) -> str:
    """A year as a TIMEX value writes it (four digits; ValueError past 9999)."""
    if not 0 <= year <= 9999:
        raise ValueError(f"year {year} is out of range")
    return f"{year:04d}"


def shifted_value(
    value: str | None, *, anchored: bool, years: int, days: int, months: int, dct_years: int
) -> str | None:
    """A TIMEX value after the shift (unchanged when it names no calendar point)."""
    if value is None:
        return None
    if match := _DAY.match(value):
        year, month, day, rest = int(match[1]), int(match[2]), int(match[3]), match[4] or ""
        moved = (
            date(year + years, month, day)
            if anchored
            else _moved_date(date(year, month, day), days)
        )
        return moved.isoformat() + rest
    if match := _WEEK.match(value):
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        moved = _moved_date(monday, days if not anchored else round(years * DAYS_PER_YEAR / 7) * 7)
        iso = moved.isocalendar()
        return f"{iso[0]:04d}-W{iso[1]:02d}{match[3] or ''}"
    if match := _MONTH.match(value):
        year, month = int(match[1]), int(match[2])
        if anchored:
            return f"{_year(year + years)}-{month:02d}"
        index = year * 12 + (month - 1) + months
        return f"{_year(index // 12)}-{index % 12 + 1:02d}"
    if match := _SEASON_OR_QUARTER.match(value):
        return f"{_year(int(match[1]) + (years if anchored else dct_years))}{match[2]}"
    if match := _YEAR_ONLY.match(value):
        return f"{_year(int(match[1]) + (years if anchored else dct_years))}"
    return value


def dates_shifted(document: Document, seed: int) -> tuple[EditScript, dict[str, str | None], str]:
    """The year edits, the new TIMEX values by id, and the new DCT of a document.

    Raises:
        DateShiftError: the DCT or a TIMEX value names no calendar date (``2024-02-30``,
            ``2023-W53``) or would move past the year 9999.
    """
    if document.metadata is None:
        raise DateShiftError(f"document {document.id!r} has no metadata: no DCT to shift", "")
    years = shift_years_for(document, seed)
    days = round(years * DAYS_PER_YEAR / 7) * 7
    dct = document.metadata.dct
    try:
        old_dct = date.fromisoformat(dct)
        new_dct = old_dct + timedelta(days=days)
    except (ValueError, OverflowError) as exc:
        raise DateShiftError(
            f"cannot shift the DCT {dct!r} by {days} days: {exc}", "/metadata/dct"
        ) from None
    months = (new_dct.year * 12 + new_dct.month) - (old_dct.year * 12 + old_dct.month)
    edits: dict[int, Edit] = {}  # by start: nested time expressions share their years
    values: dict[str, str | None] = {}
    for index, timex in enumerate(document.time_expressions or ()):
        anchored = is_text_anchored(timex)
        if timex.type in ("DATE", "TIME"):
            try:
                values[timex.id] = shifted_value(
                    timex.value,
                    anchored=anchored,
                    years=years,
                    days=days,
                    months=months,
                    dct_years=new_dct.year - old_dct.year,
                )
            except (ValueError, OverflowError) as exc:
                raise DateShiftError(
                    f"cannot shift the value {timex.value!r} of time expression "
                    f"{timex.id!r} by {years} year(s): {exc}",
                    f"/time_expressions/{index}/value",
                ) from None
        if anchored and timex.type in ("DATE", "TIME"):
            for match in _YEAR.finditer(timex.text):
                start = timex.start + match.start()
                edits[start] = Edit(start, start + len(match[1]), str(int(match[1]) + years))
    return EditScript(edits.values(), len(document.text)), values, new_dct.isoformat()
