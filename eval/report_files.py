"""A report on disk: the JSON file, its error listing and, when large, its per-unit statistics.

``write_report("r.json", report)`` writes three files, so that the JSON report stays small
whatever the corpus size (counts, scores and intervals only):

* ``r.json``: the report, with ``error_listing`` (file name, record count, SHA-256) in
  place of the error records;
* ``r.errors.jsonl``: the error records, one compact JSON object a line, in report order;
* ``r.units.npz``, only when there are more than :data:`INLINE_UNIT_LIMIT` resampling
  units: ``unit_statistics`` and ``document_statistics`` as float64 arrays (a NumPy
  ``.npz`` archive, 8 bytes a count, byte-reproducible), the JSON naming the file, its
  SHA-256, the units and the metrics in order. Otherwise they stay inline.

:func:`load_unit_tables` (called by ``read_report``) puts the tables back from the
archive after checking its digest, so ``gate``, ``compare`` and ``robustness`` read
either form. The in-memory report (``newsbench.score``, ``score_documents``) keeps the
error records and the tables themselves; only the files differ.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from newsbench.eval.error_lines import record_chunks
from newsbench.eval.unit_rows import UnitRows
from newsbench.schema.io import StagedOutputs, atomic_output, sha256_of_files, staged_outputs
from newsbench.schema.paths import (
    PathSpec,
    describe_mode,
    followed,
    read_regular_file,
    side_file,
)
from newsbench.schema.problems import DataError, Problem

REPORT_SIDE_SUFFIXES = (".errors.jsonl", ".units.npz")
"""What replaces a report path's suffix for its side files (declared as outputs too)."""

INLINE_UNIT_LIMIT = 500
"""Up to this many resampling units the per-unit tables stay inside the JSON report."""

TABLES = ("unit_statistics", "document_statistics")
"""The report's per-unit tables: ``{"unit_ids": [...], "columns": [...], "metrics": {...}}``."""

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every archive member's timestamp: the archive's bytes depend on its content only."""


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """The files one report is written to."""

    report: Path
    errors: Path
    units: Path

    @classmethod
    def of(cls, path: str | Path) -> ReportFiles:
        """The files of the report ``path`` (``r.json`` -> ``r.errors.jsonl``, ``r.units.npz``)."""
        report = Path(path)
        errors, units = (side_file(report, suffix) for suffix in REPORT_SIDE_SUFFIXES)
        return cls(report, errors, units)


def _write_errors(
    path: Path, errors: Iterable[Mapping[str, Any]], stage: StagedOutputs
) -> tuple[int, str]:
    """Write the error records as JSON lines; return their number and the file's SHA-256."""
    digest = hashlib.sha256()
    count = 0
    with atomic_output(path, "wb", stage=stage) as handle:
        # Records kept as lines are copied as they are, in large pieces of whole lines.
        for chunk in record_chunks(errors):
            digest.update(chunk)
            handle.write(chunk)
            count += chunk.count(b"\n")
    return count, digest.hexdigest()


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def _members(section: str, table: Mapping[str, Any]) -> Iterator[tuple[str, np.ndarray]]:
    yield f"{section}.unit_ids", np.asarray(table["unit_ids"], dtype=str)
    for index, rows in enumerate(table["metrics"].values()):
        yield f"{section}.{index}", np.asarray(rows, dtype=np.float64)


def _write_tables(path: Path, tables: Mapping[str, Mapping[str, Any]], stage: StagedOutputs) -> str:
    """Write the tables as an ``.npz`` archive (fixed timestamps); return its SHA-256."""
    with (
        atomic_output(path, "wb", stage=stage) as handle,
        zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED, allowZip64=True) as archive,
    ):
        for section, table in tables.items():
            for name, array in _members(section, table):  # one array in memory at a time
                info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_TIME)
                info.external_attr = 0o644 << 16
                archive.writestr(info, _npy_bytes(array))
    return sha256_of_files([stage.staged(path)])


def _units(report: Mapping[str, Any]) -> int:
    table = report.get("unit_statistics") or {}
    return len(table.get("unit_ids", ()))


def write_report(
    path: str | Path,
    report: Mapping[str, Any],
    *,
    inline_unit_limit: int = INLINE_UNIT_LIMIT,
    stage: StagedOutputs | None = None,
) -> ReportFiles:
    """Write ``report`` to ``path`` and its side files (see the module docstring).

    Every file is written completely under a temporary name first; then the side files
    and the JSON last are renamed into place together, interrupts held back meanwhile
    (:func:`~newsbench.schema.io.staged_outputs`). So a report file never names a side
    file that is not complete, and an interrupted run leaves the previous report and its
    side files as they were. Returns the files written (``units`` only exists when the
    tables left the JSON). With a ``stage``, they are renamed with its other files.
    """
    if stage is not None:
        return _write_staged(path, report, inline_unit_limit, stage)
    with staged_outputs() as own:
        return _write_staged(path, report, inline_unit_limit, own)


def _write_staged(
    path: str | Path, report: Mapping[str, Any], inline_unit_limit: int, stage: StagedOutputs
) -> ReportFiles:
    from newsbench.eval.report import write_json

    files = ReportFiles.of(path)
    on_disk: dict[str, Any] = {}
    records, errors_sha = _write_errors(files.errors, report.get("errors", ()), stage)
    tables = {name: report[name] for name in TABLES if isinstance(report.get(name), Mapping)}
    units_sha = None
    if tables and _units(report) > inline_unit_limit:
        units_sha = _write_tables(files.units, tables, stage)
    for key, value in report.items():
        if key == "errors":
            on_disk["error_listing"] = {
                "file": files.errors.name,
                "records": records,
                "sha256": errors_sha,
            }
        elif key in tables and units_sha is not None:
            on_disk[key] = {
                "file": files.units.name,
                "sha256": units_sha,
                "unit_ids": len(value["unit_ids"]),
                "columns": list(value.get("columns", ())),
                "metrics": list(value["metrics"]),
            }
        else:
            on_disk[key] = value
    write_json(files.report, on_disk, stage=stage)
    return files


def _side_path(report_path: str | Path, name: str) -> Path:
    """Where a report's side file ``name`` is: next to the report's real file (where
    :func:`write_report` puts it), else next to the symbolic link the report is read
    through (where earlier versions put it when they wrote through the link)."""
    report = Path(report_path)
    side = followed(report).with_name(name)
    beside_link = report.with_name(name)
    return beside_link if not side.exists() and beside_link.exists() else side


def report_input(dest: str, flag: str) -> PathSpec:
    """A command's report input, declared with its side files: those its name gives and
    those it names inside (both are inputs: never an output, never a special file)."""
    return PathSpec(
        dest, flag, "input", side_suffixes=REPORT_SIDE_SUFFIXES, named_side_files=named_side_files
    )


def named_side_files(report_path: Path) -> list[Path]:
    """The side files a report names inside it, where a reader will open them (a report
    renamed after it was written still names its first side files). Nothing for a file
    that is not a readable JSON report: its reader says what is wrong with it."""
    try:
        if not stat.S_ISREG(os.stat(report_path).st_mode):
            return []
        data = orjson.loads(Path(report_path).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return []
    if not isinstance(data, dict):
        return []
    entries = [data.get("error_listing"), *(data.get(name) for name in TABLES)]
    names = [e["file"] for e in entries if isinstance(e, dict) and isinstance(e.get("file"), str)]
    found = []
    for name in dict.fromkeys(names):
        if name and "/" not in name and "\\" not in name and name not in (".", ".."):
            found.append(_side_path(report_path, name))
    return found


def _side_problem(message: str, file: str, path: str) -> Problem:
    return Problem(
        "report-side-file",
        message,
        "the side file written next to the report by `newsbench score --out`, unchanged",
        "keep the side files next to the report, as `newsbench score --out` wrote them",
        file=file,
        path=path,
    )


def _counts(rows: np.ndarray) -> bool:
    """Rows of ``(p_num, p_den, r_num, r_den)`` counts, as the inline table's schema asks."""
    return rows.shape[1] == 4 and bool(np.isfinite(rows).all()) and not bool((rows < 0).any())


def load_unit_tables(data: dict[str, Any], report_path: str | Path) -> list[Problem]:
    """Put the per-unit tables that live in a ``.units.npz`` side file back into ``data``.

    Returns every problem (archive missing, digest or shape not as the report says), each
    located at the report's JSON pointer; ``data`` is changed only when there is none.
    """
    referenced = {
        name: data[name]
        for name in TABLES
        if isinstance(data.get(name), dict) and "file" in data[name]
    }
    if not referenced:
        return []
    report_file = str(report_path)
    problems: list[Problem] = []
    loaded: dict[str, dict[str, Any]] = {}
    for name, entry in referenced.items():
        side = _side_path(report_path, str(entry["file"]))
        pointer = f"/{name}/file"
        try:
            _check_regular(side)  # a FIFO would block the hash forever
            digest = sha256_of_files([side])
        except OSError as exc:
            message = f"cannot read {side}: {exc.strerror or exc}"
            problems.append(_side_problem(message, report_file, pointer))
            continue
        if digest != entry.get("sha256"):
            problems.append(
                _side_problem(
                    f"{side} has SHA-256 {digest[:16]}…, the report names "
                    f"{str(entry.get('sha256'))[:16]}…: it is not the file written with it",
                    report_file,
                    f"/{name}/sha256",
                )
            )
            continue
        try:
            with np.load(side, allow_pickle=False) as archive:
                unit_ids = archive[f"{name}.unit_ids"].tolist()
                metrics = {
                    metric: UnitRows(archive[f"{name}.{index}"])
                    for index, metric in enumerate(entry["metrics"])
                }
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            problems.append(
                _side_problem(f"{side} is not a per-unit archive: {exc}", report_file, pointer)
            )
            continue
        if len(unit_ids) != entry.get("unit_ids") or any(
            len(rows) != len(unit_ids) for rows in metrics.values()
        ):
            problems.append(
                _side_problem(
                    f"{side} holds tables of another length than the report's "
                    f"{entry.get('unit_ids')} units",
                    report_file,
                    f"/{name}/unit_ids",
                )
            )
            continue
        bad = [k for k, rows in enumerate(metrics.values()) if not _counts(np.asarray(rows))]
        if bad:
            metric = entry["metrics"][bad[0]]
            problems.append(
                _side_problem(
                    f"{side} holds per-unit counts of {metric!r} that are not finite, "
                    "non-negative numbers in four columns",
                    report_file,
                    f"/{name}/metrics/{bad[0]}",
                )
            )
            continue
        loaded[name] = {
            "unit_ids": unit_ids,
            "columns": entry.get("columns", []),
            "metrics": metrics,
        }
    if not problems:
        data.update(loaded)
    return problems


def _check_regular(path: Path) -> None:
    """Raise ``OSError`` (the file type in words) unless ``path`` is a regular file."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, f"{describe_mode(mode)}, not a regular file: never read")


def read_error_listing(report_path: str | Path) -> list[dict[str, Any]]:
    """The error records of a report written by :func:`write_report`, in report order.

    Raises:
        DataError: the listing cannot be read or is not the one the report names.
    """
    from newsbench.eval.report_schema import read_report

    data = read_report(report_path)
    entry = data.get("error_listing")
    if entry is None:  # a report of format 1 holds its records
        return list(data.get("errors", []))
    side = _side_path(report_path, str(entry["file"]))
    try:
        raw = read_regular_file(side)
    except OSError as exc:
        raise DataError(
            [
                _side_problem(
                    f"cannot read {side}: {exc.strerror or exc}",
                    str(report_path),
                    "/error_listing/file",
                )
            ]
        ) from None
    if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
        raise DataError(
            [
                _side_problem(
                    f"{side} is not the error listing written with the report (SHA-256 differs)",
                    str(report_path),
                    "/error_listing/sha256",
                )
            ]
        )
    return [orjson.loads(line) for line in raw.splitlines()]
