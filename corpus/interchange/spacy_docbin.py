"""spaCy ``DocBin`` (``<stem>.spacy``): one ``Doc`` per document, every layer.

Each ``Doc`` is built on the project token view (:mod:`newsbench.schema.tokens`) with
whitespace kept exactly (``doc.text`` is the document text), so every span that starts
and ends on a word boundary is a token span. spaCy character offsets are Python ``str``
indices, like newsbench offsets.

* ``doc.ents``: the named (``NAM``) mentions, outermost on overlap (as in the ``ner``
  config), label = entity type, ``kb_id_`` = the entity (cluster) id.
* ``doc.spans["mentions"]``: every mention in layer order, label = entity type.
  ``doc.user_data["mentions"]`` lists ``{"id", "mention_type", "entity"}`` for each span
  of the group, in the same order (``null`` = not given).
* ``doc.spans["timex"]``: the time expressions, label = TIMEX type;
  ``doc.user_data["time_expressions"]`` lists ``{"id", "value"}``.
* ``doc.spans["paragraphs"|"sentences"|"zones"]``: the structure layers (zones labelled
  with their type); ``doc.user_data[<layer>]`` lists ``{"id"}``.
* ``doc.user_data["events"]`` and ``["attributions"]``: the layers as schema JSON objects.
* ``doc.user_data["id"]``, ``["metadata"]`` and ``["layers"]`` (the layers the document
  gives, so a missing layer and an empty one differ).

A span group of a layer that is not given is absent. The import rebuilds the schema object
from the span groups and ``user_data`` and validates it; the file and the layout are read
by :mod:`newsbench.eval.converters` (``read_docbin``, ``doc_to_record``), the same reader
``newsbench score --pred-format docbin`` uses (there, ``--span-key mentions`` reads the
mention layer and ``--timex-from-ents`` the ``timex`` group). spaCy is optional
(``pip install 'newsbench[spacy]'``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsbench.corpus.interchange import SPACY_INSTALL_HINT, ImportErrors, finish_record
from newsbench.eval.converters import JSON_LAYERS, SPAN_GROUPS, doc_to_record, read_docbin
from newsbench.schema.contract import SchemaKind
from newsbench.schema.io import atomic_output
from newsbench.schema.model import LAYERS, Document, document_to_dict
from newsbench.schema.tokens import token_offsets

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

__all__ = ["doc_to_record", "docbin_to_documents", "document_to_doc", "export", "import_"]


def _require_spacy() -> Any:
    try:
        import spacy
    except ImportError as error:
        raise ImportError(f"the spaCy format needs spaCy: {SPACY_INSTALL_HINT}") from error
    return spacy


def _words(text: str) -> tuple[list[str], list[bool]]:
    """Return spaCy words and trailing-space flags that reproduce ``text`` exactly."""
    words: list[str] = []
    spaces: list[bool] = []
    position = 0
    for start, end in [*token_offsets(text), (len(text), len(text))]:
        gap = text[position:start]
        if gap:
            if words and not spaces[-1] and gap[0] == " ":
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap)
                spaces.append(False)
        if end > start:
            words.append(text[start:end])
            spaces.append(False)
        position = end
    return words, spaces


def document_to_doc(document: Document, vocab: Vocab) -> Doc:
    """Return the spaCy ``Doc`` of ``document`` (see the module docstring).

    Raises:
        ValueError: If a span does not start and end on token boundaries.
    """
    _require_spacy()
    from spacy.tokens import Doc

    words, spaces = _words(document.text)
    doc = Doc(vocab, words=words, spaces=spaces)
    assert doc.text == document.text

    def span(start: int, end: int, label: str, what: str) -> Any:
        found = doc.char_span(start, end, label=label, alignment_mode="strict")
        if found is None:
            raise ValueError(
                f"{document.id}: {what} [{start}, {end}) {document.text[start:end]!r} does not "
                "start and end on token boundaries; a spaCy Doc cannot hold it"
            )
        return found

    record = document_to_dict(document)
    given = [name for name in LAYERS if getattr(document, name) is not None]
    user: dict[str, Any] = {"id": document.id, "layers": given}
    if "metadata" in record:
        user["metadata"] = record["metadata"]
    for layer, key in SPAN_GROUPS.items():
        if layer not in given:
            continue
        spans = []
        extra = []
        for item in record[layer]:
            label = item.get("type", layer[:-1] if layer != "time_expressions" else "timex")
            spans.append(span(item["start"], item["end"], label, f"{layer} {item['id']}"))
            if layer == "mentions":
                extra.append(
                    {
                        "id": item["id"],
                        "mention_type": item.get("mention_type"),
                        "entity": item.get("entity"),
                    }
                )
            elif layer == "time_expressions":
                extra.append({"id": item["id"], "value": item.get("value")})
            else:
                extra.append({"id": item["id"]})
        doc.spans[key] = spans
        user[layer] = extra
    for layer in JSON_LAYERS:
        if layer in given:
            user[layer] = record[layer]
    from newsbench.corpus.interchange.conll import iob2_mentions

    ents = []
    for m in iob2_mentions(document, ("NAM",)):
        ent = span(m.start, m.end, m.type, f"mention {m.id}")
        if m.entity is not None:
            ent.kb_id_ = m.entity
        ents.append(ent)
    doc.ents = ents
    doc.user_data.update(user)
    return doc


def docbin_to_documents(
    path: str | Path, kind: SchemaKind = "document", vocab: Vocab | None = None
) -> list[Document]:
    """Read a ``DocBin`` file back into validated documents.

    The file is read by :func:`newsbench.eval.converters.read_docbin` and each ``Doc`` by
    :func:`newsbench.eval.converters.doc_to_record`: the one reader that
    ``newsbench score --pred-format docbin`` uses too.

    Raises:
        DataError: With every problem; ``document`` names the ``Doc`` (a format problem
            before its id is known has the path ``/docs/<index>/...``).
        ImportError: If spaCy is not installed.
    """
    _require_spacy()
    docs = read_docbin(path, vocab)
    out = ImportErrors(path)
    documents = []
    for index, doc in enumerate(docs):
        record = doc_to_record(doc, out, f"/docs/{index}")
        document = None if record is None else finish_record(record, kind, out)
        if document is not None:
            documents.append(document)
    out.raise_if_any()
    return documents


def export(
    fmt: str, documents: Sequence[Document], out_dir: Path, *, stem: str = "documents", **_: Any
) -> list[Path]:
    """Write ``<stem>.spacy`` (a ``DocBin`` with user data) into ``out_dir``."""
    spacy = _require_spacy()
    from spacy.tokens import DocBin

    vocab = spacy.blank("en").vocab
    docbin = DocBin(store_user_data=True)
    for document in documents:
        docbin.add(document_to_doc(document, vocab))
    path = out_dir / f"{stem}.spacy"
    with atomic_output(path, "wb") as handle:
        handle.write(docbin.to_bytes())
    return [path]


def import_(fmt: str, path: Path, kind: SchemaKind = "document", **_: Any) -> list[Document]:
    """Import a ``DocBin`` file (see :func:`docbin_to_documents`)."""
    return docbin_to_documents(path, kind)
