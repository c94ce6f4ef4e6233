"""Seeds and resample counts out of range are usage errors as the arguments are parsed."""

from __future__ import annotations

import argparse

import pytest

from newsbench.eval.arguments import MAX_SEED, random_seed, resample_count
from newsbench.eval.cli import main

COMMANDS = {
    "score": ["score", "--gold", "g.jsonl", "--pred", "p.jsonl"],
    "compare": ["compare", "a.json", "b.json"],
    "robustness": ["robustness", "a.json", "b.json"],
    "perturb": ["perturb", "--out-dir", "out"],
    "bench": ["bench", "--only", "floor"],
    "leaderboard": ["leaderboard"],
}
CASES = [
    (command, flag, value)
    for command, flag in [
        ("score", "--seed"), ("score", "--resamples"), ("compare", "--seed"),
        ("compare", "--resamples"), ("robustness", "--seed"), ("robustness", "--resamples"),
        ("perturb", "--seed"), ("bench", "--resamples"), ("leaderboard", "--resamples"),
    ]
    for value in (["-1", str(MAX_SEED + 1), "1.5"] if flag == "--seed" else ["-1", "0", "x"])
]  # fmt: skip


@pytest.mark.parametrize(("command", "flag", "value"), CASES)
def test_a_value_out_of_range_is_refused_before_anything_is_read(
    command: str, flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as refused:
        main([*COMMANDS[command], flag, value])
    assert refused.value.code == 2
    err = capsys.readouterr().err
    assert f"error: argument {flag}: " in err and "Traceback" not in err


def test_the_messages_say_what_to_give() -> None:
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        random_seed("-1")
    assert "give a seed from 0 to 9223372036854775807" in str(caught.value)
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        random_seed("1.5")
    assert str(caught.value) == "'1.5' is not a whole number"
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        resample_count("0")
    assert "resamples of at least 1" in str(caught.value)
    assert random_seed(str(MAX_SEED)) == MAX_SEED and random_seed("0") == 0
    assert resample_count("1") == 1
