"""What a trained extractor learns from: the validation split, or --train; never the test split."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from newsbench.baselines.base import ExtractorConfigError, ExtractorNameError, SourceDocument
from newsbench.baselines.runner import build_extractor
from newsbench.corpus import gold_path, perturbed_gold_path
from newsbench.eval.cli import main
from newsbench.schema.model import Document
from newsbench.schema.validate import load_documents


class RecordingExtractor:
    """Predicts nothing; remembers the ids it was trained on."""

    name = "recording"
    layers = frozenset({"mentions"})
    trained_on: ClassVar[list[str]] = []

    def __init__(self, training: list[Document]) -> None:
        RecordingExtractor.trained_on = [d.id for d in training]

    def extract(self, documents: Iterable[SourceDocument]) -> Iterator[Document]:
        for document in documents:
            yield Document(document.id, document.text, mentions=())


class NeedsAPath:
    name = "needs"
    layers = frozenset({"mentions"})

    def __init__(self, model_path: str) -> None:
        self.model_path = model_path


def test_run_trains_on_the_validation_split_by_default(tmp_path: Path) -> None:
    validation = [d.id for d in load_documents(gold_path("validation"))]
    for split in ("test", "validation"):
        out = tmp_path / f"{split}.jsonl"
        argv = ["run", f"{__name__}:RecordingExtractor", "--split", split, "--out", str(out)]
        assert main(argv) == 0
        assert RecordingExtractor.trained_on == validation, split


def test_run_trains_on_what_train_names(tmp_path: Path) -> None:
    mine = tmp_path / "mine.jsonl"
    mine.write_bytes(gold_path("validation").read_bytes())
    out = tmp_path / "p.jsonl"
    argv = ["run", f"{__name__}:RecordingExtractor", "--train", str(mine), "--out", str(out)]
    assert main(argv) == 0
    assert RecordingExtractor.trained_on == [d.id for d in load_documents(mine)]


@pytest.mark.parametrize(
    "train", [gold_path("test"), perturbed_gold_path("names-invented", "test")], ids=str
)
def test_the_held_out_test_split_is_never_trained_on(tmp_path, capsys, train) -> None:
    out = tmp_path / "p.jsonl"
    argv = ["run", f"{__name__}:RecordingExtractor", "--train", str(train), "--out", str(out)]
    assert main(argv) == 2
    assert "training documents of the held-out test split" in capsys.readouterr().err
    assert not out.exists()
    test = load_documents(gold_path("test"))
    with pytest.raises(ExtractorConfigError, match="never trained on"):
        build_extractor(f"{__name__}:RecordingExtractor", test)  # the gold itself, by default


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (f"{__name__}:NeedsAPath", "missing 1 required positional argument: 'model_path'"),
        ("collections:OrderedDict", "no signature found"),
    ],
)
def test_a_class_that_cannot_be_built_is_a_usage_error(tmp_path, capsys, name, message) -> None:
    with pytest.raises(ExtractorNameError, match="cannot build"):
        build_extractor(name, [])
    assert main(["run", name, "--split", "validation", "--out", str(tmp_path / "p.jsonl")]) == 2
    err = capsys.readouterr().err
    assert f"cannot build {name!r}" in err and message in err and "Traceback" not in err
