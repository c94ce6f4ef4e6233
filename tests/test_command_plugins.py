"""The harness never imports the corpus or the baselines; they plug in through entry points."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from newsbench.corpus.commands import NotAClone, require_clone
from newsbench.eval.cli import build_parser, main


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_eval_imports_neither_corpus_nor_baselines(repo_root):
    offenders = {
        str(path.relative_to(repo_root)): sorted(
            name
            for name in _imports(path)
            if name.startswith(("newsbench.corpus", "newsbench.baselines"))
        )
        for path in (repo_root / "eval").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_python_api_loads_no_corpus_module(tmp_path, mini_record):
    from newsbench.schema.io import write_jsonl

    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, [mini_record])
    code = (
        "import sys, newsbench; "
        f"r = newsbench.score({str(gold)!r}, {str(gold)!r}, n_resamples=10); "
        "print(r['entities.strict'].f1, sorted(m for m in sys.modules "
        "if m.startswith(('newsbench.corpus', 'newsbench.baselines'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["1.0", "[]"]


def test_stats_and_build_corpus_are_plugins():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"stats", "build-corpus", "run", "export", "import"} <= set(commands)
    assert commands["build-corpus"].get_default("may_write_gold") is True
    assert commands["score"].get_default("may_write_gold") is None


def test_writing_commands_refuse_to_run_outside_a_clone(tmp_path, repo_root, capsys):
    require_clone("build-corpus", repo_root)  # a clone: no error
    installed = tmp_path / "site-packages" / "newsbench"
    (installed / "corpus").mkdir(parents=True)
    with pytest.raises(NotAClone, match="runs only in a clone"):
        require_clone("build-corpus", installed)


@pytest.mark.parametrize("command", ["build-corpus", "leaderboard"])
def test_the_refusal_is_one_line_and_exit_2(monkeypatch, tmp_path, capsys, command):
    import newsbench.corpus.commands as commands

    monkeypatch.setattr(commands, "REPO_ROOT", tmp_path)  # as if installed in site-packages
    assert main([command]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"newsbench: error: newsbench {command} rebuilds files")
    assert str(tmp_path) in line


def test_every_option_has_help_that_names_its_default():
    import argparse

    parser = build_parser()
    subcommands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    missing = []
    for name, sub in sorted(subcommands.items()):
        formatter = sub._get_formatter()
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            text = formatter._get_help_string(action) or ""
            if not text:
                missing.append((name, action.dest, "no help"))
            elif (
                action.option_strings
                and action.default not in (None, False)
                and "default" not in text
            ):
                missing.append((name, action.dest, "no default"))
    assert missing == []
    assert "(default: 1000)" in subcommands["score"].format_help()


def test_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"newsbench {version('newsbench')} (schema 1.2.0)"
