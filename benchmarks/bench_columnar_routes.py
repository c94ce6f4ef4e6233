"""What a columnar rewrite would start from: the cost of getting spans out of the files.

Not a test. Run from the repository root::

    python benchmarks/bench_columnar_routes.py                     # N = 10,000, 2 rounds
    python benchmarks/bench_columnar_routes.py --documents 1000 --rounds 3

Every columnar scorer first needs each layer's spans as arrays. This times, each in a
fresh process (a command pays its first call), alternating, on the synthetic gold and
predictions of ``bench_harness.py``:

* ``floor``: orjson over every line, results dropped (the parse floor of the targets);
* ``python``: orjson, then the start, end, type and document of every mention, time
  expression and event trigger pulled into lists and arrays (nothing validated);
* ``arrow``: ``pyarrow.json.read_json`` (C++, the whole file into columns), then the same
  fields flattened to arrays, with its thread pool and with one thread;
* ``numba``: only where numba is installed (it is no dependency): its import, and the
  first call of a cached merge kernel over 2,000,000 rows (compiled in the first round,
  loaded from the cache after), then a second call.

Each route's time counts its own imports (orjson, numpy, pyarrow), as a command pays
them, and not the interpreter's start. Each is also given as a multiple of the floor
measured in the same round.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_harness import data_dir  # noqa: E402

_ROUTE = r"""
import sys, time
route, gold, pred = sys.argv[1:4]
files = (gold, pred)
start = time.perf_counter()
if route == "floor":
    import orjson
    for path in files:
        with open(path, "rb") as handle:
            for line in handle:
                orjson.loads(line)
elif route == "python":
    import numpy as np, orjson
    for path in files:
        starts, ends, types, docs = [], [], [], []
        with open(path, "rb") as handle:
            for k, line in enumerate(handle):
                document = orjson.loads(line)
                for span in document.get("mentions", ()):
                    starts.append(span["start"]); ends.append(span["end"])
                    types.append(span["type"]); docs.append(k)
                for span in document.get("time_expressions", ()):
                    starts.append(span["start"]); ends.append(span["end"])
                    types.append(span["type"]); docs.append(k)
                for event in document.get("events", ()):
                    trigger = event["trigger"]
                    starts.append(trigger["start"]); ends.append(trigger["end"])
                    types.append(event["type"]); docs.append(k)
        np.array(starts), np.array(ends), np.array(docs)
elif route.startswith("arrow"):
    import pyarrow.compute as pc, pyarrow.json as pj
    options = pj.ReadOptions(block_size=1 << 24, use_threads=route == "arrow")
    for path in files:
        table = pj.read_json(path, read_options=options).combine_chunks()
        for layer in ("mentions", "time_expressions", "events"):
            column = table[layer].chunk(0)
            flat = pc.list_flatten(column)
            spans = flat.field("trigger") if layer == "events" else flat
            spans.field("start").to_numpy(), spans.field("end").to_numpy()
            flat.field("type"), pc.list_parent_indices(column).to_numpy()
elif route == "numba":
    import numpy as np
    imported = time.perf_counter()
    import numba
    numba_imported = time.perf_counter()

    @numba.njit(cache=True)
    def exact_matches(doc, begin, end, kind, pdoc, pbegin, pend, pkind):
        i = j = found = 0
        while i < doc.size and j < pdoc.size:
            a = (doc[i], begin[i], end[i], kind[i])
            b = (pdoc[j], pbegin[j], pend[j], pkind[j])
            if a == b:
                found += 1; i += 1; j += 1
            elif a < b:
                i += 1
            else:
                j += 1
        return found

    rng = np.random.default_rng(0)
    rows = [np.sort(rng.integers(0, 10_000, 2_000_000))]
    rows += [rng.integers(0, 2_000, 2_000_000) for _ in range(3)]
    called = time.perf_counter()
    exact_matches(*rows, *rows)
    first = time.perf_counter()
    exact_matches(*rows, *rows)
    second = time.perf_counter()
    print(f"{numba_imported - imported:.3f} {first - called:.3f} {second - first:.4f}")
    sys.exit(0)
print(f"{time.perf_counter() - start:.3f}")
"""


def run(route: str, folder: Path, scratch: str) -> str:
    """One route in a fresh process (a script file: numba caches only what a file
    defines); what it prints."""
    script = Path(scratch, "route.py")
    if not script.exists():
        script.write_text(_ROUTE, "utf-8")
    files = [str(folder / "gold.jsonl"), str(folder / "pred.jsonl")]
    done = subprocess.run(
        [sys.executable, str(script), route, *files],
        capture_output=True,
        text=True,
        check=True,
        env={"NUMBA_CACHE_DIR": scratch, "PATH": "/usr/bin:/bin"},
    )
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    folder = data_dir(args.documents)
    routes = ["floor", "python", "arrow", "arrow-one-thread"]
    print(f"{args.documents:,} documents (gold + predictions), seconds and x the floor")
    print(f"| round | {' | '.join(routes)} |")
    print(f"| ---: | {' | '.join('---:' for _ in routes)} |")
    with tempfile.TemporaryDirectory(prefix="newsbench-numba-") as scratch:
        for number in range(1, args.rounds + 1):
            seconds = [float(run(route, folder, scratch)) for route in routes]
            cells = [f"{s:.3f} s = {s / seconds[0]:.2f}x" for s in seconds]
            print(f"| {number} | {' | '.join(cells)} |", flush=True)
        if importlib.util.find_spec("numba") is None:
            print("numba: not installed (pip install numba to measure it)")
            return
        for number in range(1, args.rounds + 1):
            imported, first, second = run("numba", folder, scratch).split()
            print(
                f"numba, round {number}: import {imported} s; first call of the kernel "
                f"(2,000,000 rows; {'compiled' if number == 1 else 'from the cache'}) "
                f"{first} s; second call {second} s"
            )


if __name__ == "__main__":
    main()
