"""The long fuzzing run: the targets of ``tests/test_fuzz.py`` with many more examples.

The test suite runs every fuzz target with 60 examples (fast). Before a release, or
after changing the reader, the validator or a converter, run::

    python benchmarks/fuzz_long.py                 # 5000 examples per target
    python benchmarks/fuzz_long.py --examples 50000
    python benchmarks/fuzz_long.py --atheris 600   # plus 600 s of coverage-guided fuzzing

Hypothesis stores failing examples in ``.hypothesis/`` and replays them first on the
next run. The optional ``--atheris SECONDS`` mode needs ``pip install atheris`` and feeds
coverage-guided random bytes to ``iter_jsonl`` and ``validate_record``; any exception
other than the documented outcome is a crash that atheris reports with its input.
Exit status: 0 when every target passed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_hypothesis(examples: int) -> int:
    """Run tests/test_fuzz.py with ``examples`` examples per target; return pytest's status."""
    env = {**os.environ, "NEWSBENCH_FUZZ_EXAMPLES": str(examples)}
    command = [sys.executable, "-m", "pytest", "-q", str(REPO / "tests" / "test_fuzz.py")]
    return subprocess.call(command, cwd=REPO, env=env)


def _atheris_target(data: bytes) -> None:
    from newsbench.schema.io import iter_jsonl
    from newsbench.schema.validate import validate_record

    with tempfile.NamedTemporaryFile(suffix=".jsonl") as handle:
        handle.write(data)
        handle.flush()
        for item in iter_jsonl(handle.name):
            if item.value is not None:
                validate_record(item.value, "prediction")
                validate_record(item.value, "document")


def run_atheris(seconds: int) -> int:
    """Fuzz the reader and the validator with atheris for ``seconds``; return 0 if no crash."""
    try:
        import atheris
    except ImportError:
        print("atheris is not installed: pip install atheris", file=sys.stderr)
        return 2
    with atheris.instrument_imports():
        import newsbench.schema.io
        import newsbench.schema.validate  # noqa: F401
    atheris.Setup([sys.argv[0], f"-max_total_time={seconds}"], _atheris_target)
    atheris.Fuzz()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run the long fuzzing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="examples per target")
    parser.add_argument("--atheris", type=int, metavar="SECONDS", help="also run atheris")
    args = parser.parse_args(argv)
    status = run_hypothesis(args.examples)
    if args.atheris and status == 0:
        status = run_atheris(args.atheris)
    return status


if __name__ == "__main__":
    sys.exit(main())
