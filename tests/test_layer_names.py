"""A layer requested twice is refused on every path, before any scoring (it would be
scored, counted and listed twice)."""

from __future__ import annotations

import pytest

import newsbench
from newsbench.eval.blocks import score_files_in_blocks
from newsbench.eval.cli import main
from newsbench.eval.harness import ScoringConfig, check_layer_names, score_documents, score_stream
from newsbench.eval.pairing import pair_documents
from newsbench.eval.streaming import score_files_streamed
from newsbench.schema.validate import load_documents
from tests.synthetic_files import write_synthetic

CONFIG = ScoringConfig(n_resamples=50)
TWICE = ["mentions", "time_expressions", "mentions"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_synthetic(tmp_path_factory.mktemp("layers"), 4, seed=3, n_chars=400)


def test_check_layer_names():
    check_layer_names(None)
    check_layer_names(["mentions", "events"])
    with pytest.raises(ValueError, match=r"the layer\(s\) mentions are requested more than once"):
        check_layer_names(TWICE)


@pytest.mark.parametrize("flags", [[], ["--stream"], ["--jobs", "2"]])
def test_the_command_refuses_a_layer_named_twice(files, tmp_path, capsys, flags):
    gold, pred = files
    out = tmp_path / "r.json"
    args = ["score", "--gold", str(gold), "--pred", str(pred), "--out", str(out), "--layers"]
    assert main([*args, *TWICE, *flags]) == 2
    assert "--layers: the layer(s) mentions are requested more than once" in capsys.readouterr().err
    assert not out.exists()


CALLS = {
    "score_documents": lambda gold, pred, pairs: score_documents(pairs, CONFIG, layers=TWICE),
    "score_stream": lambda gold, pred, pairs: score_stream(iter(pairs), CONFIG, layers=TWICE),
    "score_files_streamed": lambda gold, pred, pairs: score_files_streamed(
        gold, pred, CONFIG, layers=TWICE
    ),
    "score_files_in_blocks": lambda gold, pred, pairs: score_files_in_blocks(
        gold, pred, CONFIG, layers=TWICE
    ),
    "newsbench.score": lambda gold, pred, pairs: newsbench.score(gold, pred, layers=TWICE),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_every_scoring_function_refuses_a_layer_named_twice(files, name):
    gold, pred = files
    pairs = pair_documents(load_documents(gold), load_documents(pred, "prediction"))
    with pytest.raises(ValueError, match="requested more than once"):
        CALLS[name](gold, pred, pairs)
