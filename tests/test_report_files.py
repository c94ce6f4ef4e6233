"""A report on disk: the JSON, its error listing and its per-unit archive (report_files)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import newsbench
from newsbench.eval.cli import main
from newsbench.eval.compare import compare_reports
from newsbench.eval.report import plain_report, read_report, write_json
from newsbench.eval.report_files import (
    INLINE_UNIT_LIMIT,
    ReportFiles,
    read_error_listing,
    write_report,
)
from newsbench.eval.unit_rows import UnitRows
from newsbench.schema.io import OutputsLeftChanged, atomic_output, staged_outputs
from newsbench.schema.problems import DataError
from tests.synthetic_files import write_synthetic


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_synthetic(tmp_path_factory.mktemp("report-files"), 24, seed=11, n_chars=600)


@pytest.fixture(scope="module")
def report(files: tuple[Path, Path]) -> dict[str, Any]:
    gold, pred = files
    return newsbench.score(gold, pred, n_resamples=50).data


def _problems(path: Path) -> list[dict[str, Any]]:
    with pytest.raises(DataError) as caught:
        read_report(path)
    return [p.to_dict() for p in caught.value.problems]


def test_side_file_names_follow_the_report_name() -> None:
    assert ReportFiles.of("out/r.json") == ReportFiles(
        Path("out/r.json"), Path("out/r.errors.jsonl"), Path("out/r.units.npz")
    )
    assert ReportFiles.of("r").errors == Path("r.errors.jsonl")
    assert ReportFiles.of("a.b.json").units == Path("a.b.units.npz")


def test_the_error_listing_is_json_lines_next_to_the_report(report, tmp_path: Path) -> None:
    files = write_report(tmp_path / "r.json", report)
    data = json.loads(files.report.read_text("utf-8"))
    assert "errors" not in data
    raw = files.errors.read_bytes()
    assert report["errors"]
    assert data["error_listing"] == {
        "file": "r.errors.jsonl",
        "records": len(report["errors"]),
        "sha256": hashlib.sha256(raw).hexdigest(),
    }
    assert [json.loads(line) for line in raw.splitlines()] == report["errors"]
    assert read_error_listing(files.report) == report["errors"]
    assert not files.units.exists()  # 24 units: the tables stay inline
    assert read_report(files.report) == {
        **{k: v for k, v in plain_report(report).items() if k != "errors"},
        "error_listing": data["error_listing"],
    }


def test_large_tables_leave_the_json_for_a_reproducible_archive(report, tmp_path: Path) -> None:
    first = write_report(tmp_path / "a.json", report, inline_unit_limit=10)
    second = write_report(tmp_path / "b.json", report, inline_unit_limit=10)
    assert first.units.read_bytes() == second.units.read_bytes()  # no timestamps inside
    data = json.loads(first.report.read_text("utf-8"))
    entry = data["unit_statistics"]
    assert entry["file"] == "a.units.npz" and entry["unit_ids"] == 24
    assert entry["metrics"] == list(report["unit_statistics"]["metrics"])
    assert data["document_statistics"]["file"] == "a.units.npz"
    assert entry["sha256"] == hashlib.sha256(first.units.read_bytes()).hexdigest()
    back = read_report(first.report)
    for table in ("unit_statistics", "document_statistics"):
        assert back[table]["unit_ids"] == report[table]["unit_ids"]
        for metric, rows in report[table]["metrics"].items():
            assert isinstance(back[table]["metrics"][metric], UnitRows)
            assert back[table]["metrics"][metric] == rows, metric
    with np.load(first.units, allow_pickle=False) as archive:  # any NumPy reads it
        assert archive["unit_statistics.unit_ids"].tolist() == report["unit_statistics"]["unit_ids"]


def test_the_json_stays_the_same_size_whatever_the_number_of_units(tmp_path: Path) -> None:
    sizes = []
    for n in (30, 90):
        gold, pred = write_synthetic(tmp_path, n, seed=3, n_chars=400)
        data = newsbench.score(gold, pred, n_resamples=20).data
        files = write_report(tmp_path / f"r{n}.json", data, inline_unit_limit=20)
        sizes.append(files.report.stat().st_size)
    assert abs(sizes[1] - sizes[0]) < 0.02 * sizes[0], sizes
    assert INLINE_UNIT_LIMIT == 500


def test_compare_reads_either_form_alike(report, tmp_path: Path) -> None:
    inline = write_report(tmp_path / "inline.json", report).report
    archived = write_report(tmp_path / "archived.json", report, inline_unit_limit=1).report
    a = compare_reports(read_report(inline), read_report(inline), n_resamples=50, seed=1)
    b = compare_reports(read_report(archived), read_report(inline), n_resamples=50, seed=1)
    assert a == b


def test_a_format_1_report_is_still_read(report, tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    write_json(old, {**report, "format": "newsbench-report/1"})
    assert read_report(old)["errors"] == report["errors"]
    assert read_error_listing(old) == report["errors"]


# one test per problem a side file can have


def test_a_missing_archive_is_located(report, tmp_path: Path) -> None:
    files = write_report(tmp_path / "r.json", report, inline_unit_limit=1)
    files.units.unlink()
    problems = _problems(files.report)
    assert {p["path"] for p in problems} == {"/unit_statistics/file", "/document_statistics/file"}
    assert all("cannot read" in p["message"] and p["code"] == "report-side-file" for p in problems)
    assert "keep the side files next to the report" in problems[0]["fix"]


def test_an_archive_not_written_with_the_report_is_located(report, tmp_path: Path) -> None:
    files = write_report(tmp_path / "r.json", report, inline_unit_limit=1)
    files.units.write_bytes(files.units.read_bytes() + b"x")
    problems = _problems(files.report)
    assert problems[0]["path"] == "/unit_statistics/sha256"
    assert "it is not the file written with it" in problems[0]["message"]


def _rewrite_archive(files: ReportFiles, content: bytes) -> None:
    """Replace the archive and make the report name its digest (as a careless edit would)."""
    files.units.write_bytes(content)
    data = json.loads(files.report.read_text("utf-8"))
    digest = hashlib.sha256(content).hexdigest()
    data["unit_statistics"]["sha256"] = data["document_statistics"]["sha256"] = digest
    files.report.write_text(json.dumps(data), "utf-8")


def test_an_archive_that_is_not_one_is_located(report, tmp_path: Path) -> None:
    files = write_report(tmp_path / "r.json", report, inline_unit_limit=1)
    _rewrite_archive(files, b"not a zip file")
    problems = _problems(files.report)
    assert problems[0]["path"] == "/unit_statistics/file"
    assert "is not a per-unit archive" in problems[0]["message"]


def test_an_archive_of_another_length_is_located(report, tmp_path: Path) -> None:
    files = write_report(tmp_path / "r.json", report, inline_unit_limit=1)
    shorter = {
        name: {**report[name], "unit_ids": report[name]["unit_ids"][:3]}
        for name in ("unit_statistics", "document_statistics")
    }
    other = write_report(tmp_path / "o.json", {**report, **shorter}, inline_unit_limit=1)
    _rewrite_archive(files, other.units.read_bytes())
    problems = _problems(files.report)
    assert problems[0]["path"] == "/unit_statistics/unit_ids"
    assert "holds tables of another length" in problems[0]["message"]


def test_counts_that_are_not_counts_are_located(report, tmp_path: Path) -> None:
    files = write_report(tmp_path / "r.json", report, inline_unit_limit=1)
    table = report["unit_statistics"]
    name = sorted(table["metrics"])[2]
    poisoned = np.array(np.asarray(table["metrics"][name]))
    poisoned[0, 1] = np.nan
    metrics = {**table["metrics"], name: UnitRows(poisoned)}
    other = write_report(
        tmp_path / "o.json",
        {**report, "unit_statistics": {**table, "metrics": metrics}},
        inline_unit_limit=1,
    )
    _rewrite_archive(files, other.units.read_bytes())
    problems = _problems(files.report)
    index = list(table["metrics"]).index(name)
    assert problems[0]["path"] == f"/unit_statistics/metrics/{index}"
    assert "that are not finite, non-negative numbers in four columns" in problems[0]["message"]


def test_a_side_file_named_by_a_path_breaks_the_contract(report, tmp_path: Path) -> None:
    files = write_report(tmp_path / "r.json", report, inline_unit_limit=1)
    data = json.loads(files.report.read_text("utf-8"))
    data["unit_statistics"]["file"] = "../elsewhere.npz"
    data["error_listing"]["file"] = "/etc/passwd"
    files.report.write_text(json.dumps(data), "utf-8")
    paths = {p["path"] for p in _problems(files.report)}
    assert {"/unit_statistics", "/error_listing/file"} <= paths


def test_a_missing_error_listing_is_located(report, tmp_path: Path) -> None:
    files = write_report(tmp_path / "r.json", report)
    files.errors.unlink()
    read_report(files.report)  # the scores do not need the listing
    with pytest.raises(DataError) as caught:
        read_error_listing(files.report)
    problem = caught.value.problems[0].to_dict()
    assert problem["path"] == "/error_listing/file" and "cannot read" in problem["message"]


def test_an_error_listing_not_written_with_the_report_is_located(report, tmp_path: Path) -> None:
    files = write_report(tmp_path / "r.json", report)
    files.errors.write_bytes(files.errors.read_bytes()[:-200])
    with pytest.raises(DataError) as caught:
        read_error_listing(files.report)
    problem = caught.value.problems[0].to_dict()
    assert problem["path"] == "/error_listing/sha256"
    assert "is not the error listing written with the report" in problem["message"]


# the command line


def test_score_writes_the_three_files_and_the_gate_reads_them(files, tmp_path: Path) -> None:
    gold, pred = files
    out = tmp_path / "r.json"
    argv = ["score", "--gold", str(gold), "--pred", str(pred), "--out", str(out)]
    assert main([*argv, "--resamples", "20"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.errors.jsonl", "r.json"]
    assert main(["gate", str(out), "--fail-under", "entities.strict.f1=0.01"]) == 0


@pytest.mark.parametrize("side", ["errors", "units"])
def test_a_side_file_is_checked_like_any_output(files, side: str, tmp_path: Path, capsys) -> None:
    gold, pred = files
    folder = tmp_path / "w"
    folder.mkdir()
    out = folder / "pred.json"
    clash = ReportFiles.of(out)
    victim = getattr(clash, side)
    os.link(pred, victim)  # the side file would be the prediction file
    before = pred.read_bytes()
    argv = ["score", "--gold", str(gold), "--pred", str(pred), "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"--out (its side file) {victim} would overwrite the input --pred" in err, err
    assert pred.read_bytes() == before and not out.exists()


def test_a_side_file_that_is_a_folder_is_refused(files, tmp_path: Path, capsys) -> None:
    gold, pred = files
    out = tmp_path / "r.json"
    ReportFiles.of(out).errors.mkdir()
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "r.errors.jsonl is a directory; an output must be a regular file" in err, err
    assert not out.exists()


def _report_bytes(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir())}


@pytest.mark.parametrize("stage", ["errors", "tables", "json"])
def test_an_interrupted_write_leaves_the_previous_report_whole(
    report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    import newsbench.eval.report as report_module
    import newsbench.eval.report_files as report_files

    path = tmp_path / "r.json"
    write_report(path, report, inline_unit_limit=0)
    before = _report_bytes(path)
    assert set(before) == {"r.json", "r.errors.jsonl", "r.units.npz"}

    def interrupt(*_: object, **__: object) -> Any:
        raise KeyboardInterrupt

    if stage == "errors":
        monkeypatch.setattr(report_files, "record_chunks", interrupt)
    elif stage == "tables":
        monkeypatch.setattr(report_files, "_npy_bytes", interrupt)
    else:
        monkeypatch.setattr(report_module, "_stream", interrupt)
        monkeypatch.setattr(report_module, "_standard_bytes", interrupt)
    _another_run_fails(path, report, KeyboardInterrupt)
    assert _report_bytes(path) == before  # no file replaced, no temporary file left


def test_an_interrupt_while_the_files_are_renamed_waits_for_the_last(
    report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.json"
    write_report(path, report, inline_unit_limit=0)
    replace = os.replace
    renamed: list[str] = []

    def replace_then_interrupt(source: str, target: str) -> None:
        replace(source, target)
        renamed.append(Path(target).name)
        if len(renamed) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C after the first rename

    monkeypatch.setattr(os, "replace", replace_then_interrupt)
    other = {**report, "errors": report["errors"][:3]}
    with pytest.raises(KeyboardInterrupt):
        write_report(path, other, inline_unit_limit=0)
    assert renamed == ["r.errors.jsonl", "r.units.npz", "r.json"]
    assert len(read_error_listing(path)) == 3  # the new report, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.errors.jsonl", "r.json", "r.units.npz"]


_TERMINATED_WHILE_RENAMING = """
import os, signal, sys
from newsbench.schema.io import atomic_output, staged_outputs
folder = sys.argv[1]
replace = os.replace
def replace_then_terminate(source, target):
    replace(source, target)
    os.kill(os.getpid(), signal.SIGTERM)
os.replace = replace_then_terminate
with staged_outputs() as stage:
    for name in ("a", "b"):
        with atomic_output(os.path.join(folder, name), "w", stage=stage) as handle:
            handle.write("new")
print("not reached")
"""


def test_sigterm_while_the_files_are_renamed_terminates_after_the_last(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).write_text("old")
    done = subprocess.run(
        [sys.executable, "-c", _TERMINATED_WHILE_RENAMING, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == -signal.SIGTERM, done.stderr
    assert "not reached" not in done.stdout
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {"a": "new", "b": "new"}


def test_a_report_written_through_a_link_keeps_its_side_files_next_to_the_target(
    report, tmp_path: Path, files: tuple[Path, Path]
) -> None:
    runs, links = tmp_path / "runs", tmp_path / "links"
    runs.mkdir()
    links.mkdir()
    (links / "r.json").symlink_to(runs / "r.json")
    written = write_report(links / "r.json", report, inline_unit_limit=0)
    assert sorted(p.name for p in runs.iterdir()) == ["r.errors.jsonl", "r.json", "r.units.npz"]
    assert [p.name for p in links.iterdir()] == ["r.json"] and (links / "r.json").is_symlink()
    assert written.errors == runs / "r.errors.jsonl"
    for path in (links / "r.json", runs / "r.json"):  # read through the link or not
        assert len(read_error_listing(path)) == len(report["errors"])
        assert (
            read_report(path)["unit_statistics"]["unit_ids"]
            == report["unit_statistics"]["unit_ids"]
        )
    gold, pred = files  # the command checks the side files where they will be written
    named = tmp_path / "g.errors.jsonl"  # a gold that is the side file of g.json
    named.write_bytes(gold.read_bytes())
    (links / "out.json").symlink_to(tmp_path / "g.json")
    args = ["score", "--gold", str(named), "--pred", str(pred), "--out", str(links / "out.json")]
    assert main(args) == 2
    assert named.read_bytes() == gold.read_bytes()


def test_side_files_next_to_the_link_are_still_found(report, tmp_path: Path) -> None:
    """Reports written through a link before the side files followed the link."""
    runs, links = tmp_path / "runs", tmp_path / "links"
    runs.mkdir()
    links.mkdir()
    write_report(runs / "r.json", report, inline_unit_limit=0)
    (links / "latest.json").symlink_to(runs / "r.json")
    for suffix in (".errors.jsonl", ".units.npz"):  # as the earlier versions placed them
        (runs / f"r{suffix}").rename(links / f"latest{suffix}")
    data = json.loads((runs / "r.json").read_text("utf-8"))
    data["error_listing"]["file"] = "latest.errors.jsonl"
    for table in data.values():
        if isinstance(table, dict) and table.get("file") == "r.units.npz":
            table["file"] = "latest.units.npz"
    (runs / "r.json").write_text(json.dumps(data), "utf-8")
    assert len(read_error_listing(links / "latest.json")) == len(report["errors"])
    assert (
        read_report(links / "latest.json")["unit_statistics"]["unit_ids"]
        == report["unit_statistics"]["unit_ids"]
    )


def test_a_signal_while_the_handlers_are_restored_leaves_none_swapped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsbench.schema import io as schema_io

    real = signal.signal
    names = [n for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]
    before = {name: signal.getsignal(getattr(signal, name)) for name in names}
    sent = []

    def restore_then_interrupt(number: int, handler: Any) -> Any:
        replaced = real(number, handler)
        if number == signal.SIGINT and handler is before["SIGINT"] and len(sent) == 0:
            sent.append(number)  # Ctrl-C just after the first handler is put back
            os.kill(os.getpid(), signal.SIGINT)
        return replaced

    monkeypatch.setattr(schema_io.signal, "signal", restore_then_interrupt)
    with (
        pytest.raises(KeyboardInterrupt),
        schema_io.staged_outputs() as stage,
        schema_io.atomic_output(tmp_path / "a", "w", stage=stage) as handle,
    ):
        handle.write("new")
    monkeypatch.undo()
    assert sent == [signal.SIGINT]
    assert {name: signal.getsignal(getattr(signal, name)) for name in names} == before
    assert (tmp_path / "a").read_text() == "new"


def test_every_signal_held_is_handed_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    replace = os.replace

    def replace_after_two_signals(source: str, target: str) -> None:
        replace(source, target)
        os.kill(os.getpid(), signal.SIGHUP)  # ignored, as under nohup
        os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        monkeypatch.setattr(os, "replace", replace_after_two_signals)
        with (
            pytest.raises(KeyboardInterrupt),
            staged_outputs() as stage,
            atomic_output(tmp_path / "a", "w", stage=stage) as handle,
        ):
            handle.write("new")
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert (tmp_path / "a").read_text() == "new"


def test_a_signal_held_is_handed_on_when_a_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replace = os.replace
    calls: list[str] = []

    def interrupt_then_fail(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)
            replace(source, target)
        else:
            raise OSError(28, "No space left on device", target)

    monkeypatch.setattr(os, "replace", interrupt_then_fail)
    with pytest.raises(KeyboardInterrupt) as caught, staged_outputs() as stage:
        for name in ("a", "b"):
            with atomic_output(tmp_path / name, "w", stage=stage) as handle:
                handle.write("new")
    assert isinstance(caught.value.__context__, OSError)  # the failed rename, not lost
    assert list(tmp_path.iterdir()) == []  # "a" was new: removed again; no temporary file left


def _another_run_fails(path: Path, report: dict[str, Any], failure: type[BaseException]) -> Any:
    """Write another run's report over ``path``, which must fail with ``failure``; the
    first report must still be whole afterwards. Returns what was raised."""
    with pytest.raises(failure) as caught:
        write_report(path, {**report, "errors": report["errors"][:3]}, inline_unit_limit=0)
    assert len(read_error_listing(path)) == len(report["errors"])
    return caught


def _fail_on(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """Make renaming a temporary file onto ``name`` fail (a full disk); list the renames."""
    replace = os.replace
    renamed: list[str] = []

    def replace_or_fail(source: str, target: str) -> None:
        if Path(target).name == name and Path(source).suffix == ".tmp":
            raise OSError(28, "No space left on device", source, None, str(target))
        replace(source, target)
        renamed.append(Path(target).name)

    monkeypatch.setattr(os, "replace", replace_or_fail)
    return renamed


def _scored_once(files: tuple[Path, Path], tmp_path: Path) -> tuple[list[str], Path]:
    """Score once into ``tmp_path / "r.json"``; the command line (without --out) and it."""
    gold, pred = files
    out = tmp_path / "r.json"
    args = ["score", "--gold", str(gold), "--pred", str(pred), "--resamples", "10"]
    assert main([*args, "--out", str(out)]) == 0
    return args, out


def _refuse_hard_links(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", refuse)


def test_a_rename_that_fails_puts_back_the_files_already_renamed(
    report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.json"
    write_report(path, report, inline_unit_limit=0)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    renamed = _fail_on(monkeypatch, "r.json")  # the side files are renamed, then the report fails
    caught = _another_run_fails(path, report, OSError)
    assert type(caught.value) is OSError
    assert str(caught.value) == f"[Errno 28] No space left on device: '{path}'"  # no .tmp name
    assert renamed[:2] == ["r.errors.jsonl", "r.units.npz"]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing else left


def test_without_hard_links_the_outputs_left_new_are_named(
    report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.json"
    write_report(path, report, inline_unit_limit=0)
    before = path.read_bytes()
    _refuse_hard_links(monkeypatch)
    _fail_on(monkeypatch, "r.json")
    with pytest.raises(OutputsLeftChanged) as caught:
        write_report(path, {**report, "errors": report["errors"][:3]}, inline_unit_limit=0)
    assert caught.value.filename == str(path) and caught.value.errno == 28
    assert caught.value.unrestored == tuple(
        f"{tmp_path / name} is new: its previous contents could not be kept "
        "(the file system refused a hard link)"
        for name in ("r.units.npz", "r.errors.jsonl")
    )
    assert str(caught.value).startswith(f"[Errno 28] No space left on device: '{path}'; ")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.errors.jsonl", "r.json", "r.units.npz"]


def test_a_previous_file_that_cannot_be_put_back_is_kept_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").write_text("old")
    replace = os.replace

    def fail_then_fail_to_restore(source: str, target: str) -> None:
        if Path(target).name == "b" or Path(source).suffix == ".old":
            raise OSError(5, "Input/output error", source, None, str(target))
        replace(source, target)

    monkeypatch.setattr(os, "replace", fail_then_fail_to_restore)
    with pytest.raises(OutputsLeftChanged) as caught, staged_outputs() as stage:
        for name in ("a", "b"):
            with atomic_output(tmp_path / name, "w", stage=stage) as handle:
                handle.write("new")
    (kept,) = (p for p in tmp_path.iterdir() if p.name != "a")  # the only copy: never removed
    assert kept.name.startswith(".a.") and kept.name.endswith(".old")
    assert kept.read_text() == "old" and (tmp_path / "a").read_text() == "new"
    assert caught.value.unrestored == (
        f"{tmp_path / 'a'} is new (Input/output error when putting it back): "
        f"its previous contents are in {kept}",
    )


def test_a_new_output_that_cannot_be_removed_again_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_on(monkeypatch, "b")

    unlink = os.unlink

    def refuse(path: Any) -> None:
        if Path(path).name == "a":
            raise OSError(13, "Permission denied", str(path))
        unlink(path)

    with pytest.raises(OutputsLeftChanged) as caught, staged_outputs() as stage:
        for name in ("a", "b"):
            with atomic_output(tmp_path / name, "w", stage=stage) as handle:
                handle.write("new")
        monkeypatch.setattr(os, "unlink", refuse)
    monkeypatch.undo()
    assert caught.value.unrestored == (
        f"{tmp_path / 'a'} is new and could not be removed: Permission denied",
    )


def test_a_temporary_file_that_cannot_be_removed_does_not_hide_the_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_on(monkeypatch, "a")

    def refuse(path: Any) -> None:
        raise OSError(13, "Permission denied", str(path))

    with pytest.raises(OSError, match="No space left on device"), staged_outputs() as stage:
        for name in ("a", "b"):
            with atomic_output(tmp_path / name, "w", stage=stage) as handle:
                handle.write("new")
        monkeypatch.setattr(os, "unlink", refuse)
    monkeypatch.undo()
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".tmp", ".tmp"]  # they stay


def test_a_target_staged_twice_is_put_back_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").write_text("old")
    _fail_on(monkeypatch, "b")
    with pytest.raises(OSError) as caught, staged_outputs() as stage:
        for name in ("a", "a", "b"):
            with atomic_output(tmp_path / name, "w", stage=stage) as handle:
                handle.write("new")
    assert type(caught.value) is OSError  # not OutputsLeftChanged: everything was put back
    assert [(p.name, p.read_text()) for p in tmp_path.iterdir()] == [("a", "old")]


def test_the_second_name_of_a_previous_file_never_touches_a_file_that_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsbench.schema import io as schema_io

    (tmp_path / "a").write_text("old")
    (tmp_path / ".a.taken.old").write_text("somebody else's")
    names = iter(["taken", "free"])
    monkeypatch.setattr(schema_io.secrets, "token_hex", lambda _: next(names))
    _fail_on(monkeypatch, "b")
    with pytest.raises(OSError), staged_outputs() as stage:
        for name in ("a", "b"):
            with atomic_output(tmp_path / name, "w", stage=stage) as handle:
                handle.write("new")
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {
        "a": "old",
        ".a.taken.old": "somebody else's",
    }


def test_a_second_name_that_cannot_be_removed_does_not_fail_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").write_text("old")
    unlink = os.unlink

    def refuse_old(path: Any) -> None:
        if str(path).endswith(".old"):
            raise OSError(5, "Input/output error", str(path))
        unlink(path)

    monkeypatch.setattr(os, "unlink", refuse_old)
    with staged_outputs() as stage, atomic_output(tmp_path / "a", "w", stage=stage) as handle:
        handle.write("new")
    assert (tmp_path / "a").read_text() == "new"


def test_the_command_keeps_the_previous_report_whole_when_a_rename_fails(
    files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    args, out = _scored_once(files, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    _fail_on(monkeypatch, "r.json")
    capsys.readouterr()
    assert main([*args, "--seed", "7", "--out", str(out)]) == 2
    assert capsys.readouterr().err.splitlines()[1:] == [
        f"newsbench: error: cannot write the report: [Errno 28] No space left on device: '{out}'"
    ]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_the_command_names_an_output_it_could_not_put_back(
    files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    args, out = _scored_once(files, tmp_path)
    _refuse_hard_links(monkeypatch)
    _fail_on(monkeypatch, "r.json")
    capsys.readouterr()
    assert main([*args, "--seed", "7", "--out", str(out)]) == 2
    assert capsys.readouterr().err.splitlines()[1:] == [
        "newsbench: error: cannot write the report: [Errno 28] No space left on device: "
        f"'{out}'; {tmp_path / 'r.errors.jsonl'} is new: its previous contents could not be "
        "kept (the file system refused a hard link)"
    ]


def test_an_interrupt_after_a_failed_write_names_what_was_left_new(
    files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    args, out = _scored_once(files, tmp_path)
    _refuse_hard_links(monkeypatch)
    replace = os.replace

    def interrupt_then_fail(source: str, target: str) -> None:
        if Path(target).name == "r.json":
            os.kill(os.getpid(), signal.SIGINT)  # held back until the failure has propagated
            raise OSError(28, "No space left on device", source, None, target)
        replace(source, target)

    monkeypatch.setattr(os, "replace", interrupt_then_fail)
    capsys.readouterr()
    assert main([*args, "--seed", "7", "--out", str(out)]) == 130
    assert capsys.readouterr().err.splitlines() == [
        f"newsbench: interrupted by SIGINT after a write failed: "
        f"[Errno 28] No space left on device: '{out}'",
        f"newsbench: error: {tmp_path / 'r.errors.jsonl'} is new: its previous contents could "
        "not be kept (the file system refused a hard link)",
    ]


def test_an_os_error_outside_the_checks_is_named_with_what_it_left_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from newsbench.eval import cli

    def refuse(*_: Any, **__: Any) -> None:
        failure = OSError(5, "Input/output error", str(tmp_path / "r.json"))
        raise OutputsLeftChanged(failure, [f"{tmp_path / 'r.errors.jsonl'} is new: x"])

    monkeypatch.setattr(cli, "check_declared_paths", refuse)
    assert main(["score", "--gold", "g", "--pred", "p"]) == 2
    assert capsys.readouterr().err.splitlines()[1:] == [
        f"newsbench: error: cannot access {tmp_path / 'r.json'}: Input/output error",
        f"newsbench: error: {tmp_path / 'r.errors.jsonl'} is new: x",
    ]


def test_a_target_turned_into_a_directory_before_the_renames_changes_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "a").write_text("old")
    with pytest.raises(OSError) as caught, staged_outputs() as stage:
        for name in ("a", "b"):
            with atomic_output(tmp_path / name, "w", stage=stage) as handle:
                handle.write("new")
        (tmp_path / "b").mkdir()  # after it was checked, before the commit
    assert caught.value.filename == str(tmp_path / "b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]
    assert (tmp_path / "a").read_text() == "old" and (tmp_path / "b").is_dir()


def test_a_failed_rename_names_the_output_not_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_on(monkeypatch, "a.json")
    with pytest.raises(OSError) as caught:
        write_json(tmp_path / "a.json", {"a": 1})
    assert str(caught.value) == f"[Errno 28] No space left on device: '{tmp_path / 'a.json'}'"
    assert list(tmp_path.iterdir()) == []


def test_an_inline_table_with_a_row_missing_is_a_located_problem(
    report, tmp_path: Path, capsys
) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_report(a, report)
    data = json.loads(a.read_text("utf-8"))
    metric = next(iter(data["unit_statistics"]["metrics"]))
    data["unit_statistics"]["metrics"][metric].pop()  # still valid under the JSON Schema
    b.write_text(json.dumps(data), "utf-8")
    (tmp_path / "b.errors.jsonl").write_bytes((tmp_path / "a.errors.jsonl").read_bytes())
    assert _problems(b) == [
        {
            "code": "report-invalid",
            "message": "23 row(s) for 24 unit(s): a table holds one row per unit",
            "expected": "a report written by `newsbench score --out` (format "
            "newsbench-report/2), every score a finite number in [0, 1]",
            "fix": "score the system again with `newsbench score --out`; do not edit reports",
            "file": str(b),
            "line": None,
            "document": None,
            "path": f"/unit_statistics/metrics/{metric}",
        }
    ]
    assert main(["compare", str(a), str(b), "--resamples", "20"]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_a_side_file_that_is_a_fifo_is_never_read_by_the_api(report, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    write_report(path, report, inline_unit_limit=0)
    for suffix in (".units.npz", ".errors.jsonl"):
        side = tmp_path / f"r{suffix}"
        side.unlink()
        os.mkfifo(side)
        with pytest.raises(DataError) as caught:
            read_error_listing(path)  # reads the report (and its tables), then the listing
        messages = {problem.message for problem in caught.value.problems}  # one per table
        assert messages == {
            f"cannot read {side}: a FIFO (named pipe), not a regular file: never read"
        }
        side.unlink()
        write_report(path, report, inline_unit_limit=0)
