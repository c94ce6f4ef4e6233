"""The wheel holds only ``newsbench/``; installed in a fresh venv, the CLI runs outside the repo."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, repo_root) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(repo_root),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (path,) = out.glob("newsbench-*.whl")
    return path


def test_wheel_has_only_the_newsbench_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    dist_info = {t for t in top if t.endswith(".dist-info")}
    assert top - dist_info == {"newsbench"}
    assert len(dist_info) == 1
    for required in (
        "newsbench/schema/document.schema.json",
        "newsbench/schema/prediction.schema.json",
        "newsbench/corpus/data/__init__.py",
        "newsbench/eval/cli.py",
    ):
        assert required in names
    # The package's own module (newsbench.score) from eval/package_root, and nothing else of it.
    assert "newsbench/__init__.py" in names
    assert not [n for n in names if "package_root" in n]


def test_installed_wheel_runs_outside_the_repo(wheel, tmp_path, mini_record):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    from newsbench.schema.io import write_jsonl

    data = outside / "gold.jsonl"
    write_jsonl(data, [mini_record])
    script = env_dir / "bin" / "newsbench"
    ok = subprocess.run(
        [str(script), "validate", str(data)],
        cwd=outside,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    where = subprocess.run(
        [str(python), "-c", "import newsbench.schema as s; print(s.__file__)"],
        cwd=outside,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(env_dir) in where.stdout
    three_lines = subprocess.run(
        [
            str(python),
            "-c",
            "import newsbench; r = newsbench.score('gold.jsonl', 'gold.jsonl', n_resamples=10); "
            "print(newsbench.__version__, r['entities.strict'].f1)",
        ],
        cwd=outside,
        capture_output=True,
        text=True,
        check=False,
    )
    assert three_lines.returncode == 0, three_lines.stderr
    assert three_lines.stdout.split() == ["0.1.0", "1.0"]
    usage = subprocess.run(
        [str(python), "-m", "newsbench.eval", "nope"],
        cwd=outside,
        capture_output=True,
        text=True,
        check=False,
    )
    assert usage.returncode == 2
