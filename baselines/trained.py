"""A trained baseline: linear token classifiers (scikit-learn) over hand-made features.

Protocol (also :data:`PROTOCOL`, printed by the report): the baseline is trained on the
gold it is evaluated on, so it is evaluated by **leave-one-paragraph-out
cross-validation**. For every paragraph of every training document there is one fold:
a model trained on every *other* paragraph (of all training documents) predicts that
paragraph, so no prediction comes from a model that saw its paragraph. ``extract``
receives only :class:`SourceDocument` objects (id, text, dct); it looks the document up
by id among the training documents to know the paragraph boundaries and hence which fold
model predicts which paragraph. A document that is not in the training set (or whose
text differs from the training document with its id) is split into paragraphs at line
breaks and predicted by a model trained on every training paragraph. Folds are trained
lazily, once, and cached.

Features of a token (tokens are the project token view, ``\\w+|[^\\w\\s]``): lower-cased
word, word shape (``Xx``, ``x``, ``X``, ``d``, punctuation as itself; repeated classes
collapsed), 3-character prefix and suffix, is-capitalised, is-sentence-initial (simple
sentence splitter, :func:`simple_sentences`), and the lower-cased words and shapes of
the tokens in a window of +-2. The previous *predicted* tag is not a feature: each token
is classified independently by a plain classifier (``DictVectorizer`` + ``LinearSVC``,
scikit-learn's default ``C=1``, ``class_weight="balanced"`` because every tag but ``O``
is rare, fixed ``random_state``).

What is predicted:

* **mentions** (spans, ``type``, ``mention_type``): one IOB2 model whose labels are
  ``<TYPE>.<MTYPE>`` (e.g. ``B-GPE.NAM``). IOB2 cannot hold nested mentions, so training
  uses one non-overlapping layer chosen by :func:`select_mention_layer`: NAM before NOM
  before PRO (then mentions without a mention type), and within a mention type the
  longer (outermost) mention first, then the earlier one. Every predicted mention is its
  own entity (no coreference).
* **events** (trigger spans and ``type``): an IOB2 model over trigger tokens labelled
  with the event type (overlapping gold triggers: the earlier, then longer, wins).
  ``realis``: a second small classifier over trigger features, or the constant majority
  value (``ACTUAL``) when the training fold has fewer than :data:`MIN_REALIS_MINORITY`
  non-majority examples. Arguments are **not** predicted (left out); each event is its
  own hopper.
* **attributions**: an IOB2 model over cue tokens; each predicted cue becomes an
  attribution by fixed rules (:func:`build_attributions`). Content: the rest of the
  sentence after the cue, starting after the first "that" among its first
  :data:`THAT_WINDOW` tokens (``told Reuters that ...``), final ``.!?`` dropped; for a
  sentence-final cue (only punctuation after it in its sentence), the clause from the
  sentence start to the last comma before the cue (no comma: up to the source). Source:
  the nearest predicted mention ending before the cue in its sentence (none: no
  attribution); the source span is that mention's span. Mode ``DIRECT`` if the content
  starts with a quotation mark, else ``INDIRECT``. Source class ``NAMED_PERSON`` for a
  PER NAM source, ``NAMED_ORGANIZATION`` for another NAM source, else ``UNNAMED``. No
  intermediary, no parent (nesting), one content span.

**Time expressions are not predicted.**

The classifier's tags are decoded to valid IOB2 by :func:`decode_iob2`: an ``I-X`` that
cannot continue the previous tag becomes ``B-X``. This is decoding of the model's own
output (each token is classified independently), not repair of input data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from newsbench.baselines.base import ExtractorUnavailable, SourceDocument
from newsbench.eval.bio import bio_to_offsets, offsets_to_bio
from newsbench.eval.spans import Span as LabelledSpan
from newsbench.schema.model import (
    Attribution,
    Document,
    Event,
    Mention,
    Source,
    Span,
)
from newsbench.schema.tokens import token_offsets

__all__ = [
    "PROTOCOL",
    "FoldInfo",
    "TrainedExtractor",
    "build_attributions",
    "decode_iob2",
    "select_mention_layer",
    "simple_sentences",
    "token_features",
    "word_shape",
]

PROTOCOL = (
    "trained on the training documents (the validation split unless another set is given; "
    "never the held-out test split): a training document is predicted by leave-one-"
    "paragraph-out cross-validation (each paragraph by a model trained on every other "
    "training paragraph), any other document by a model trained on all of them"
)
"""One-line statement of the evaluation protocol, for reports and leaderboards."""

INSTALL_HINT = "pip install 'newsbench[sklearn]'"
SEED = 0
C = 1.0
"""Regularisation of the linear SVMs (scikit-learn's default)."""
CLASS_WEIGHT: str | None = "balanced"
"""Class weights inversely proportional to label frequency (tags other than ``O`` are rare)."""
THAT_WINDOW = 8
"""A "that" among this many tokens after a cue opens the content (``told Reuters that``)."""
MIN_REALIS_MINORITY = 5
"""Fewer non-majority realis examples than this in a fold: predict the majority value."""

MENTION_TYPE_RANK: dict[str | None, int] = {"NAM": 0, "NOM": 1, "PRO": 2, None: 3}
CUE_LABEL = "CUE"
QUOTES = frozenset('"“”«»')
SENTENCE_END = frozenset(".!?")
_CLOSING = frozenset('"”’)')
_WINDOW = (-2, -1, 1, 2)


# ------------------------------------------------------------------ optional dependency


def _sklearn() -> tuple[Any, Any]:
    """Return ``(DictVectorizer, LinearSVC)``, imported lazily.

    Raises:
        ExtractorUnavailable: scikit-learn is not installed (with the install hint).
    """
    try:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.svm import LinearSVC
    except ImportError as exc:
        raise ExtractorUnavailable(
            f"the trained baseline needs scikit-learn ({exc}); install it with: {INSTALL_HINT}"
        ) from None
    return DictVectorizer, LinearSVC


# ------------------------------------------------------------------------- features


def word_shape(word: str) -> str:
    """Return the collapsed shape of ``word``: ``Syria`` -> ``Xx``, ``CNN`` -> ``X``.

    Upper-case letters map to ``X``, lower-case to ``x``, digits to ``d`` (``21`` -> ``d``),
    anything else to itself; runs of one class collapse to one character.
    """
    classes = []
    for char in word:
        if char.isupper():
            cls = "X"
        elif char.islower():
            cls = "x"
        elif char.isdigit():
            cls = "d"
        else:
            cls = char
        if not classes or classes[-1] != cls:
            classes.append(cls)
    return "".join(classes)


def simple_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences with a simple rule.

    A sentence ends after a ``.``, ``!`` or ``?`` token (and any closing quotes or
    brackets attached to it) when the next token starts with an upper-case letter, a
    digit or an opening quote; a ``.`` after a single capital letter (``U.S.``) never
    ends a sentence.

    Returns:
        ``(start, end)`` offsets from the first to the last token of each sentence.
    """
    tokens = token_offsets(text, start, end)
    sentences: list[tuple[int, int]] = []
    first = 0
    i = 0
    while i < len(tokens):
        s, e = tokens[i]
        if text[s:e] in SENTENCE_END:
            is_abbreviation = (
                text[s:e] == "."
                and i > 0
                and tokens[i - 1][1] == s
                and len(text[tokens[i - 1][0] : tokens[i - 1][1]]) == 1
                and text[tokens[i - 1][0]].isupper()
            )
            last = i
            while (
                last + 1 < len(tokens)
                and tokens[last + 1][0] == tokens[last][1]
                and text[tokens[last + 1][0]] in _CLOSING
            ):
                last += 1
            following = text[tokens[last + 1][0]] if last + 1 < len(tokens) else None
            opens = following is not None and (
                following.isupper() or following.isdigit() or following in QUOTES
            )
            if not is_abbreviation and (following is None or opens):
                sentences.append((tokens[first][0], tokens[last][1]))
                first = last + 1
                i = last + 1
                continue
        i += 1
    if first < len(tokens):
        sentences.append((tokens[first][0], tokens[-1][1]))
    return sentences


def _sentence_initial(
    offsets: Sequence[tuple[int, int]], sentences: Sequence[tuple[int, int]]
) -> list[bool]:
    starts = {s for s, _ in sentences}
    return [s in starts for s, _ in offsets]


def token_features(words: Sequence[str], initial: Sequence[bool]) -> list[dict[str, Any]]:
    """Return the feature dict of every token of one paragraph.

    Args:
        words: The token strings, in order.
        initial: Whether each token starts a sentence (same length as ``words``).
    """
    lowered = [w.lower() for w in words]
    shapes = [word_shape(w) for w in words]
    features = []
    for i, word in enumerate(words):
        lower = lowered[i]
        feats: dict[str, Any] = {
            "bias": 1,
            "w=" + lower: 1,
            "shape=" + shapes[i]: 1,
            "p3=" + lower[:3]: 1,
            "s3=" + lower[-3:]: 1,
            "cap": int(word[:1].isupper()),
            "init": int(initial[i]),
        }
        for offset in _WINDOW:
            j = i + offset
            if 0 <= j < len(words):
                feats[f"w[{offset}]=" + lowered[j]] = 1
                feats[f"shape[{offset}]=" + shapes[j]] = 1
            else:
                feats[f"w[{offset}]=" + ("<s>" if j < 0 else "</s>")] = 1
        features.append(feats)
    return features


def _realis_features(
    words: Sequence[str], first: int, last: int, event_type: str
) -> dict[str, Any]:
    trigger = " ".join(w.lower() for w in words[first : last + 1])
    feats: dict[str, Any] = {
        "bias": 1,
        "trigger=" + trigger: 1,
        "s3=" + words[last].lower()[-3:]: 1,
        "type=" + event_type: 1,
    }
    for offset in (-2, -1):
        j = first + offset
        feats[f"w[{offset}]=" + (words[j].lower() if j >= 0 else "<s>")] = 1
    j = last + 1
    feats["w[1]=" + (words[j].lower() if j < len(words) else "</s>")] = 1
    return feats


# --------------------------------------------------------------------- IOB2 helpers


def decode_iob2(tags: Sequence[str]) -> list[str]:
    """Make a classifier's independent per-token tags a valid IOB2 sequence.

    An ``I-X`` that does not follow ``B-X`` or ``I-X`` becomes ``B-X``. This decodes the
    model's output; it is not a repair of input annotations.
    """
    decoded: list[str] = []
    previous = "O"
    for tag in tags:
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        decoded.append(tag)
        previous = tag
    return decoded


def select_mention_layer(mentions: Iterable[Mention]) -> list[Mention]:
    """Choose the non-overlapping mentions that one IOB2 sequence can hold.

    Mentions are taken greedily in the order NAM, NOM, PRO, no mention type; within a
    mention type the longer (outermost) first, then the earlier, then by type; a mention
    that overlaps one already taken is dropped.

    Returns:
        The kept mentions in text order.
    """
    ordered = sorted(
        mentions,
        key=lambda m: (
            MENTION_TYPE_RANK.get(m.mention_type, len(MENTION_TYPE_RANK)),
            -(m.end - m.start),
            m.start,
            m.type,
        ),
    )
    kept: list[Mention] = []
    for mention in ordered:
        if all(mention.end <= k.start or k.end <= mention.start for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: (m.start, m.end))


def _non_overlapping(spans: Iterable[LabelledSpan]) -> list[LabelledSpan]:
    """Keep spans greedily in (start, longer first, label) order, dropping overlaps."""
    kept: list[LabelledSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start), s.label)):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def _tags(
    text: str,
    start: int,
    end: int,
    offsets: Sequence[tuple[int, int]],
    spans: Iterable[LabelledSpan],
) -> list[str]:
    """IOB2 tags of a paragraph's tokens; spans not on token boundaries are dropped."""
    starts = {s for s, _ in offsets}
    ends = {e for _, e in offsets}
    local = [
        LabelledSpan(s.start - start, s.end - start, s.label)
        for s in _non_overlapping(spans)
        if start <= s.start and s.end <= end and s.start in starts and s.end in ends
    ]
    _, tags = offsets_to_bio(text[start:end], local)
    return tags


def _decode_spans(offsets: Sequence[tuple[int, int]], tags: Sequence[str]) -> list[LabelledSpan]:
    return bio_to_offsets(list(offsets), decode_iob2(tags))


# ------------------------------------------------------------------- attributions


def _is_sentence_final(text: str, cue_end: int, sentence_end: int) -> bool:
    """True if only punctuation follows the cue up to the end of its sentence."""
    return all(not text[s].isalnum() for s, _ in token_offsets(text, cue_end, sentence_end))


def build_attributions(
    text: str,
    sentences: Sequence[tuple[int, int]],
    cues: Sequence[tuple[int, int]],
    mentions: Sequence[Mention],
    *,
    first_id: int = 1,
) -> list[Attribution]:
    """Turn predicted cue spans into attributions by the module's fixed rules.

    Args:
        text: The document text.
        sentences: Sentence ``(start, end)`` offsets.
        cues: Predicted cue ``(start, end)`` offsets.
        mentions: Predicted mentions (the candidate sources).
        first_id: Number of the first attribution id (``a<n>``).

    Returns:
        One attribution per cue that lies in a sentence, has a source mention before it
        in that sentence and yields non-empty content.
    """
    attributions: list[Attribution] = []
    number = first_id
    for cue_start, cue_end in sorted(cues):
        sentence = next(((s, e) for s, e in sentences if s <= cue_start and cue_end <= e), None)
        if sentence is None:
            continue
        s_start, s_end = sentence
        before = [m for m in mentions if s_start <= m.start and m.end <= cue_start]
        if not before:
            continue
        source = max(before, key=lambda m: (m.end, m.start))
        if _is_sentence_final(text, cue_end, s_end):
            commas = [s for s, _ in token_offsets(text, s_start, cue_start) if text[s] == ","]
            content_tokens = token_offsets(text, s_start, commas[-1] if commas else source.start)
        else:
            content_tokens = token_offsets(text, cue_end, s_end)
            words = [text[s:e].lower() for s, e in content_tokens[:THAT_WINDOW]]
            if "that" in words:
                content_tokens = content_tokens[words.index("that") + 1 :]
        while content_tokens and text[slice(*content_tokens[-1])] in SENTENCE_END:
            content_tokens = content_tokens[:-1]
        if not content_tokens:
            continue
        c_start, c_end = content_tokens[0][0], content_tokens[-1][1]
        if source.mention_type == "NAM":
            source_class = "NAMED_PERSON" if source.type == "PER" else "NAMED_ORGANIZATION"
        else:
            source_class = "UNNAMED"
        attributions.append(
            Attribution(
                id=f"a{number}",
                cue=(Span(cue_start, cue_end, text[cue_start:cue_end]),),
                content=(Span(c_start, c_end, text[c_start:c_end]),),
                source=Source(source.start, source.end, source.text, source.id),
                source_class=source_class,
                mode="DIRECT" if text[c_start] in QUOTES else "INDIRECT",
            )
        )
        number += 1
    return attributions


# ------------------------------------------------------------------ training units


@dataclass(frozen=True)
class _Unit:
    """One gold paragraph prepared for training: tokens, features and tags."""

    key: tuple[str, int]
    offsets: tuple[tuple[int, int], ...]
    features: tuple[dict[str, Any], ...]
    mention_tags: tuple[str, ...]
    event_tags: tuple[str, ...]
    cue_tags: tuple[str, ...]
    realis: tuple[tuple[dict[str, Any], str], ...]


def _paragraph_features(
    text: str, start: int, end: int
) -> tuple[list[tuple[int, int]], list[str], list[dict[str, Any]], list[tuple[int, int]]]:
    offsets = token_offsets(text, start, end)
    words = [text[s:e] for s, e in offsets]
    sentences = simple_sentences(text, start, end)
    return offsets, words, token_features(words, _sentence_initial(offsets, sentences)), sentences


def _paragraph_bounds(doc_text: str, paragraphs: Sequence[Any] | None) -> list[tuple[int, int]]:
    if paragraphs is not None:
        return [(p.start, p.end) for p in paragraphs]
    bounds = []
    for match in re.finditer(r"[^\n]+", doc_text):
        if match.group().strip():
            bounds.append(match.span())
    return bounds


def _units(doc: Document) -> list[_Unit]:
    """Prepare every paragraph of a gold document as a training unit."""
    text = doc.text
    units = []
    for index, (start, end) in enumerate(_paragraph_bounds(text, doc.paragraphs)):
        offsets, words, features, _ = _paragraph_features(text, start, end)
        inside = [m for m in doc.layer("mentions") if start <= m.start and m.end <= end]
        mention_spans = [
            LabelledSpan(m.start, m.end, f"{m.type}.{m.mention_type}" if m.mention_type else m.type)
            for m in select_mention_layer(inside)
        ]
        events = [
            e for e in doc.layer("events") if start <= e.trigger.start and e.trigger.end <= end
        ]
        event_spans = [LabelledSpan(e.trigger.start, e.trigger.end, e.type) for e in events]
        cue_spans = {
            LabelledSpan(c.start, c.end, CUE_LABEL)
            for a in doc.layer("attributions")
            for c in a.cue
            if start <= c.start and c.end <= end
        }
        index_of_start = {s: i for i, (s, _) in enumerate(offsets)}
        index_of_end = {e: i for i, (_, e) in enumerate(offsets)}
        realis = tuple(
            (
                _realis_features(
                    words, index_of_start[e.trigger.start], index_of_end[e.trigger.end], e.type
                ),
                e.realis,
            )
            for e in sorted(events, key=lambda e: (e.trigger.start, e.trigger.end, e.id))
            if e.realis is not None
            and e.trigger.start in index_of_start
            and e.trigger.end in index_of_end
        )
        units.append(
            _Unit(
                key=(doc.id, index),
                offsets=tuple(offsets),
                features=tuple(features),
                mention_tags=tuple(_tags(text, start, end, offsets, mention_spans)),
                event_tags=tuple(_tags(text, start, end, offsets, event_spans)),
                cue_tags=tuple(_tags(text, start, end, offsets, sorted(cue_spans))),
                realis=realis,
            )
        )
    return units


# -------------------------------------------------------------------------- models


class _Constant:
    """A classifier that always predicts one label (a fold with a single class)."""

    def __init__(self, label: str) -> None:
        self.label = label

    def predict(self, rows: Any) -> list[str]:
        return [self.label] * rows.shape[0]


@dataclass(frozen=True)
class _Models:
    """The classifiers of one fold and what they were trained on."""

    trained_on: frozenset[tuple[str, int]]
    training_tokens: int
    vectorizer: Any
    mentions: Any
    events: Any
    cues: Any
    realis_vectorizer: Any
    realis: Any


def _int32(rows: Any) -> Any:
    """Give a sparse matrix 32-bit indices (liblinear refuses 64-bit ones)."""
    rows = rows.tocsr()
    rows.indices = rows.indices.astype(np.int32)
    rows.indptr = rows.indptr.astype(np.int32)
    return rows


def _classifier(rows: Any, labels: Sequence[str]) -> Any:
    _, linear_svc = _sklearn()
    if len(set(labels)) < 2:
        return _Constant(labels[0] if labels else "O")
    model = linear_svc(C=C, class_weight=CLASS_WEIGHT, random_state=SEED)
    return model.fit(_int32(rows), list(labels))


def fit_models(units: Sequence[_Unit]) -> _Models:
    """Train the mention, trigger, cue and realis classifiers on ``units``."""
    dict_vectorizer, _ = _sklearn()
    features = [f for u in units for f in u.features]
    vectorizer = dict_vectorizer(sort=True)
    rows = vectorizer.fit_transform(features) if features else None
    models = {}
    for task in ("mention_tags", "event_tags", "cue_tags"):
        labels = [t for u in units for t in getattr(u, task)]
        models[task] = _classifier(rows, labels) if features else _Constant("O")
    examples = [r for u in units for r in u.realis]
    counts = Counter(label for _, label in examples)
    majority = min(counts, key=lambda k: (-counts[k], k)) if counts else "ACTUAL"
    realis_vectorizer: Any = None
    realis: Any = _Constant(majority)
    if sum(counts.values()) - counts[majority] >= MIN_REALIS_MINORITY:
        realis_vectorizer = dict_vectorizer(sort=True)
        realis_rows = realis_vectorizer.fit_transform([f for f, _ in examples])
        realis = _classifier(realis_rows, [label for _, label in examples])
    return _Models(
        trained_on=frozenset(u.key for u in units),
        training_tokens=len(features),
        vectorizer=vectorizer,
        mentions=models["mention_tags"],
        events=models["event_tags"],
        cues=models["cue_tags"],
        realis_vectorizer=realis_vectorizer,
        realis=realis,
    )


@dataclass(frozen=True)
class FoldInfo:
    """One cross-validation fold, for the report.

    Attributes:
        document: Id of the document whose paragraph is held out.
        paragraph: Index of the held-out paragraph in that document.
        held_out_tokens: Tokens of the held-out paragraph.
        training_tokens: Tokens the fold's model is trained on.
        training_paragraphs: Paragraphs the fold's model is trained on.
    """

    document: str
    paragraph: int
    held_out_tokens: int
    training_tokens: int
    training_paragraphs: int


# ----------------------------------------------------------------------- extractor


class TrainedExtractor:
    """Linear token classifiers for mentions, event triggers and attribution cues.

    Evaluated by leave-one-paragraph-out cross-validation over ``training`` (see the
    module docstring and :attr:`protocol`). Time expressions are not predicted.

    Args:
        training: The gold documents to train (and cross-validate) on.

    Raises:
        ExtractorUnavailable: scikit-learn is missing, or there is no training data.
    """

    name = "sklearn"
    layers: frozenset[str] = frozenset({"mentions", "events", "attributions"})
    protocol: str = PROTOCOL

    def __init__(self, training: Sequence[Document] | None = None) -> None:
        _sklearn()
        if not training:
            raise ExtractorUnavailable(
                "the trained baseline needs gold training documents (training=...)"
            )
        self._documents: dict[str, Document] = {}
        self._units: list[_Unit] = []
        for doc in training:
            if doc.id in self._documents:
                raise ValueError(f"duplicate training document id {doc.id!r}")
            self._documents[doc.id] = doc
            self._units.extend(_units(doc))
        self._cache: dict[tuple[str, int] | None, _Models] = {}

    # -- folds

    @property
    def n_folds(self) -> int:
        """Number of cross-validation folds (one per training paragraph)."""
        return len(self._units)

    @property
    def folds(self) -> list[FoldInfo]:
        """Every fold, in document and paragraph order."""
        total = sum(len(u.offsets) for u in self._units)
        return [
            FoldInfo(
                document=u.key[0],
                paragraph=u.key[1],
                held_out_tokens=len(u.offsets),
                training_tokens=total - len(u.offsets),
                training_paragraphs=len(self._units) - 1,
            )
            for u in self._units
        ]

    def describe(self) -> dict[str, Any]:
        """Return the protocol and fold summary as a JSON-ready dict."""
        folds = self.folds
        return {
            "protocol": self.protocol,
            "folds": len(folds),
            "training_tokens_total": sum(len(u.offsets) for u in self._units),
            "training_tokens_per_fold": [f.training_tokens for f in folds],
            "predicts": sorted(self.layers),
            "not_predicted": ["time_expressions", "event arguments", "coreference"],
        }

    def models_for(self, held_out: tuple[str, int] | None) -> _Models:
        """Return (training once) the models that never saw paragraph ``held_out``.

        Args:
            held_out: ``(document id, paragraph index)``, or ``None`` for the model
                trained on every training paragraph.
        """
        if held_out not in self._cache:
            self._cache[held_out] = fit_models([u for u in self._units if u.key != held_out])
        return self._cache[held_out]

    # -- prediction

    def extract(self, documents: Iterable[SourceDocument]) -> Iterator[Document]:
        """Yield one prediction per document, each paragraph predicted by its fold model."""
        for source in documents:
            gold = self._documents.get(source.id)
            known = gold is not None and gold.text == source.text
            bounds = _paragraph_bounds(source.text, gold.paragraphs if known and gold else None)
            mentions: list[Mention] = []
            events: list[Event] = []
            attributions: list[Attribution] = []
            for index, (start, end) in enumerate(bounds):
                models = self.models_for((source.id, index) if known else None)
                self._predict_paragraph(
                    source.text, start, end, models, mentions, events, attributions
                )
            yield Document(
                id=source.id,
                text=source.text,
                mentions=tuple(mentions),
                events=tuple(events),
                attributions=tuple(attributions),
            )

    def _predict_paragraph(
        self,
        text: str,
        start: int,
        end: int,
        models: _Models,
        mentions: list[Mention],
        events: list[Event],
        attributions: list[Attribution],
    ) -> None:
        offsets, words, features, sentences = _paragraph_features(text, start, end)
        if not offsets:
            return
        rows = models.vectorizer.transform(features)
        paragraph_mentions = []
        for span in _decode_spans(offsets, list(models.mentions.predict(rows))):
            entity_type, _, mention_type = span.label.partition(".")
            number = len(mentions) + 1
            mention = Mention(
                id=f"m{number}",
                start=span.start,
                end=span.end,
                text=text[span.start : span.end],
                type=entity_type,
                mention_type=mention_type or None,
                entity=f"E{number}",
            )
            mentions.append(mention)
            paragraph_mentions.append(mention)
        index_of_start = {s: i for i, (s, _) in enumerate(offsets)}
        index_of_end = {e: i for i, (_, e) in enumerate(offsets)}
        for span in _decode_spans(offsets, list(models.events.predict(rows))):
            if models.realis_vectorizer is None:
                realis = models.realis.label
            else:
                feats = _realis_features(
                    words, index_of_start[span.start], index_of_end[span.end], span.label
                )
                realis = str(models.realis.predict(models.realis_vectorizer.transform([feats]))[0])
            number = len(events) + 1
            events.append(
                Event(
                    id=f"ev{number}",
                    type=span.label,
                    trigger=Span(span.start, span.end, text[span.start : span.end]),
                    realis=realis,
                    hopper=f"H{number}",
                )
            )
        cues = [(s.start, s.end) for s in _decode_spans(offsets, list(models.cues.predict(rows)))]
        attributions.extend(
            build_attributions(
                text, sentences, cues, paragraph_mentions, first_id=len(attributions) + 1
            )
        )
