"""Scoring cost of two commits in instructions (valgrind callgrind), side by side.

Not a test. Run from the repository root::

    python benchmarks/bench_instructions.py --base c58e25a             # base vs working tree
    python benchmarks/bench_instructions.py --base c58e25a --docs 100 --other HEAD

The machine is a shared VM whose speed drifts by 10-20 % within minutes, which hides a
5 % change of the scoring code however often the wall time is taken. Instruction counts
do not drift: callgrind counts the same total for the same code and inputs whatever else
runs, once string hashing is fixed and BLAS kept on one thread (the runs set both). The
first ``--docs`` pairs of the synthetic corpus of ``bench_harness.py`` (seed 12345, 2,000
characters a document) are loaded and paired by each tree's own code outside callgrind
and pickled; then each tree runs twice in a fresh process under callgrind, once only
unpickling them, once unpickling and scoring them (``score_documents``: every layer,
coreference, intervals). The difference is the scoring: the same code counts the same
within 0.1 %. A commit is unpacked with ``git archive`` and imported in place of the
installed package (the runner checks where ``newsbench`` came from), with the same Python
and dependencies. Instructions are not seconds (cache misses and numpy's vector code
weigh differently), so the ratio measures the Python work saved, to be read next to the
wall times of ``bench_command.py``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_harness import data_dir  # noqa: E402

SUBPACKAGES = ("eval", "schema", "corpus", "baselines")  # newsbench.<name> is the folder <name>

RUNNER = """
import pickle
import sys
from pathlib import Path
import newsbench.eval
assert Path(newsbench.eval.__file__).resolve().is_relative_to(Path(sys.argv[3]).resolve()), (
    newsbench.eval.__file__
)
from newsbench.eval.harness import ScoringConfig, score_documents
mode, k, saved = sys.argv[1], int(sys.argv[2]), Path(sys.argv[4])
if mode == "prepare":
    from newsbench.eval.pairing import load_predictions, pair_documents
    from newsbench.schema.validate import load_documents
    folder = Path(sys.argv[5])
    gold = load_documents(folder / "gold.jsonl")[:k]
    pred = load_predictions(folder / "pred.jsonl").documents[:k]
    saved.write_bytes(pickle.dumps(pair_documents(gold, pred)))
else:
    pairs = pickle.loads(saved.read_bytes())
    if mode == "score":
        score_documents(pairs, ScoringConfig())
"""


def shim(tree: Path, folder: Path) -> Path:
    """A folder whose ``newsbench`` package is the one of ``tree`` (first on sys.path)."""
    package = folder / "newsbench"
    package.mkdir(parents=True)
    shutil.copy(tree / "eval" / "package_root" / "__init__.py", package / "__init__.py")
    for name in SUBPACKAGES:
        (package / name).symlink_to(tree / name, target_is_directory=True)
    return folder


def unpack(rev: str, folder: Path) -> Path:
    """The files of commit ``rev`` in ``folder``."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def _env(path_dir: Path) -> dict[str, str]:
    return {
        "PYTHONPATH": str(path_dir),
        "PATH": "/usr/bin:/bin",
        # The same work on every run: fixed str hashes (set and dict orders) and no BLAS
        # worker threads (whose spinning callgrind would count).
        "PYTHONHASHSEED": "0",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def prepare(path_dir: Path, tree: Path, docs: int, saved: Path, data: Path) -> None:
    """Load and pair the documents with ``tree``'s code (not counted) into ``saved``."""
    command = [sys.executable, "-c", RUNNER, "prepare", str(docs), str(tree), str(saved), str(data)]
    done = subprocess.run(command, env=_env(path_dir), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"loading the documents with {tree} failed:\n{done.stderr[-2000:]}")


def instructions(path_dir: Path, tree: Path, mode: str, saved: Path, out: Path) -> int:
    """Instructions callgrind counts for one run of the runner.

    The documents come from a pickle: parsing JSON goes through Rust libraries whose hash
    tables are seeded at random, which makes the count of a run vary by about 2 %.
    """
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-c",
            RUNNER,
            mode,
            "0",
            str(tree),
            str(saved),
        ],
        env=_env(path_dir),
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"the {mode} run of {tree} failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the commit to compare with")
    parser.add_argument("--other", help="another commit (default: the working tree)")
    parser.add_argument("--docs", type=int, default=200, help="document pairs scored")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    data = data_dir(1000)
    with tempfile.TemporaryDirectory(prefix="newsbench-bench-ir-") as tmp:
        other = args.other or "working tree"
        trees = {"base": unpack(args.base, Path(tmp, "base"))}
        trees["other"] = unpack(args.other, Path(tmp, "other")) if args.other else ROOT
        shims = {name: shim(tree, Path(tmp, f"shim-{name}")) for name, tree in trees.items()}
        saved = {name: Path(tmp, f"pairs-{name}.pickle") for name in trees}
        for name, tree in trees.items():
            prepare(shims[name], tree, args.docs, saved[name], data)
        runs = [(name, mode) for name in trees for mode in ("load", "score")]

        def count(run: tuple[str, str]) -> int:
            name, mode = run
            out = Path(tmp, f"callgrind-{name}-{mode}")
            return instructions(shims[name], trees[name], mode, saved[name], out)

        with ThreadPoolExecutor(max_workers=2) as pool:
            counts = dict(zip(runs, pool.map(count, runs), strict=True))
    print(f"{args.docs} synthetic document pairs, instructions (valgrind callgrind)\n")
    print("| tree | load (unpickle) | load + score | scoring |")
    print("| --- | ---: | ---: | ---: |")
    scoring = {}
    for name, label in (("base", args.base), ("other", other)):
        load, both = counts[name, "load"], counts[name, "score"]
        scoring[name] = both - load
        print(f"| {label} | {load:,} | {both:,} | {scoring[name]:,} |")
    print(f"\nscoring: {args.base} / {other} = {scoring['base'] / scoring['other']:.3f}x")


if __name__ == "__main__":
    main()
