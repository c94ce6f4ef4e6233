"""The whole ``newsbench score`` command: wall time, peak memory and report size, side by side.

Not a test. Run from the repository root::

    python benchmarks/bench_command.py                          # N = 1,000 and 10,000
    python benchmarks/bench_command.py --sizes 1000 10000 50000 --rounds 1

Each configuration runs in a fresh process under ``/usr/bin/time`` (peak RSS of that
process alone), alternating configurations round by round so that the machine's drift
hits all of them alike. The synthetic corpora are those of ``bench_harness.py`` (seed
12345, 2,000 characters a document), written once to a cache folder. After each round
the reports of the default path and of ``--jobs 2`` are compared byte for byte (their
JSON without the provenance, then the side files: ``tests.synthetic_files.written_report``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # the repository root, for tests.synthetic_files

from bench_harness import data_dir  # noqa: E402

from tests.synthetic_files import written_report  # noqa: E402

MODES: dict[str, list[str]] = {
    "default": [],
    "jobs2": ["--jobs", "2"],
    "stream": ["--stream"],
}


def run(mode: str, n: int, out: Path) -> tuple[float, float, int]:
    """Run the command once; return (seconds, peak RSS in MiB, bytes of the report files)."""
    folder = data_dir(n)
    command = [
        "/usr/bin/time",
        "-f",
        "%e %M",
        sys.executable,
        "-m",
        "newsbench.eval",
        "score",
        "--gold",
        str(folder / "gold.jsonl"),
        "--pred",
        str(folder / "pred.jsonl"),
        "--out",
        str(out),
        *MODES[mode],
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds, kib = done.stderr.strip().splitlines()[-1].split()
    size = sum(p.stat().st_size for p in out.parent.glob(f"{out.stem}.*"))
    return float(seconds), int(kib) / 1024, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print("| round | N | mode | seconds | peak RSS (MiB) | report files (MB) |")
    print("| ---: | ---: | --- | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory(prefix="newsbench-bench-command-") as tmp:
        for round_ in range(1, args.rounds + 1):
            for n in args.sizes:
                outs = {}
                for mode in args.modes:
                    out = Path(tmp, f"{mode}-{n}.json")
                    seconds, mib, size = run(mode, n, out)
                    outs[mode] = out
                    print(f"| {round_} | {n:,} | {mode} | {seconds:.2f} | {mib:.1f} | "
                          f"{size / 1e6:.1f} |", flush=True)  # fmt: skip
                if "default" in outs and "jobs2" in outs:
                    same = written_report(outs["default"]) == written_report(outs["jobs2"])
                    print(f"|  | {n:,} | default = jobs2 | identical: {same} |  |  |", flush=True)


if __name__ == "__main__":
    main()
