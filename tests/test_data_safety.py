"""Nothing an input or the gold holds is lost, and no gate decides on a bad number.

Two tables drive most of this file:

* :data:`PATH_CASES`: every command's every output flag aimed at one of its inputs, at
  the gold, at a device behind a symbolic link and at a FIFO; every command's inputs
  given as a FIFO or a device. Each case asserts exit 2, the flag and path named in the
  message, and that nothing was written or changed.
* :data:`REPORT_CASES`: stored reports with numbers that are not numbers (NaN, strings,
  booleans, null, lists, out of [0, 1]) given to ``gate``, ``compare`` and ``plot``:
  each asserts exit 1, the problem code and the JSON pointer that locates it.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsbench.eval.cli import main
from newsbench.eval.gate import assert_scores, check_gate, signature_differences
from newsbench.eval.report import read_report, render_errors, terminal_safe, write_json
from newsbench.schema.io import write_jsonl
from newsbench.schema.paths import PathArgument, PathError, check_paths, gold_folders
from newsbench.schema.problems import DataError

REPO = Path(__file__).resolve().parent.parent
GOLD_JSONL = REPO / "corpus" / "data" / "validation.jsonl"
GOLD_ANN = REPO / "corpus" / "gold" / "validation" / "000_b245f45723a17301.ann"
SEED = REPO / "seeds" / "000_b245f45723a17301.txt"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def work(tmp_path: Path, mini_record: dict[str, Any]) -> dict[str, Path]:
    """A gold file, a prediction file, a report, a FIFO and a link to /dev/null."""
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    write_jsonl(gold, [mini_record])
    keep = ("id", "start", "end", "text", "type")
    write_jsonl(
        pred,
        [
            {
                "id": mini_record["id"],
                "text": mini_record["text"],
                "mentions": [{k: m[k] for k in keep} for m in mini_record["mentions"]],
            }
        ],
    )
    report = tmp_path / "report.json"
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--out", str(report),
                 "--resamples", "20"]) == 0  # fmt: skip
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    null_link = tmp_path / "null-link"
    null_link.symlink_to("/dev/null")
    return {"gold": gold, "pred": pred, "report": report, "fifo": fifo, "null": null_link,
            "dir": tmp_path}  # fmt: skip


# --- output paths ---------------------------------------------------------------------

# Every output flag of every command, with the command line that reaches it. {gold},
# {pred}, {report} are inputs of the fixture; {OUT} is the output under test.
OUTPUTS: dict[str, tuple[str, list[str], str]] = {
    # name: (flag, argv, the input the flag is aimed at in the "is an input" case)
    "score --out": ("--out", ["score", "--gold", "{gold}", "--pred", "{pred}", "--out", "{OUT}"],
                    "pred"),
    "score --markdown": ("--markdown",
                         ["score", "--gold", "{gold}", "--pred", "{pred}", "--markdown", "{OUT}"],
                         "gold"),
    "score --html": ("--html",
                     ["score", "--gold", "{gold}", "--pred", "{pred}", "--html", "{OUT}"], "pred"),
    "score --out onto --baseline": (
        "--out",
        ["score", "--gold", "{gold}", "--pred", "{pred}", "--out", "{OUT}", "--baseline",
         "{report}", "--max-drop", "0.01"],
        "report",
    ),
    "run --out": ("--out", ["run", "floor", "--gold", "{gold}", "--out", "{OUT}"], "gold"),
    "show --out": ("--out", ["show", "{gold}", "--out", "{OUT}"], "gold"),
    "export --out": ("--out", ["export", "--format", "brat", "{gold}", "--out", "{OUT}"], "gold"),
    "import --out": ("--out", ["import", "--format", "labelstudio", "{pred}", "--out", "{OUT}"],
                     "pred"),
    "plot --out": ("--out", ["plot", "{report}", "--out", "{OUT}"], "report"),
    "bench --out-dir": ("--out-dir", ["bench", "--only", "floor", "--out-dir", "{OUT}"], None),
    "perturb --out-dir": ("--out-dir", ["perturb", "--gold", "{gold}", "--out-dir", "{OUT}"],
                          None),
}  # fmt: skip


@dataclass(frozen=True)
class PathCase:
    name: str
    argv: list[str]
    words: tuple[str, ...]
    untouched: Callable[[dict[str, Path]], list[Path]]


def _fill(argv: list[str], work: dict[str, Path], out: str) -> list[str]:
    values = {f"{{{k}}}": str(v) for k, v in work.items()}
    values["{OUT}"] = out
    filled = [values.get(a, a) for a in argv]
    return [a.replace("{dir}", str(work["dir"])) for a in filled]


def _path_cases() -> list[tuple[str, str, str, str | None]]:
    cases = []
    for name, (flag, _, aimed) in OUTPUTS.items():
        if aimed is not None:
            cases.append((f"{name} is an input", name, "input", aimed))
        cases.append((f"{name} in corpus/data", name, "gold-data", None))
        cases.append((f"{name} in corpus/gold", name, "gold-source", None))
        cases.append((f"{name} in seeds", name, "seeds", None))
        if flag != "--out-dir" and name not in {"export --out", "plot --out"}:
            cases.append((f"{name} -> /dev/null link", name, "null", None))
            cases.append((f"{name} is a FIFO", name, "fifo", None))
    return cases


PATH_CASES = _path_cases()


@pytest.mark.parametrize(("label", "name", "target", "aimed"), PATH_CASES,
                         ids=[c[0] for c in PATH_CASES])  # fmt: skip
def test_an_output_never_replaces_an_input_the_gold_or_a_special_file(
    label: str, name: str, target: str, aimed: str | None, work: dict[str, Path], capsys: Any
) -> None:
    flag, argv, _ = OUTPUTS[name]
    out = {
        "input": str(work[aimed]) if aimed else "",
        "gold-data": str(GOLD_JSONL),
        "gold-source": str(REPO / "corpus" / "gold"),
        "seeds": str(REPO / "seeds" / "x.out"),
        "null": str(work["null"]),
        "fifo": str(work["fifo"]),
    }[target]
    watched = [work["gold"], work["pred"], work["report"], GOLD_JSONL, GOLD_ANN, SEED]
    before = {p: _digest(p) for p in watched}
    listing = sorted(p.name for p in work["dir"].iterdir())

    code = main(_fill(argv, work, out))

    err = capsys.readouterr().err
    assert code == 2, err
    expected = {
        "input": "would overwrite the input",
        "gold-data": "is inside the gold",
        "gold-source": "is inside the gold",
        "seeds": "is inside the gold",
        "null": "is a character device; an output must be",
        "fifo": "is a FIFO (named pipe); an output must be",
    }[target]
    assert f"newsbench: error: {flag} {out}" in err and expected in err, err
    assert {p: _digest(p) for p in watched} == before
    assert sorted(p.name for p in work["dir"].iterdir()) == listing
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert stat.S_ISFIFO(os.stat(work["fifo"]).st_mode)


FOLDER_OUTPUTS = ["export --out", "plot --out", "bench --out-dir", "perturb --out-dir"]
LINK_CASES = [
    (f"{name}: a link inside to {target}", name, target)
    for name in FOLDER_OUTPUTS
    for target in ("input", "gold", "fifo")
    if target != "input" or OUTPUTS[name][2] or name == "perturb --out-dir"
]


@pytest.mark.parametrize(("label", "name", "target"), LINK_CASES, ids=[c[0] for c in LINK_CASES])
def test_a_link_inside_an_output_folder_never_leads_to_an_input_the_gold_or_a_special_file(
    label: str, name: str, target: str, work: dict[str, Path], capsys: Any
) -> None:
    flag, argv, aimed = OUTPUTS[name]
    folder = work["dir"] / "out"
    (folder / "deeper").mkdir(parents=True)
    leads_to = {"input": work[aimed or "gold"], "gold": GOLD_JSONL, "fifo": work["fifo"]}[target]
    link = folder / "deeper" / "some.file"
    link.symlink_to(leads_to)
    watched = [work["gold"], work["pred"], work["report"], GOLD_JSONL]
    before = {p: _digest(p) for p in watched}

    assert main(_fill(argv, work, str(folder))) == 2

    err = capsys.readouterr().err
    expected = {
        "input": f"would overwrite the input {'--gold' if aimed is None else ''}",
        "gold": f"{link} is a link into the gold",
        "fifo": f"{link} is a link to a FIFO (named pipe)",
    }[target]
    assert f"newsbench: error: {flag} {folder}" in err and expected in err, err
    if target == "input":
        assert f"({link} is a link to {leads_to})" in err
    assert {p: _digest(p) for p in watched} == before
    assert sorted(p.name for p in folder.rglob("*")) == ["deeper", "some.file"]


def test_a_link_inside_an_input_folder_is_an_input(work: dict[str, Path], capsys: Any) -> None:
    folder = work["dir"] / "brat"
    assert main(["export", "--format", "brat", str(work["gold"]), "--out", str(folder)]) == 0
    out = work["dir"] / "o.jsonl"
    out.write_text("")
    (folder / "extra.ann").symlink_to(out)
    assert main(["import", "--format", "brat", str(folder), "--out", str(out)]) == 2
    assert (
        f"--out {out} would overwrite the input INPUT {folder} ({folder / 'extra.ann'} is a "
        f"link to {out})" in capsys.readouterr().err
    )
    assert out.read_text() == ""


@pytest.mark.parametrize("suffix", [".errors.jsonl", ".units.npz"])
@pytest.mark.parametrize(
    "argv",
    [
        ["score", "--gold", "{gold}", "--pred", "{pred}", "--baseline", "{report}",
         "--max-drop", "0.5", "--out", "{OUT}"],
        ["score", "--gold", "{gold}", "--pred", "{pred}", "--baseline", "{report}",
         "--max-drop", "0.5", "--markdown", "{OUT}"],
        ["robustness", "{report}", "{report}", "--out", "{OUT}"],
    ],
    ids=["score --out", "score --markdown", "robustness --out"],
)  # fmt: skip
def test_an_output_never_replaces_a_side_file_of_an_input_report(
    argv: list[str], suffix: str, work: dict[str, Path], capsys: Any
) -> None:
    side = work["dir"] / f"report{suffix}"
    side.write_bytes(b"kept")
    assert main(_fill(argv, work, str(side))) == 2
    assert "would overwrite the input" in capsys.readouterr().err
    assert side.read_bytes() == b"kept"


@pytest.mark.parametrize(
    "argv",
    [
        ["gate", "{report}", "--fail-under", "entities.strict.f1=0.1"],
        ["gate", "{pred}", "--baseline", "{report}", "--max-drop", "0.1"],
        ["compare", "{report}", "{report}"],
        ["plot", "{report}", "--out", "{dir}/plots"],
    ],
    ids=["gate REPORT", "gate --baseline", "compare A", "plot REPORT"],
)
def test_a_side_file_of_an_input_report_that_is_a_fifo_is_never_read(
    argv: list[str], work: dict[str, Path], capsys: Any
) -> None:
    side = work["dir"] / "report.units.npz"
    os.mkfifo(side)
    started = time.monotonic()
    assert main(_fill(argv, work, "")) == 2
    assert time.monotonic() - started < 30
    assert f"(its side file) {side} is a FIFO (named pipe)" in capsys.readouterr().err


def test_two_outputs_of_one_command_never_share_a_path(work: dict[str, Path], capsys: Any):
    out = work["dir"] / "same.out"
    argv = ["score", "--gold", str(work["gold"]), "--pred", str(work["pred"]),
            "--out", str(out), "--html", str(out)]  # fmt: skip
    assert main(argv) == 2
    assert f"--out {out} and --html {out} name the same place" in capsys.readouterr().err
    assert not out.exists()


def test_a_hard_link_to_an_input_is_the_input(work: dict[str, Path], capsys: Any) -> None:
    link = work["dir"] / "hard.jsonl"
    os.link(work["pred"], link)
    before = _digest(work["pred"])
    argv = ["score", "--gold", str(work["gold"]), "--pred", str(work["pred"]), "--out", str(link)]
    assert main(argv) == 2
    assert "would overwrite the input --pred" in capsys.readouterr().err
    assert _digest(work["pred"]) == before


def test_a_symbolic_link_to_an_input_is_the_input(work: dict[str, Path], capsys: Any) -> None:
    link = work["dir"] / "soft.jsonl"
    link.symlink_to(work["gold"])
    argv = ["run", "floor", "--gold", str(work["gold"]), "--out", str(link)]
    assert main(argv) == 2
    assert "would overwrite the input --gold" in capsys.readouterr().err


def test_an_output_folder_holding_an_input_is_refused(work: dict[str, Path], capsys: Any):
    argv = ["export", "--format", "brat", str(work["gold"]), "--out", str(work["dir"])]
    assert main(argv) == 2
    assert "would overwrite the input FILE" in capsys.readouterr().err


def test_build_corpus_may_write_the_gold_but_never_over_its_own_source(
    tmp_path: Path, capsys: Any
) -> None:
    from newsbench.corpus.build import main as build_main

    assert build_main(["--source", str(GOLD_ANN), "--out", str(GOLD_ANN)]) == 2
    assert "would overwrite the input --source" in capsys.readouterr().err
    assert build_main(["--check"]) == 0  # the one writer of the gold may name it


def test_agreement_json_output_is_checked(tmp_path: Path) -> None:
    from newsbench.corpus.agreement import main as agreement_main

    with pytest.raises(SystemExit) as info:
        agreement_main([str(GOLD_ANN), str(GOLD_ANN), "--json", str(GOLD_ANN)])
    assert info.value.code == 2


# --- input paths ----------------------------------------------------------------------

INPUTS: dict[str, list[str]] = {
    "validate FILE": ["validate", "{X}"],
    "stats FILE": ["stats", "{X}"],
    "score --pred": ["score", "--gold", "{gold}", "--pred", "{X}"],
    "score --gold": ["score", "--gold", "{X}", "--pred", "{pred}"],
    "score --label-map": ["score", "--gold", "{gold}", "--pred", "{pred}", "--label-map", "{X}"],
    "score --baseline": ["score", "--gold", "{gold}", "--pred", "{pred}", "--baseline", "{X}",
                         "--max-drop", "0.1"],
    "gate REPORT": ["gate", "{X}", "--fail-under", "entities.strict.f1=0.1"],
    "compare A": ["compare", "{X}", "{report}"],
    "import INPUT": ["import", "--format", "labelstudio", "{X}", "--out", "{dir}/o.jsonl"],
    "import --reference": ["import", "--format", "conll", "{pred}", "--reference", "{X}",
                           "--out", "{dir}/o.jsonl"],
    "export FILE": ["export", "--format", "brat", "{X}", "--out", "{dir}/brat"],
    "show FILE": ["show", "{X}", "--out", "{dir}/o.html"],
    "plot REPORT": ["plot", "{X}", "--out", "{dir}/plots"],
    "run --gold": ["run", "floor", "--gold", "{X}", "--out", "{dir}/o.jsonl"],
}  # fmt: skip
INPUT_CASES = [(f"{name} is {kind}", name, kind) for name in INPUTS for kind in ("fifo", "zero")]


@pytest.mark.parametrize(("label", "name", "kind"), INPUT_CASES, ids=[c[0] for c in INPUT_CASES])
def test_special_files_are_never_read(
    label: str, name: str, kind: str, work: dict[str, Path], capsys: Any
) -> None:
    special = str(work["fifo"]) if kind == "fifo" else "/dev/zero"
    argv = [a.replace("{X}", special) for a in INPUTS[name]]
    argv = [a.replace("{dir}", str(work["dir"])) for a in _fill(argv, work, "")]
    started = time.monotonic()
    assert main(argv) == 2  # a FIFO would block forever, /dev/zero never ends
    assert time.monotonic() - started < 30
    err = capsys.readouterr().err
    what = "a FIFO (named pipe)" if kind == "fifo" else "a character device"
    assert f"{special} is {what}; an input must be" in err, err
    assert not any(p.name.startswith("o.") for p in work["dir"].iterdir())


def test_check_paths_reports_every_problem_at_once(tmp_path: Path) -> None:
    with pytest.raises(PathError) as info:
        check_paths(
            [
                PathArgument("--pred", tmp_path / "missing.jsonl", "input"),
                PathArgument("--gold", tmp_path, "input"),
                PathArgument("--out", GOLD_JSONL, "output"),
            ]
        )
    assert len(info.value.problems) == 3
    assert any("missing.jsonl: not found" in p for p in info.value.problems)


def test_the_gold_folders_are_the_clone_s() -> None:
    folders = set(gold_folders())
    for name in ("corpus/data", "corpus/gold", "corpus/texts", "seeds"):
        assert (REPO / name).resolve() in folders


def test_the_atomic_writer_never_replaces_a_special_file(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="character device"):
        write_json("/dev/null", {"a": 1})
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    link = tmp_path / "link.json"
    target = tmp_path / "target.json"
    target.write_text("{}")
    link.symlink_to(target)
    write_json(link, {"a": 1})  # a link to a regular file: the target is replaced
    assert link.is_symlink() and json.loads(target.read_text()) == {"a": 1}


# --- reports: only valid numbers decide ------------------------------------------------


def _report(work: dict[str, Path]) -> dict[str, Any]:
    return json.loads(work["report"].read_text())


def _set(data: dict[str, Any], pointer: list[str], value: Any) -> None:
    node = data
    for key in pointer[:-1]:
        node = node[key]
    node[pointer[-1]] = value


BAD_NUMBERS: list[tuple[str, Any, str]] = [
    ("NaN", "NaN-literal", "not a JSON number"),
    ("Infinity", "Infinity-literal", "not a JSON number"),
    ("a string", "0.99", 'is not of type "number"'),
    ("true", True, 'is not of type "number"'),
    ("null", None, 'is not of type "number"'),
    ("a list", [0.9], 'is not of type "number"'),
    ("above 1", 1.5, "is greater than the maximum of 1"),
    ("below 0", -0.1, "is less than the minimum of 0"),
]
WHERE: list[tuple[str, list[str]]] = [
    ("metrics", ["metrics", "entities.strict", "f1"]),
    ("headline", ["headline", "entities.strict", "precision"]),
]
REPORT_CASES = [
    (f"{label} in {where}", value, words, pointer)
    for label, value, words in BAD_NUMBERS
    for where, pointer in WHERE
]


def _write_bad_report(work: dict[str, Path], pointer: list[str], value: Any) -> Path:
    data = _report(work)
    literal = value if isinstance(value, str) and value.endswith("-literal") else None
    _set(data, pointer, "@@LITERAL@@" if literal else value)
    text = json.dumps(data, indent=2)
    if literal:
        text = text.replace('"@@LITERAL@@"', literal.removesuffix("-literal"))
    path = work["dir"] / "bad.json"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("label", "value", "words", "pointer"), REPORT_CASES,
                         ids=[c[0] for c in REPORT_CASES])  # fmt: skip
@pytest.mark.parametrize("command", ["gate", "gate --baseline", "compare", "plot"])
def test_a_bad_number_in_a_report_is_a_located_problem(
    label: str, value: Any, words: str, pointer: list[str], command: str,
    work: dict[str, Path], capsys: Any,
) -> None:  # fmt: skip
    bad = _write_bad_report(work, pointer, value)
    argv = {
        "gate": ["gate", str(bad), "--format", "json", "--fail-under", "entities.strict.f1=0.0"],
        "gate --baseline": ["gate", str(work["report"]), "--format", "json", "--baseline",
                            str(bad), "--max-drop", "1"],
        "compare": ["compare", str(work["report"]), str(bad), "--format", "json"],
        "plot": ["plot", str(bad), "--out", str(work["dir"] / "plots")],
    }[command]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    if command == "plot":
        assert f"{bad}: error[report-invalid], at /{'/'.join(pointer)}" in err, err
        assert words in err
        return
    problems = [json.loads(x) for x in err.splitlines() if x.startswith("{")]
    assert [(p["code"], p["file"], p["path"]) for p in problems] == [
        ("report-invalid", str(bad), "/" + "/".join(pointer))
    ], err
    assert words in problems[0]["message"]


def test_a_report_without_the_fields_a_gate_reads_is_located(work: dict[str, Path], capsys):
    data = _report(work)
    del data["unit_statistics"]["unit_ids"]
    data["resampling"]["unit"] = 7
    bad = work["dir"] / "bad.json"
    bad.write_text(json.dumps(data))
    assert main(["compare", str(bad), str(work["report"]), "--format", "json"]) == 1
    problems = [json.loads(x) for x in capsys.readouterr().err.splitlines()]
    assert {p["path"] for p in problems} == {"/resampling/unit", "/unit_statistics"}


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-0.1", "1.5"])
def test_max_drop_must_be_a_finite_fraction(work: dict[str, Path], capsys: Any, value: str):
    argv = ["gate", str(work["report"]), "--baseline", str(work["report"]), f"--max-drop={value}"]
    assert main(argv) == 2
    assert f"--max-drop {float(value)} is not an allowed drop" in capsys.readouterr().err


def test_max_drop_without_a_baseline_is_a_usage_error(work: dict[str, Path], capsys: Any):
    argv = ["gate", str(work["report"]), "--fail-under", "entities.strict.f1=0", "--max-drop",
            "0.1"]  # fmt: skip
    assert main(argv) == 2
    assert "--max-drop needs --baseline" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "field"),
    [
        (["--zone", "body"], "zones"),
        (["--content-threshold", "0.3"], "content-dice"),
        (["--label-map", "{identity}"], "labelmap"),
        (["--seed", "7"], "seed"),
        (["--allow-missing"], "missing"),
    ],
)
@pytest.mark.parametrize("command", ["gate", "compare"])
def test_reports_with_other_settings_are_never_compared(
    work: dict[str, Path], capsys: Any, option: list[str], field: str, command: str
) -> None:
    other = work["dir"] / "other.json"
    option = [str(_identity_map(work)) if o == "{identity}" else o for o in option]
    argv = ["score", "--gold", str(work["gold"]), "--pred", str(work["pred"]), "--out",
            str(other), "--resamples", "20", *option]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    if command == "gate":
        argv = ["gate", str(other), "--baseline", str(work["report"]), "--max-drop", "0.5"]
    else:
        argv = ["compare", str(other), str(work["report"])]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"differ in: {field} (" in err, err


def test_reports_on_other_gold_are_never_compared(
    work: dict[str, Path], mini_record: dict[str, Any], capsys: Any
) -> None:
    record = dict(mini_record, metadata=dict(mini_record["metadata"], dct="2020-01-01"))
    gold2 = work["dir"] / "gold2.jsonl"
    write_jsonl(gold2, [record])
    other = work["dir"] / "other.json"
    argv = ["score", "--gold", str(gold2), "--pred", str(work["pred"]), "--out", str(other),
            "--resamples", "20"]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["compare", str(other), str(work["report"])]) == 1
    err = capsys.readouterr().err
    assert "differ in: gold (" in err
    gate = check_gate  # the Python API refuses too
    with pytest.raises(ValueError, match="gold"):
        gate(read_report(other), baseline=read_report(work["report"]), max_drop=0.5)


def test_the_signature_names_the_gold_by_content(work: dict[str, Path]) -> None:
    report = read_report(work["report"])
    digest = _digest(work["gold"])
    assert f"|corpus:custom|split:custom|gold:{digest[:16]}|" in report["signature"]
    assert signature_differences(report["signature"], report["signature"]) == []
    layers_only = report["signature"].replace("layers:ent", "layers:ent,timex")
    assert signature_differences(report["signature"], layers_only) == []  # the system's


def test_compare_json_is_valid_json(work: dict[str, Path], capsys: Any) -> None:
    assert main(["compare", str(work["report"]), str(work["report"]), "--format", "json"]) == 0
    out = capsys.readouterr().out
    json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in compare output"))


def test_a_report_never_holds_nan(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Out of range float"):
        write_json(tmp_path / "r.json", {"f1": float("nan")})
    assert not (tmp_path / "r.json").exists()


# --- label maps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "pointer", "words"),
    [
        ({"name": "evil|zones:all", "map": {"PERSON": "PER"}}, "/name", "signature"),
        ({"name": "x", "map": {"PERSON": "PER"}, "mapp": {}}, "/mapp", "unknown key 'mapp'"),
        ({"name": "x", "map": {"PERSON": 3}}, "/map/PERSON", "not a string or null"),
        ({"name": "", "map": {}}, "/name", "signature"),
    ],
)
def test_a_label_map_that_could_forge_a_signature_is_refused(
    work: dict[str, Path], capsys: Any, content: dict[str, Any], pointer: str, words: str
) -> None:
    path = work["dir"] / "map.json"
    path.write_text(json.dumps(content))
    argv = ["score", "--gold", str(work["gold"]), "--pred", str(work["pred"]), "--label-map",
            str(path), "--format", "json"]  # fmt: skip
    assert main(argv) == 1
    problems = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
    hit = [p for p in problems if p["path"] == pointer]
    assert hit and hit[0]["code"] == "label-map-invalid" and words in hit[0]["message"]
    assert hit[0]["file"] == str(path)


def _identity_map(work: dict[str, Path], name: str = "identity", drop: str = "") -> Path:
    from newsbench.schema.contract import ENTITY_TYPES

    path = work["dir"] / f"{name}-{drop}.json"
    mapping = {t: (None if t == drop else t) for t in ENTITY_TYPES}
    path.write_text(json.dumps({"name": name, "map": mapping}))
    return path


def test_the_signature_names_the_label_map_by_content(work: dict[str, Path]) -> None:
    signatures = []
    for drop in ("", "VEH"):  # same name, other content: other signatures
        out = work["dir"] / f"mapped{drop}.json"
        label_map = str(_identity_map(work, drop=drop))
        argv = ["score", "--gold", str(work["gold"]), "--pred", str(work["pred"]), "--label-map",
                label_map, "--out", str(out), "--resamples", "10"]  # fmt: skip
        assert main(argv) == 0
        signatures.append(read_report(out)["signature"])
    assert all("|labelmap:identity@" in s for s in signatures)
    assert signature_differences(*signatures)[0].startswith("labelmap (identity@")


@pytest.mark.parametrize(
    ("threshold", "written"), [(0.5, "0.5"), (0.25, "0.25"), (1.0, "1"), (0.5000001, "0.5000001")]
)
def test_the_signature_writes_a_numeric_setting_exactly(threshold: float, written: str) -> None:
    from newsbench.eval.harness import ScoringConfig

    def signature(config: ScoringConfig) -> str:
        return config.signature(unit="document", layers=["attributions"], corpus="c", gold="g")

    assert f"|content-dice:{written}|" in signature(ScoringConfig(content_threshold=threshold))
    assert "|zd:0|" in signature(ScoringConfig(content_threshold=threshold))
    assert "|zd:1|" in signature(ScoringConfig(zero_division=1.0))


def test_a_gate_that_would_check_nothing_never_passes(work: dict[str, Path], capsys: Any) -> None:
    report = json.loads(work["report"].read_text("utf-8"))
    report["headline"] = {}  # as for predictions that give no layer
    empty = work["dir"] / "empty.json"
    empty.write_text(json.dumps(report), "utf-8")
    baseline = ["--baseline", str(empty), "--max-drop", "0"]
    for also in ([], ["--fail-under", "entities.strict.f1=0.1"]):  # a threshold beside it too
        assert main(["gate", str(work["report"]), *baseline, *also]) == 2
        assert "the baseline report has no headline metric" in capsys.readouterr().err
    with pytest.raises(ValueError, match="nothing to check"):
        check_gate(read_report(work["report"]))
    with pytest.raises(ValueError, match="the baseline report has no headline metric"):
        assert_scores(work["report"], {"entities.strict.f1": 0.1}, baseline=report, max_drop=0)


def test_a_gate_never_compares_two_content_thresholds(work: dict[str, Path], capsys: Any) -> None:
    reports = []
    for threshold in ("0.5", "0.5000001"):  # %g wrote both as 0.5
        out = work["dir"] / f"t{threshold}.json"
        argv = ["score", "--gold", str(work["gold"]), "--pred", str(work["pred"]),
                "--content-threshold", threshold, "--out", str(out),
                "--resamples", "10"]  # fmt: skip
        assert main(argv) == 0
        reports.append(out)
    capsys.readouterr()
    assert main(["gate", str(reports[1]), "--baseline", str(reports[0]), "--max-drop", "0"]) != 0
    assert "content-dice" in capsys.readouterr().err


# --- the terminal is not the documents' ------------------------------------------------


def test_the_error_listing_escapes_control_characters() -> None:
    report = {
        "errors": [
            {"layer": "entities", "kind": "missed", "gold_label": "PER", "pred_label": None,
             "context": "a \x1b[2J\x1b[31mred\u202e\u2028next \x07 line", "note": "x\ny"}
        ]
    }  # fmt: skip
    listing = render_errors(report)
    assert listing.count("\n") == 1 and "\x1b" not in listing and "\u202e" not in listing
    assert "\\x1b[2J" in listing and "\\u2028" in listing and "\\x0a" in listing
    assert terminal_safe("Zürich 😀") == "Zürich 😀"


# --- interrupted writes ------------------------------------------------------------------


SLOW_WRITE = """
import signal, sys, time
from newsbench.eval import cli
from newsbench.eval import report as report_module
# A test run started in the background by a non-interactive shell inherits SIGINT ignored,
# and so would this child: give it Ctrl-C as a terminal gives it.
signal.signal(signal.SIGINT, signal.default_int_handler)
def slow(path, data, **_):
    from newsbench.schema.io import atomic_output
    with atomic_output(path, "w") as handle:
        handle.write("partial")
        handle.flush()
        print("writing", flush=True)
        # Short sleeps: a signal that lands just before a sleep's system call is handled at
        # the next iteration, not after a whole long sleep.
        for _ in range(600):
            time.sleep(0.1)
report_module.write_json = slow
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_a_write_leaves_no_partial_file(
    work: dict[str, Path], signum: int, code: int
) -> None:
    out = work["dir"] / "r.json"
    out.write_text("previous")
    argv = ["score", "--gold", str(work["gold"]), "--pred", str(work["pred"]), "--out", str(out),
            "--resamples", "10"]  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "writing"
    process.send_signal(signum)
    _, err = process.communicate(timeout=30)
    assert process.returncode == code
    assert err.strip().splitlines() == [
        f"newsbench: interrupted by {signal.Signals(signum).name}; no output was left half-written"
    ]
    assert out.read_text() == "previous"
    assert not [p for p in work["dir"].iterdir() if p.name.endswith(".tmp")]


_DROPPED_SIGNAL = """
import os, signal, sys
from newsbench.eval import cli

class Finaliser:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGTERM)  # the handler runs in here: Python prints
        for _ in range(10_000):  # and drops what it raises ("Exception ignored in ...")
            pass

def command(_):
    Finaliser()
    return 0

cli.command_validate = command
sys.exit(cli.main(sys.argv[1:]))
"""


def test_a_signal_whose_exception_python_drops_still_ends_the_command(
    work: dict[str, Path],
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _DROPPED_SIGNAL, "validate", str(work["gold"])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 143
    assert done.stderr.splitlines() == [
        "newsbench: interrupted by SIGTERM; no output was left half-written"
    ]


def test_a_signal_ignored_at_the_start_stays_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsbench.eval import cli

    seen = {}

    def command(_: Any) -> int:
        seen.update({s: signal.getsignal(s) for s in (signal.SIGHUP, signal.SIGTERM)})
        return 0

    monkeypatch.setattr(cli, "command_validate", command)
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    try:
        assert main(["validate", str(GOLD_JSONL)]) == 0
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert seen == {signal.SIGHUP: signal.SIG_IGN, signal.SIGTERM: cli._raise_interrupted}


def test_a_worker_leaves_ctrl_c_to_the_command_and_keeps_its_other_handlers() -> None:
    from newsbench.eval.harness import quiet_worker

    names = ("SIGINT", "SIGTERM", "SIGHUP")
    before = {name: signal.getsignal(getattr(signal, name)) for name in names}
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    try:
        quiet_worker()
        after = {name: signal.getsignal(getattr(signal, name)) for name in names}
    finally:
        for name, handler in before.items():
            signal.signal(getattr(signal, name), handler)
    assert after == {"SIGINT": signal.SIG_IGN, "SIGTERM": before["SIGTERM"],
                     "SIGHUP": signal.SIG_IGN}  # fmt: skip


def test_ctrl_c_while_the_command_starts_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from newsbench.eval import cli, entry

    def starting() -> int:
        raise KeyboardInterrupt  # as while the plug-in subcommands load

    monkeypatch.setattr(cli, "main", starting)
    with pytest.raises(SystemExit) as ended:
        entry.run()
    assert ended.value.code == 130
    assert capsys.readouterr().err == (
        "newsbench: interrupted by SIGINT; no output was left half-written\n"
    )


def test_the_executable_is_the_entry_that_handles_ctrl_c() -> None:
    scripts = (REPO / "pyproject.toml").read_text("utf-8").split("[project.scripts]\n")[1]
    assert scripts.split("\n\n")[0] == 'newsbench = "newsbench.eval.entry:run"'


# --- build-corpus reads lines as JSONL does ------------------------------------------------


def test_build_corpus_counts_lines_by_newline_only(tmp_path: Path) -> None:
    from newsbench.corpus.gold_source import GoldSourceError, parse_gold_source

    (tmp_path / "t.txt").write_text("Rebels\u2028entered Homs on Friday.")
    (tmp_path / "t.ann").write_text(
        "document x\ntext t.txt\ndct 2024-12-08\nlanguage en\nparagraph 1\n"
        'sentence s1 text="Rebels\u2028entered Homs on Friday."\n'
        'mention m1 PER NOM r text="Rebels"\nmention m2 GPE NAM h text="Homz"\n'
    )
    with pytest.raises(GoldSourceError) as info:
        parse_gold_source(tmp_path / "t.ann", tmp_path)
    assert info.value.errors == [
        f"{tmp_path / 't.ann'}:8: 'Homz' occurs 0 times as a whole word in paragraph 1 "
        "(nowhere); add .ctx or .nth"
    ]


# --- reading never hangs or crashes ----------------------------------------------------------


@pytest.mark.parametrize("command", ["gate", "compare", "plot", "label-map"])
def test_json_nested_100000_deep_is_a_located_problem(
    work: dict[str, Path], capsys: Any, command: str
) -> None:
    deep = work["dir"] / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    argv = {
        "gate": ["gate", str(deep), "--fail-under", "entities.strict.f1=0.5"],
        "compare": ["compare", str(deep), str(work["report"])],
        "plot": ["plot", str(deep), "--out", str(work["dir"] / "p")],
        "label-map": ["score", "--gold", str(work["gold"]), "--pred", str(work["pred"]),
                      "--label-map", str(deep)],
    }[command]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"{deep}: error[" in err and "nested too deep" in err


def test_read_report_raises_data_error_not_value_error_only(work: dict[str, Path]) -> None:
    bad = work["dir"] / "x.json"
    bad.write_text('{"format": "newsbench-report/1"}')
    with pytest.raises(DataError) as info:
        read_report(bad)
    assert {p.code for p in info.value.problems} == {"report-invalid"}


# --- outputs the system refuses, and outputs written at once -------------------------------

UNWRITABLE: dict[str, list[str]] = {
    "run": ["run", "floor", "--gold", "{gold}", "--out", "/proc/newsbench/p.jsonl"],
    "show": ["show", "{gold}", "--out", "/proc/newsbench/p.html"],
    "export": ["export", "--format", "brat", "{gold}", "--out", "/proc/newsbench"],
    "import": ["import", "--format", "brat", "{dir}/brat", "--out", "/proc/newsbench/p.jsonl"],
    "score": ["score", "--gold", "{gold}", "--pred", "{pred}", "--out", "/proc/newsbench/r.json"],
}


@pytest.mark.parametrize("command", sorted(UNWRITABLE))
def test_an_output_the_system_refuses_is_a_usage_error(
    command: str, work: dict[str, Path], capsys: Any
) -> None:
    brat = work["dir"] / "brat"
    assert main(["export", "--format", "brat", str(work["gold"]), "--out", str(brat)]) == 0
    capsys.readouterr()
    argv = [a.replace("{dir}", str(work["dir"])) for a in _fill(UNWRITABLE[command], work, "")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "newsbench: error:" in err and "/proc/newsbench" in err and "Traceback" not in err


def test_two_processes_writing_one_output_leave_one_whole_file(work: dict[str, Path]) -> None:
    out = work["dir"] / "shared.jsonl"
    argv = [sys.executable, "-m", "newsbench.eval", "run", "floor", "--gold", str(work["gold"]),
            "--out", str(out)]  # fmt: skip
    processes = [subprocess.Popen(argv, stdout=subprocess.DEVNULL) for _ in range(3)]
    assert [p.wait(timeout=120) for p in processes] == [0, 0, 0]
    assert main(["validate", "--kind", "prediction", str(out)]) == 0
    assert not [p for p in work["dir"].iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_a_special_file_inside_a_brat_folder_is_never_read(
    work: dict[str, Path], capsys: Any, special: str
) -> None:
    brat = work["dir"] / "brat"
    assert main(["export", "--format", "brat", str(work["gold"]), "--out", str(brat)]) == 0
    (txt,) = brat.glob("*.txt")
    txt.unlink()
    if special == "fifo":
        os.mkfifo(txt)
    else:
        txt.symlink_to(special)
    capsys.readouterr()
    started = time.monotonic()
    assert (
        main(["import", "--format", "brat", str(brat), "--out", str(work["dir"] / "o.jsonl")]) == 1
    )
    assert time.monotonic() - started < 30
    err = capsys.readouterr().err
    what = "a FIFO (named pipe)" if special == "fifo" else "a character device"
    assert "error[file-unreadable]: cannot read the brat pair" in err and what in err
    assert not (work["dir"] / "o.jsonl").exists()


@pytest.mark.parametrize("which", ["--gold", "--out"])
def test_a_path_whose_name_is_not_utf8_is_refused(
    which: str, work: dict[str, Path], capsys: Any
) -> None:
    odd = os.fsdecode(os.fsencode(str(work["dir"])) + b"/odd\xff.jsonl")
    gold = odd if which == "--gold" else str(work["gold"])
    if which == "--gold":
        Path(odd).write_bytes(work["gold"].read_bytes())
    out = odd if which == "--out" else str(work["dir"] / "r.json")
    argv = ["score", "--gold", gold, "--pred", str(work["pred"]), "--out", out]
    assert main(argv) == 2
    err = capsys.readouterr().err
    fix = "rename the file" if which == "--gold" else "choose another path"
    assert err.splitlines()[1:] == [
        f"newsbench: error: {which} {work['dir']}/odd\\xff.jsonl: the name is not valid "
        f"UTF-8, which a report cannot record; {fix}"
    ]
    assert not (work["dir"] / "r.json").exists()


def test_links_are_looked_for_as_deep_as_a_command_writes(tmp_path: Path) -> None:
    from newsbench.schema.paths import FOLDER_DEPTH, _links_inside

    deep = tmp_path / "out"
    for level in range(1, FOLDER_DEPTH + 2):  # a link at depth 1 .. FOLDER_DEPTH + 1
        folder = deep.joinpath(*["d"] * (level - 1))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"link{level}").symlink_to(GOLD_JSONL)
    found = _links_inside(PathArgument("--out", deep, "output", "dir"))
    assert sorted(link.name for link, _ in found) == [
        f"link{level}" for level in range(1, FOLDER_DEPTH + 1)
    ]
    assert FOLDER_DEPTH >= 3  # bench --out-dir D writes D/SPLIT/plots/NAME.svg


def test_a_chain_of_links_through_a_folder_link_is_followed(
    work: dict[str, Path], capsys: Any
) -> None:
    out, elsewhere = work["dir"] / "out", work["dir"] / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "test").symlink_to(elsewhere)  # out/test/floor.json is elsewhere/floor.json
    (elsewhere / "floor.json").symlink_to(GOLD_JSONL)
    before = _digest(GOLD_JSONL)
    assert main(["bench", "--only", "floor", "--out-dir", str(out)]) == 2
    assert f"{out / 'test' / 'floor.json'} is a link into the gold" in capsys.readouterr().err
    assert _digest(GOLD_JSONL) == before


def test_a_link_that_cannot_be_resolved_is_passed_over(tmp_path: Path) -> None:
    from newsbench.schema.paths import _links_inside

    (tmp_path / "loop").symlink_to(tmp_path / "loop")  # realpath cannot settle it
    (tmp_path / "ok").symlink_to(GOLD_JSONL)
    found = _links_inside(PathArgument("--out", tmp_path, "output", "dir"))
    assert (tmp_path / "ok", GOLD_JSONL.resolve()) in found


def test_a_renamed_report_s_side_files_stay_inputs(work: dict[str, Path], capsys: Any) -> None:
    baseline = work["dir"] / "baseline.json"
    work["report"].rename(baseline)  # its JSON still names report.errors.jsonl
    side = work["dir"] / "report.errors.jsonl"
    before = _digest(side)
    argv = ["score", "--gold", str(work["gold"]), "--pred", str(work["pred"]),
            "--baseline", str(baseline), "--max-drop", "0.5",
            "--out", str(work["report"])]  # fmt: skip
    assert main(argv) == 2
    assert (
        f"would overwrite the input --baseline (a side file it names) {side}"
        in capsys.readouterr().err
    )
    assert _digest(side) == before


@pytest.mark.parametrize("nameless", [".", "/", ""])
@pytest.mark.parametrize(
    "argv",
    [
        ["gate", "{X}", "--fail-under", "entities.strict.f1=0.1"],
        ["gate", "{report}", "--baseline", "{X}", "--max-drop", "0.1"],
        ["compare", "{X}", "{report}"],
        ["score", "--gold", "{gold}", "--pred", "{pred}", "--out", "{X}"],
    ],
    ids=["gate REPORT", "gate --baseline", "compare A", "score --out"],
)
def test_a_path_without_a_name_is_a_usage_error(
    argv: list[str], nameless: str, work: dict[str, Path], capsys: Any
) -> None:
    # Its side file was derived with Path.with_name, which raised ValueError: a traceback.
    assert main([nameless if a == "{X}" else a for a in _fill(argv, work, "")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "is a directory" in err


def test_the_api_never_reads_a_report_from_a_fifo(work: dict[str, Path]) -> None:
    fifo = work["dir"] / "report-pipe.json"
    os.mkfifo(fifo)
    started = time.monotonic()
    for read in (
        lambda: read_report(fifo),
        lambda: assert_scores(fifo, {"entities.strict.f1": 0.1}),
        lambda: assert_scores(work["report"], baseline=fifo, max_drop=0.1),
    ):
        with pytest.raises(DataError, match="a FIFO \\(named pipe\\), not a regular file"):
            read()
    assert time.monotonic() - started < 30  # it blocked forever


def test_the_gate_reads_no_error_listing(work: dict[str, Path], capsys: Any) -> None:
    """As the README says: a CI job may keep the report alone (its units inline)."""
    folder = work["dir"] / "alone"
    folder.mkdir()
    alone = folder / "report.json"
    alone.write_bytes(work["report"].read_bytes())
    assert not (folder / "report.errors.jsonl").exists()
    assert read_report(alone)["error_listing"]["file"] == "report.errors.jsonl"
    assert main(["gate", str(alone), "--fail-under", "entities.strict.f1=0"]) == 0
    assert "gate passed" in capsys.readouterr().out


def test_a_metric_without_its_f1_is_a_located_report_problem(
    work: dict[str, Path], capsys: Any
) -> None:
    report = json.loads(work["report"].read_text("utf-8"))
    del report["metrics"]["entities.strict"]["f1"]
    edited = work["dir"] / "no-f1.json"
    edited.write_text(json.dumps(report), "utf-8")
    assert main(["gate", str(edited), "--fail-under", "entities.strict.f1=0.5"]) == 1
    err = capsys.readouterr().err
    assert f'{edited}: error[report-invalid], at /metrics/entities.strict: "f1" is a required' in (
        err
    )


def test_a_threshold_on_a_layer_the_report_lacks_fails_the_gate(
    work: dict[str, Path], capsys: Any
) -> None:
    out = work["dir"] / "mentions-only.json"
    argv = ["score", "--gold", str(work["gold"]), "--pred", str(work["pred"]),
            "--layers", "mentions", "--out", str(out), "--resamples", "10"]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["gate", str(out), "--fail-under", "events.trigger_id.f1=0.5"]) == 1
    assert "events.trigger_id.f1 is missing from the report" in capsys.readouterr().err


def _edited(work: dict[str, Path], name: str, edit: Any) -> Path:
    report = json.loads(work["report"].read_text("utf-8"))
    edit(report)
    path = work["dir"] / f"{name}.json"
    path.write_text(json.dumps(report), "utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "pointer", "words"),
    [
        (lambda r: r["metrics"]["entities.strict"].update(f1=0.99), "/metrics/entities.strict",
         "are not those of the metric's counts"),
        (lambda r: r["headline"]["entities.strict"].update(recall=0.5), "/headline/entities.strict",
         "the headline's scores of 'entities.strict' are not those of its metric"),
        (lambda r: r["provenance"].update(split="validation"), "/signature",
         "the signature is not the report's own: split (custom signed, validation in the report)"),
        (lambda r: r["resampling"].update(
            unit={"sentence": "document", "document": "sentence"}[r["resampling"]["unit"]]),
         "/signature", "the signature is not the report's own: unit ("),
        (lambda r: r["resampling"].update(seed=r["resampling"]["seed"] + 1), "/signature",
         "the signature is not the report's own: seed ("),
    ],
    ids=[
        "f1 not its counts'", "headline not its metric", "another split", "another unit",
        "another seed",
    ],
)  # fmt: skip
def test_a_report_that_disagrees_with_itself_is_refused(
    edit: Any, pointer: str, words: str, work: dict[str, Path]
) -> None:
    with pytest.raises(DataError) as refused:
        read_report(_edited(work, "edited", edit))
    problem = refused.value.problems[0]  # an F1 edited: its headline entry disagrees too
    assert (problem.code, problem.path) == ("report-invalid", pointer)
    assert words in problem.message


def test_a_key_repeated_in_a_report_is_refused(work: dict[str, Path]) -> None:
    text = work["report"].read_text("utf-8")
    repeated = work["dir"] / "repeated.json"
    repeated.write_text(text.replace('"metrics": {', '"metrics": {"entities.strict": {}, ', 1))
    with pytest.raises(DataError, match=r"the key 'entities\.strict' is repeated in one object"):
        read_report(repeated)


def test_standard_output_into_a_pipe_is_refused_before_scoring(work: dict[str, Path]) -> None:
    # /dev/stdout resolves to "pipe:[N]", which is no path: it passed as a new file, and the
    # command failed only after scoring everything, writing its side files.
    argv = [sys.executable, "-m", "newsbench.eval", "score", "--gold", str(work["gold"]),
            "--pred", str(work["pred"]), "--out", "/dev/stdout"]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True)  # stdout is a pipe
    assert done.returncode == 2
    assert "--out /dev/stdout is a FIFO (named pipe)" in done.stderr


def test_report_problems_say_what_a_literal_is_and_stay_short(work: dict[str, Path]) -> None:
    text = work["report"].read_text("utf-8")
    report = json.loads(text)
    f1 = report["headline"]["entities.strict"]["f1"]
    huge = work["dir"] / "huge.json"
    huge.write_text(text.replace(f'"f1": {json.dumps(f1)}', '"f1": 1e999', 1), "utf-8")
    with pytest.raises(DataError) as refused:
        read_report(huge)
    assert '"1e999 (too large for a float)" is not of type "number"' in str(refused.value)
    report["unit_statistics"]["metrics"]["entities.strict"][0] = [1, 2, 3]  # one row short
    short = work["dir"] / "short-row.json"
    short.write_text(json.dumps(report), "utf-8")
    with pytest.raises(DataError) as refused:
        read_report(short)
    assert all(len(p.message) < 400 for p in refused.value.problems)


def short_report(work: dict[str, Path]) -> Path:
    """A copy of the report with one per-unit row short (a report problem)."""
    report = json.loads(work["report"].read_text("utf-8"))
    report["unit_statistics"]["metrics"]["entities.strict"][0] = [1, 2, 3]
    path = work["dir"] / "one-row-short.json"
    path.write_text(json.dumps(report), "utf-8")
    return path


def test_the_gate_outcome_as_json(work: dict[str, Path], capsys: Any) -> None:
    report = str(work["report"])
    assert main(["gate", report, "--fail-under", "entities.strict.f1=0", "--format", "json"]) == 0
    passed = json.loads(capsys.readouterr().out)
    assert passed["outcome"] == "passed" and passed["failures"] == []
    assert passed["checks"] == ["entities.strict.f1 >= 0.0"]
    assert passed["signature"] == read_report(work["report"])["signature"]
    other = work["dir"] / "other-seed.json"
    argv = ["score", "--gold", str(work["gold"]), "--pred", str(work["pred"]),
            "--out", str(other), "--seed", "7", "--resamples", "10"]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    argv = ["gate", report, "--baseline", str(other), "--max-drop", "0", "--format", "json"]
    assert main(argv) == 1
    refused = json.loads(capsys.readouterr().out)
    assert refused["outcome"] == "refused" and "seed" in refused["refused"]
    # refused for a usage error or a report it cannot read: the object on stdout, same codes
    for argv, code, why in (
        ([report, "--fail-under", "entities.FOO.strict.f1=0.3"], 2, "entities.FOO.strict"),
        ([report], 2, "give at least one --fail-under or a --baseline"),
        ([str(short_report(work)), "--fail-under", "entities.strict.f1=0"], 1, "p_num"),
    ):
        assert main(["gate", *argv, "--format", "json"]) == code, argv
        out = json.loads(capsys.readouterr().out)
        assert out["outcome"] == "refused" and why in out["refused"], out
        assert out["checks"] == [] and out["failures"] == []


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda r: r.update(config=None), 'null is not of type "object"'),
        (lambda r: r["metrics"]["entities.strict"]["counts"].update(p_num=10**400),
         "the metric's counts are not four numbers a float holds"),
    ],
    ids=["config null", "huge count"],
)  # fmt: skip
def test_an_odd_config_or_count_is_a_report_problem(
    edit: Any, words: str, work: dict[str, Path]
) -> None:
    with pytest.raises(DataError) as refused:  # a traceback (AttributeError, OverflowError)
        read_report(_edited(work, "odd", edit))
    assert any(words in p.message for p in refused.value.problems)
