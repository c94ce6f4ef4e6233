"""``newsbench export`` and ``newsbench import``: the interchange formats on the command line.

Registered through the ``newsbench.commands`` entry-point group
(:func:`register_export`, :func:`register_import`). Exit codes: 0 ok, 1 data errors
(every problem is printed), 2 usage errors (the command line checks every input and output
path first: :mod:`newsbench.schema.paths`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from newsbench.corpus import gold_path
from newsbench.corpus.interchange import (
    FORMATS,
    IMPORT_FORMATS,
    STANDARD_INVENTORIES,
    export_documents,
    import_documents,
)
from newsbench.eval.arguments import inventory_choice
from newsbench.schema.inventory import PACKAGED_INVENTORIES, load_inventory
from newsbench.schema.io import write_jsonl
from newsbench.schema.model import document_to_dict
from newsbench.schema.paths import PathSpec, declare_paths
from newsbench.schema.problems import DataError, Problem

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
KINDS = {"gold": "document", "prediction": "prediction"}


def _usage(message: str) -> int:
    print(f"newsbench: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _data_error(error: DataError) -> int:
    for problem in error.problems:
        print(problem.format(), file=sys.stderr)
    count = len(error.problems)
    print(f"{count} problem{'s' if count != 1 else ''}; nothing written", file=sys.stderr)
    return EXIT_DATA


def _no_documents(source: Path, fmt: str) -> Problem:
    return Problem(
        "file-empty",
        f"no document was found in it as --format {fmt}",
        "at least one document",
        "check that the right file (and --format) was given and that it is complete",
        file=str(source),
    )


def command_export(args: argparse.Namespace) -> int:
    """Export a corpus file (default: the packaged gold) in an interchange format."""
    from newsbench.schema.validate import load_documents

    source = args.file if args.file is not None else gold_path()
    options: dict[str, Any] = {"stem": Path(source).stem}
    if args.format == "conll":
        types = args.mention_types
        options["mention_types"] = None if types == ["all"] else tuple(types)
    if args.format == "labelstudio":
        options["key"] = args.labelstudio_key
    if args.inventory is not None and args.format in ("brat", "labelstudio"):
        return _usage(
            f"--inventory: the {args.format} export writes its labeling configuration for the "
            "newsbench labels; export another inventory's documents as conll, conll2012 or spacy"
        )
    try:
        inventory = None if args.inventory is None else load_inventory(args.inventory)
        documents = load_documents(source, KINDS[args.kind], inventory=inventory)
        notes: list[str] = []
        if args.format == "conll":
            options["notes"] = notes
        written = export_documents(args.format, documents, args.out, **options)
    except DataError as error:
        return _data_error(error)
    except ValueError as error:
        print(f"newsbench: cannot export: {error}", file=sys.stderr)
        return EXIT_DATA
    except ImportError as error:
        return _usage(str(error))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def command_import(args: argparse.Namespace) -> int:
    """Import an interchange file through the validator and write schema JSONL."""
    kind = args.kind or ("prediction" if args.format in ("conll", "conll2012") else "gold")
    options: dict[str, Any] = {"kind": KINDS[kind]}
    if args.format in ("conll", "conll2012"):
        options["reference"] = args.reference
        options["mention_type"] = None if args.mention_type == "none" else args.mention_type
    if args.format in STANDARD_INVENTORIES:
        options["inventory"] = args.inventory or STANDARD_INVENTORIES[args.format]
    elif args.inventory is not None:
        return _usage(f"--inventory applies to {', '.join(STANDARD_INVENTORIES)} only")
    if args.format == "conll2003":
        options["tag_column"] = args.tag_column
        options["scheme"] = args.scheme
        options["id_prefix"] = args.id_prefix
    from newsbench.eval.progress import progress_bar

    if args.format == "ace2005":
        options["mention_span"] = args.mention_span
    notes: list[str] = []
    try:
        with progress_bar(f"importing {args.input.name}", None) as advance:
            documents = import_documents(
                args.format, args.input, progress=advance, notes=notes, **options
            )
    except DataError as error:
        return _data_error(error)
    except ImportError as error:
        return _usage(str(error))
    documents = list(documents)
    if not documents:  # an empty JSONL file would only fail later, in validate or score
        return _data_error(DataError([_no_documents(args.input, args.format)]))
    count = write_jsonl(args.out, (document_to_dict(d) for d in documents))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {count} document{'s' if count != 1 else ''} to {args.out}")
    return EXIT_OK


def register_export(sub: Any) -> None:
    """Add the ``export`` subcommand to the ``newsbench`` command line."""
    parser = sub.add_parser(
        "export",
        help="export the corpus to BRAT, CoNLL, CoNLL-2012, spaCy DocBin or Label Studio",
        description="Export a corpus JSONL file in an interchange format (see "
        "newsbench.corpus.interchange for what each format holds).",
    )
    parser.add_argument("--format", choices=FORMATS, required=True, help="the format to write")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    parser.add_argument(
        "file", nargs="?", type=Path, metavar="FILE", help="JSONL (default: the packaged gold)"
    )
    parser.add_argument("--kind", choices=sorted(KINDS), default="gold", help="FILE's kind")
    parser.add_argument(
        "--mention-types",
        nargs="+",
        default=["NAM"],
        metavar="MTYPE",
        help="conll: mention types in the IOB2 layer (default NAM; 'all' for every mention)",
    )
    parser.add_argument(
        "--inventory",
        metavar="NAME|FILE",
        type=inventory_choice,
        help="the label inventory of FILE (conll, conll2012 and spacy; default: newsbench)",
    )
    parser.add_argument(
        "--labelstudio-key",
        choices=["annotations", "predictions"],
        default="annotations",
        help="labelstudio: write the results as annotations (default) or predictions",
    )
    parser.set_defaults(handler=command_export)
    declare_paths(
        parser,
        PathSpec("file", "FILE", "input"),
        PathSpec("inventory", "--inventory", "input", not_paths=PACKAGED_INVENTORIES),
        PathSpec("out", "--out", "output", "dir"),
    )


def register_import(sub: Any) -> None:
    """Add the ``import`` subcommand to the ``newsbench`` command line."""
    parser = sub.add_parser(
        "import",
        help="import BRAT, CoNLL, CoNLL-2012, spaCy DocBin, Label Studio or a standard corpus "
        "(CoNLL-2003) through the validator",
        description="Read an interchange file, validate it and write schema JSONL atomically.",
    )
    parser.add_argument(
        "--format", choices=IMPORT_FORMATS, required=True, help="the format to read"
    )
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="output JSONL")
    parser.add_argument(
        "input", type=Path, metavar="INPUT", help="file or folder (brat: the folder or an .ann)"
    )
    parser.add_argument(
        "--kind",
        choices=sorted(KINDS),
        help="validate as gold or prediction; default: prediction for conll and conll2012 "
        "(the project's exports), gold otherwise",
    )
    parser.add_argument(
        "--reference",
        type=Path,
        help="conll/conll2012: JSONL with the document texts (default: the packaged gold)",
    )
    parser.add_argument(
        "--mention-type",
        default="NAM",
        help="conll: the mention type of every imported mention (default NAM; 'none')",
    )
    parser.add_argument(
        "--inventory",
        metavar="NAME|FILE",
        type=inventory_choice,
        help="standard corpora: the label inventory to check labels against (default: the "
        "format's own, e.g. conll2003)",
    )
    parser.add_argument(
        "--tag-column",
        type=int,
        default=-1,
        help="conll2003: the NER tag column, 0 being the token (default: %(default)s, the last)",
    )
    parser.add_argument(
        "--mention-span",
        choices=["extent", "head"],
        default="extent",
        help="ace2005: the charseq that becomes each entity mention's span",
    )
    parser.add_argument(
        "--id-prefix",
        default="doc",
        help="conll2003: documents are named <prefix>-1, <prefix>-2, ... in file order "
        "(default: %(default)s); give gold and predictions the same prefix",
    )
    parser.add_argument(
        "--scheme",
        choices=["iob1", "iob2"],
        default="iob1",
        help="conll2003: iob1 reads an I- tag that continues nothing as a new entity, as "
        "conlleval does (right for IOB1 and IOB2 files); iob2 refuses it (default: "
        "%(default)s)",
    )
    parser.set_defaults(handler=command_import)
    declare_paths(
        parser,
        PathSpec("input", "INPUT", "input", "file_or_dir"),
        PathSpec("reference", "--reference", "input"),
        PathSpec("inventory", "--inventory", "input", not_paths=PACKAGED_INVENTORIES),
        PathSpec("out", "--out", "output"),
    )
