"""newsbench: a hand-annotated news IE corpus and its evaluation harness.

::

    import newsbench
    report = newsbench.score("gold.jsonl", "predictions.jsonl")
    print(report["entities.strict"].f1)
    newsbench.assert_scores(report, {"entities.strict.f1": 0.5})  # in a test suite

This module is the ``newsbench`` package itself (the subpackages ``schema``, ``corpus``,
``eval`` and ``baselines`` live in their own folders); it imports nothing until one of
its names is used, so ``import newsbench.schema`` stays as light as before.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Report", "Score", "__version__", "assert_scores", "score"]


def __getattr__(name: str) -> Any:
    if name in ("score", "Report", "Score"):
        from newsbench.eval import api

        return getattr(api, name)
    if name == "assert_scores":  # the regression gate, for a test suite
        from newsbench.eval.gate import assert_scores

        return assert_scores
    if name == "__version__":
        from importlib.metadata import version

        return version("newsbench")
    raise AttributeError(f"module 'newsbench' has no attribute {name!r}")
