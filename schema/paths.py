"""Path safety: every command checks all its input and output paths before it reads anything.

Rules (README, "Bad input, and what newsbench trusts"):

* an input exists and is a regular file (or a directory where the command reads one);
  a FIFO, a device, a socket is refused, and the message says what the path is;
* an output is a regular file or a new path (a directory where the command writes one),
  never an input (same resolved path or same inode, following links, either inside the
  other), never another output, and never inside the gold (the packaged ``corpus/data``
  and, in a clone, ``corpus/data``, ``corpus/gold``, ``corpus/texts``, ``seeds``); only
  ``newsbench build-corpus`` may write there.

Commands declare their path arguments with :func:`declare_paths`; the command line calls
:func:`check_declared_paths` before any handler runs.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import threading
from argparse import ArgumentParser, Namespace
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Literal

from newsbench.schema.problems import did_you_mean

PathKind = Literal["file", "dir", "file_or_dir"]
Role = Literal["input", "output"]

GOLD_FOLDERS_IN_CLONE: tuple[str, ...] = ("corpus/data", "corpus/gold", "corpus/texts", "seeds")
"""The gold and its sources, relative to a clone's root: only build-corpus writes there."""


class PathError(ValueError):
    """One or more path problems; a usage error (exit 2). ``problems`` lists them all."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class PathArgument:
    """One path a command reads or writes: the flag that named it, the path, its role."""

    flag: str
    path: Path
    role: Role
    kind: PathKind = "file"
    names: tuple[str, ...] = ()
    """Built-in names the flag also accepts (suggested when the path is not found)."""
    side: bool = False
    """A side file of the path named (``r.errors.jsonl`` of ``r.json``). An input's may be
    missing (where it exists, it is checked as any input); an output's are outputs."""


@dataclass(frozen=True, slots=True)
class PathSpec:
    """A command's declaration of one path argument (``dest`` in the parsed namespace)."""

    dest: str
    flag: str
    role: Role
    kind: PathKind = "file"
    not_paths: tuple[str, ...] = ()
    """Values that name something built in rather than a path (``--label-map ontonotes``)."""
    named_side_files: Callable[[Path], Sequence[Path]] | None = None
    """For an input: the side files the file names inside it (a report renamed after it
    was written names its first ones), checked as its side files."""
    side_suffixes: tuple[str, ...] = ()
    """The path's side files: each replaces the path's suffix (``r.json`` with
    ``.errors.jsonl`` gives ``r.errors.jsonl``). An output's are checked as outputs; an
    input's (a report read with its side files) as inputs, where they exist."""


def side_file(path: Path, suffix: str) -> Path:
    """The side file of ``path`` that ``suffix`` names (``r.json`` -> ``r.errors.jsonl``).

    A symbolic link is followed first: a file written through a link lands at the
    link's target (see :func:`~newsbench.schema.io.atomic_output`), and its side files
    go next to it, where a reader of the file finds them.
    """
    path = followed(path)
    if not path.name:  # ".", "" or "/": a folder, which the path checks refuse as such
        path = Path(os.path.abspath(path))
        if not path.name:  # the root: a name no check confuses with it
            return path / suffix
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return path.with_name(stem + suffix)


def followed(path: Path) -> Path:
    """``path``, or where it leads if it is a symbolic link."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


def describe_mode(mode: int) -> str:
    """Return what a file of this ``st_mode`` is, in words."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


@cache
def gold_folders() -> tuple[Path, ...]:
    """Resolved folders that hold the gold: the packaged data and, in a clone, its sources."""
    spec = find_spec("newsbench.corpus")  # locates the package without running it
    folders: list[Path] = []
    for location in (spec.submodule_search_locations or []) if spec else []:
        corpus_dir = Path(location).resolve()
        folders.append(corpus_dir / "data")
        root = corpus_dir.parent
        if (root / "pyproject.toml").is_file() and (root / "seeds").is_dir():
            folders.extend(root / folder for folder in GOLD_FOLDERS_IN_CLONE)
    return tuple(dict.fromkeys(folders))


def read_regular_file(path: str | os.PathLike[str]) -> bytes:
    """Read a file found inside an input folder, refusing anything but a regular file.

    A FIFO would block forever and a device never ends, so the file type is checked
    (following links) before it is opened.

    Raises:
        OSError: the path is missing, unreadable or not a regular file (said in words).
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise OSError(
            errno.EINVAL, f"{describe_mode(mode)}, not a regular file: never read", str(path)
        )
    with open(path, "rb") as handle:
        return handle.read()


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _kind_word(kind: PathKind) -> str:
    return {"file": "a regular file", "dir": "a directory", "file_or_dir": "a file or folder"}[kind]


def _name_problem(argument: PathArgument) -> str | None:
    """A path whose name is not UTF-8: reports and messages record paths as UTF-8 text.
    (Not said again of its side files.)"""
    try:
        str(argument.path).encode("utf-8")
    except UnicodeEncodeError:
        if argument.side:
            return None
        shown = os.fsencode(argument.path).decode("utf-8", "backslashreplace")
        fix = "rename the file" if argument.role == "input" else "choose another path"
        return (
            f"{argument.flag} {shown}: the name is not valid UTF-8, which a report cannot "
            f"record; {fix}"
        )
    return None


def _input_problem(argument: PathArgument) -> str | None:
    try:
        mode = os.stat(argument.path).st_mode
    except FileNotFoundError:
        if argument.side:
            return None
        if argument.names:
            return (
                f"{argument.flag} {argument.path}: not found, and not one of the names "
                f"{', '.join(argument.names)}{did_you_mean(str(argument.path), argument.names)}"
            )
        return f"{argument.flag} {argument.path}: not found"
    except OSError as exc:
        return f"{argument.flag} {argument.path}: cannot be read ({exc.strerror or exc})"
    is_file, is_dir = stat.S_ISREG(mode), stat.S_ISDIR(mode)
    fits = {"file": is_file, "dir": is_dir, "file_or_dir": is_file or is_dir}[argument.kind]
    if not fits:
        return (
            f"{argument.flag} {argument.path} is {describe_mode(mode)}; "
            f"an input must be {_kind_word(argument.kind)}"
        )
    return None


def _output_problem(argument: PathArgument, gold: Iterable[Path]) -> str | None:
    return _output_path_problem(argument, gold) or _output_link_problem(argument, gold)


def _output_link_problem(argument: PathArgument, gold: Iterable[Path]) -> str | None:
    """A link inside an output folder that leads into the gold or to a special file."""
    for link, place in _links_inside(argument):
        for folder in gold:
            if _inside(place, folder):
                return (
                    f"{argument.flag} {argument.path}: {link} is a link into the gold "
                    f"({folder}); only newsbench build-corpus writes there: remove the link "
                    "or choose another output folder"
                )
        with contextlib.suppress(OSError):
            mode = os.stat(place).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                return (
                    f"{argument.flag} {argument.path}: {link} is a link to "
                    f"{describe_mode(mode)} ({place}), which an output never replaces: "
                    "remove the link or choose another output folder"
                )
    return None


def _output_path_problem(argument: PathArgument, gold: Iterable[Path]) -> str | None:
    resolved = _resolved(argument.path)
    for folder in gold:
        if _inside(resolved, folder):
            return (
                f"{argument.flag} {argument.path} is inside the gold ({folder}); only "
                "newsbench build-corpus writes there: choose another output path"
            )
    try:  # what the path names: /dev/stdout into a pipe resolves to "pipe:[N]", no path
        mode = os.stat(argument.path).st_mode
    except FileNotFoundError:
        ancestor = resolved.parent
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            return f"{argument.flag} {argument.path}: {ancestor} is not a directory"
        return None
    except OSError as exc:
        return f"{argument.flag} {argument.path}: cannot be checked ({exc.strerror or exc})"
    wanted_dir = argument.kind == "dir"
    if (stat.S_ISDIR(mode) and wanted_dir) or (stat.S_ISREG(mode) and not wanted_dir):
        return None
    return (
        f"{argument.flag} {argument.path} is {describe_mode(mode)}; an output must be "
        f"{'a directory' if wanted_dir else 'a regular file'} or a new path"
    )


FOLDER_DEPTH = 4
"""How deep a folder argument is searched for links: deeper than any command reads or
writes (``bench --out-dir D`` writes ``D/SPLIT/plots/NAME.svg``), so a large folder given
by mistake (a home directory) is not walked whole."""


def _links_inside(argument: PathArgument) -> list[tuple[Path, Path]]:
    """Each symbolic link inside a folder argument (to :data:`FOLDER_DEPTH` levels, into
    folder links too), with where it leads (resolved): what writing into the folder, or
    reading it, reaches besides the folder itself. Computed once per argument."""
    return _links_below(str(argument.path)) if argument.kind != "file" else []


def _links_below(top: str) -> list[tuple[Path, Path]]:
    links = _links_cache()
    cached = links.get(top)
    if cached is not None:
        return cached
    found: list[tuple[Path, Path]] = []
    followed_into: set[str] = set()
    stack = [(top, 1)] if os.path.isdir(top) else []
    while stack:
        folder, depth = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:  # unreadable: nothing below it is written or read either
            continue
        for entry in entries:
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    found.append((Path(entry.path), Path(target)))
                    descend = os.path.isdir(target) and target not in followed_into
                    followed_into.add(target)  # a chain through a folder link is followed
                else:
                    descend = entry.is_dir(follow_symlinks=False)
            except OSError:  # a link that cannot be resolved leads nowhere to write
                continue
            if descend and depth < FOLDER_DEPTH:
                stack.append((entry.path, depth + 1))
    found.sort()
    links[top] = found
    return found


_CHECKING = threading.local()


def _links_cache() -> dict[str, list[tuple[Path, Path]]]:
    """The links found below each folder during this thread's :func:`check_paths`."""
    cache: dict[str, list[tuple[Path, Path]]] = _CHECKING.__dict__.setdefault("links", {})
    return cache


def _reach(argument: PathArgument) -> list[tuple[Path, Path | None]]:
    """Every resolved place an argument names, each with the link that leads there (``None``
    for the path itself)."""
    return [(_resolved(argument.path), None), *((t, link) for link, t in _links_inside(argument))]


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _clash(output: PathArgument, other: PathArgument) -> str | None:
    """Why writing ``output`` could touch what ``other`` names (or the reverse): ``""``
    when the paths themselves meet, the link inside a folder that leads from one to the
    other, or ``None`` when they never meet."""
    out_path, other_path = _resolved(output.path), _resolved(other.path)
    if _inside(out_path, other_path) or _inside(other_path, out_path):
        return ""
    out_id = _identity(out_path)
    if out_id is not None and out_id == _identity(other_path):
        return ""
    for out_place, out_link in _reach(output):
        for other_place, other_link in _reach(other):
            if out_link is None and other_link is None:
                continue  # the paths themselves: checked above
            if _inside(out_place, other_place) or _inside(other_place, out_place):
                link = out_link if out_link is not None else other_link
                return f" ({link} is a link to {_resolved(link)})"
    return None


def check_paths(arguments: Sequence[PathArgument], *, may_write_gold: bool = False) -> None:
    """Check every input and output path of one command, before anything is read.

    Raises:
        PathError: every problem found (a usage error: exit 2).
    """
    _links_cache().clear()  # each check looks at the folders as they are now
    try:
        _check_paths(arguments, may_write_gold)
    finally:
        _links_cache().clear()


def _check_paths(arguments: Sequence[PathArgument], may_write_gold: bool) -> None:
    inputs = [a for a in arguments if a.role == "input"]
    outputs = [a for a in arguments if a.role == "output"]
    gold = () if may_write_gold else gold_folders()
    problems = [p for a in arguments if (p := _name_problem(a))]
    problems += [p for a in inputs if (p := _input_problem(a))]
    problems += [p for a in outputs if (p := _output_problem(a, gold))]
    for index, output in enumerate(outputs):
        for source in inputs:
            if (through := _clash(output, source)) is not None:
                problems.append(
                    f"{output.flag} {output.path} would overwrite the input {source.flag} "
                    f"{source.path}{through}: an output is never an input; choose another path"
                )
        for later in outputs[index + 1 :]:
            if (through := _clash(output, later)) is not None:
                problems.append(
                    f"{output.flag} {output.path} and {later.flag} {later.path} name the same "
                    f"place{through}: give each output its own path"
                )
    if problems:
        raise PathError(problems)


def declare_paths(parser: ArgumentParser, *specs: PathSpec) -> None:
    """Record which of a command's arguments are input and output paths."""
    parser.set_defaults(_path_specs=tuple(specs))


def declared_arguments(args: Namespace) -> list[PathArgument]:
    """The path arguments a parsed command line declared, with their values."""
    found: list[PathArgument] = []
    for spec in getattr(args, "_path_specs", ()):
        value = getattr(args, spec.dest, None)
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            if v is None or str(v) in spec.not_paths:
                continue
            found.append(PathArgument(spec.flag, Path(v), spec.role, spec.kind, spec.not_paths))
            found.extend(
                PathArgument(
                    f"{spec.flag} (its side file)",
                    side_file(Path(v), suffix),
                    spec.role,
                    spec.kind,
                    side=True,
                )
                for suffix in spec.side_suffixes
            )
            if spec.named_side_files is not None and spec.role == "input":
                derived = {side_file(Path(v), suffix) for suffix in spec.side_suffixes}
                found.extend(
                    PathArgument(f"{spec.flag} (a side file it names)", named, "input", side=True)
                    for named in spec.named_side_files(Path(v))
                    if named not in derived
                )
    return found


def check_declared_paths(args: Namespace, *, may_write_gold: bool = False) -> None:
    """Check every declared path of a parsed command line (see :func:`check_paths`)."""
    check_paths(declared_arguments(args), may_write_gold=may_write_gold)
