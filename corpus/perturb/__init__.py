"""Perturbed copies of a gold document with the gold carried over exactly.

Every perturbation is an :class:`~newsbench.corpus.perturb.edits.EditScript` over the
original text, and :func:`~newsbench.corpus.perturb.transfer.transfer` maps every span
through it; no offset is typed or searched for. The perturbations (seeded,
deterministic, each its own named set):

- ``names-invented``: every named cluster gets one invented substitute of its type and
  shape, in every occurrence (:mod:`.names`);
- ``names-real``: the same with real names from other regions (the package word lists);
- ``dates-shifted``: the DCT moves by whole weeks, written years by whole years, every
  TIMEX value is recomputed (:mod:`.dates`);
- ``counterfactual``: ``names-invented`` and then ``dates-shifted``;
- ``lowercase``, ``uppercase``: letter case only, offsets unchanged (:mod:`.noise`);
- ``typos``: seeded letter swaps, drops and doubles in words outside every annotated
  span (:data:`~newsbench.corpus.perturb.noise.TYPO_RATE` of them).
"""

from __future__ import annotations

from dataclasses import replace

from newsbench.corpus import PERTURBATIONS
from newsbench.corpus.perturb.dates import dates_shifted
from newsbench.corpus.perturb.edits import Edit, EditScript, SpanCrossesEdit
from newsbench.corpus.perturb.names import (
    NameSubstitutionError,
    plan_substitution,
    remaining_forms,
    substitution_script,
)
from newsbench.corpus.perturb.noise import TYPO_RATE, casing_script, typo_script
from newsbench.corpus.perturb.transfer import transfer
from newsbench.schema.model import Document

__all__ = [
    "TYPO_RATE",
    "Edit",
    "EditScript",
    "NameSubstitutionError",
    "SpanCrossesEdit",
    "perturb_document",
    "transfer",
]


def _names(document: Document, kind: str, seed: int) -> Document:
    plan = plan_substitution(document, kind, seed)
    copy = transfer(document, substitution_script(document, plan))
    left = remaining_forms(copy, plan)
    if left:
        raise NameSubstitutionError(
            f"document {document.id!r}: {kind} left original names in the text: {', '.join(left)}"
        )
    return copy


def _dates(document: Document, seed: int) -> Document:
    script, values, new_dct = dates_shifted(document, seed)
    copy = transfer(document, script, timex_values=values)
    if copy.metadata is not None:
        copy = replace(copy, metadata=replace(copy.metadata, dct=new_dct))
    return copy


def perturb_document(document: Document, name: str, *, seed: int) -> Document:
    """The perturbed copy ``name`` of a document (same id; the text is no source file).

    The copy's metadata keeps the original's, except the DCT (``dates-shifted``), the
    source file's sha256, which no longer describes the text, and the title, which is not
    annotated and would name the original's names and dates beside a text that no longer
    does; the caller records the perturbation
    (:func:`newsbench.corpus.perturbed.perturb_documents`).

    Raises:
        ValueError: an unknown perturbation.
        SpanCrossesEdit, NameSubstitutionError: the copy cannot be made exactly.
    """
    if name in ("names-invented", "names-real"):
        copy = _names(document, name, seed)
    elif name == "dates-shifted":
        copy = _dates(document, seed)
    elif name == "counterfactual":
        copy = _dates(_names(document, "names-invented", seed), seed)
    elif name in ("lowercase", "uppercase"):
        copy = transfer(document, casing_script(document.text, name))
    elif name == "typos":
        copy = transfer(document, typo_script(document, seed=seed))
    else:
        raise ValueError(f"unknown perturbation {name!r}: choose one of {', '.join(PERTURBATIONS)}")
    if copy.metadata is not None:
        copy = replace(copy, metadata=replace(copy.metadata, source_sha256=None, title=None))
    return copy
