"""Read and write JSON Lines: streaming, line-numbered, atomic.

``jsonlines`` does the line handling; ``orjson`` does the parsing and dumping.
Reading never stops at a bad line: each line yields a :class:`JsonlLine` that
holds either the parsed object or the :class:`Problem` that prevented it, so a
caller can report every problem of a file at once. Writing goes to a temporary
file in the target folder that is renamed into place only when complete.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import io
import json
import os
import secrets
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import jsonlines
import orjson

from newsbench.schema.problems import Problem, json_pointer

MAX_DEPTH = 255
"""Deepest nesting accepted: the schema validator (jsonschema-rs) stops at 256 levels."""


@dataclass(frozen=True, slots=True)
class LinesInMemory:
    """Lines of a JSON Lines file already in memory (a block cut from a larger file), read
    as the file ``name`` (``str()`` of it) with no copy written anywhere."""

    name: str
    data: bytes

    def __str__(self) -> str:
        return self.name


JsonlSource = str | os.PathLike[str] | LinesInMemory
"""What the line readers read: a file's path, or lines already in memory."""


@dataclass(frozen=True, slots=True)
class JsonlLine:
    """One line of a JSON Lines file: the parsed object or the problem."""

    file: str
    line: int
    value: dict[str, Any] | None
    problem: Problem | None = None


class DuplicateKeyError(ValueError):
    """A JSON object that holds a key twice; ``keys`` are ``(pointer, key)`` pairs."""

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        self.keys = keys
        super().__init__(f"duplicate keys: {keys}")


def _walk(value: Any) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Yield ``(path, node)`` for every node, without recursion (lines may nest deeply)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        yield path, node
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))


def _may_repeat_keys(line: str, value: Any) -> bool:
    """Cheap test: can ``line`` hold more keys than the parsed ``value`` kept?

    Every key is followed by exactly one structural ``:``; any other ``:`` is inside
    a string. If the parsed value's keys and the colons inside its strings account
    for every ``:`` of the line, no key was dropped. (An escaped colon ``\\u003a``
    makes the count unreliable, so it always takes the exact path.)
    """
    if "\\u003a" in line or "\\u003A" in line:
        return True
    colons = 0
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            colons += len(node) + sum(key.count(":") for key in node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            colons += node.count(":")
    return colons != line.count(":")


def _duplicate_keys(line: str) -> list[tuple[str, str]]:
    """Return ``(pointer to the object, key)`` for every repeated key (exact, slower)."""
    repeated: dict[int, list[str]] = {}

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) < len(pairs):
            seen: set[str] = set()
            keys = [k for k, _ in pairs if k in seen or seen.add(k)]
            repeated[id(result)] = list(dict.fromkeys(keys))
        return result

    try:
        value = json.loads(line, object_pairs_hook=pairs_hook)
    except (ValueError, RecursionError):
        return []
    found = []
    for path, node in _walk(value):
        if isinstance(node, dict) and id(node) in repeated:
            found.extend((json_pointer(path), key) for key in repeated.pop(id(node)))
    found.extend(("", key) for keys in repeated.values() for key in keys)  # inside dropped values
    return sorted(found)


_FAST_CHECK_BYTES = 1 << 20
"""Lines shorter than this try the re-serialisation shortcut (it copies the line once)."""


def _reserialises_to(value: Any, raw: bytes) -> bool:
    """True if compact ``orjson`` output of ``value`` is exactly the line (as we write it)."""
    try:
        return orjson.dumps(value) == raw.strip()
    except (TypeError, orjson.JSONEncodeError):  # e.g. nesting deeper than orjson writes
        return False


_LINE_MARKS = (b"\x1e", "\ufeff".encode())
"""What ``jsonlines`` skips at the start of a line, at most one (an RFC 7464 record
separator or a byte order mark): the reader that validates a file accepts such lines."""


def line_json(line: bytes) -> bytes:
    """A line's JSON text as the validating reader reads it: without the one record
    separator or byte order mark ``jsonlines`` skips at its start. Every reader of raw
    lines goes through this, so that none reads a line otherwise than the validator."""
    for mark in _LINE_MARKS:
        if line.startswith(mark):
            return line[len(mark) :]
    return line


def _loads(line: str | bytes) -> Any:
    """``orjson.loads`` that also refuses objects with a repeated key (never silently)."""
    value = orjson.loads(line)
    if isinstance(value, dict):
        raw = line.encode("utf-8") if isinstance(line, str) else line
        if len(raw) < _FAST_CHECK_BYTES and _reserialises_to(value, raw):
            return value  # re-serialises to the very line: no key can have been dropped
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        if _may_repeat_keys(text, value):
            duplicates = _duplicate_keys(text)
            if duplicates:
                raise DuplicateKeyError(duplicates)
    return value


def _line_problem(file: str, exc: jsonlines.InvalidLineError, line: int) -> Problem:
    raw = exc.line
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    where = {"file": file, "line": line}
    cause = exc.__cause__
    if isinstance(cause, DuplicateKeyError):
        pointer, key = cause.keys[0]
        listed = ", ".join(f"{k!r} in {p or 'the top-level object'}" for p, k in cause.keys[:5])
        return Problem(
            "duplicate-key",
            f"the key {key!r} occurs more than once in one object ({listed}); a JSON "
            "parser keeps only the last value, so the others would be lost silently",
            "each key at most once per object",
            "merge the values under one key (e.g. one 'mentions' list) or rename the key",
            path=json_pointer([*_pointer_parts(pointer), key]),
            **where,
        )
    if cause is not None and "depth limit exceeded" in str(cause):
        return too_deep_problem(**where)
    if not text.strip():
        return Problem(
            "blank-line",
            "the line is blank",
            "one JSON object per line",
            "delete the blank line (JSON Lines allows no empty lines)",
            **where,
        )
    if "not valid utf-8" in str(exc):
        return Problem(
            "invalid-utf8",
            f"the line is not valid UTF-8 ({exc.__cause__})",
            "UTF-8 encoded text",
            "re-encode the file as UTF-8 (it may be Latin-1 or Windows-1252)",
            **where,
        )
    if "does not match requested type" in str(exc) or "null value" in str(exc):
        kind = type(orjson.loads(text)).__name__ if "null" not in str(exc) else "null"
        return Problem(
            "not-an-object",
            f"the line holds a JSON {kind}, not an object",
            "a JSON object (one document) per line",
            "wrap each document in {...}",
            **where,
        )
    detail = str(cause) if cause is not None else str(exc)
    return Problem(
        "invalid-json",
        f"the line is not valid JSON: {detail}",
        "one complete JSON object per line (NaN, Infinity and comments are not JSON)",
        "fix the JSON syntax on this line; a line cut short usually means a truncated file",
        **where,
    )


def _pointer_parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def too_deep_problem(**where: Any) -> Problem:
    """The problem of a line nested deeper than :data:`MAX_DEPTH` (reader or validator)."""
    return Problem(
        "json-too-deep",
        f"the JSON is nested more than {MAX_DEPTH} levels deep",
        f"at most {MAX_DEPTH} levels of nested arrays and objects (documents need fewer than 10)",
        "check how the line was generated: no document nests this deeply",
        **where,
    )


def unreadable_fix(exc: OSError, what: str) -> str:
    """The fix of a file that cannot be read: a folder is named as one."""
    if isinstance(exc, IsADirectoryError):
        return f"name a {what} inside the folder: a folder is not read"
    return "check the path"


def iter_jsonl(path: JsonlSource, *, first_line: int = 1) -> Iterator[JsonlLine]:
    """Yield every line of a JSON Lines file, parsed or with its problem.

    Args:
        path: The file to read (streamed, never loaded whole), or lines in memory.
        first_line: The number of its first line (when the file is a block of lines cut
            from a larger one, the larger one's numbers).

    Yields:
        One :class:`JsonlLine` per line; a missing or empty file yields one
        line-less problem.
    """
    file = str(path)
    try:
        handle: BinaryIO = (
            io.BytesIO(path.data) if isinstance(path, LinesInMemory) else open(path, "rb")  # noqa: SIM115 - closed below
        )
    except OSError as exc:
        yield JsonlLine(
            file,
            0,
            None,
            Problem(
                "file-not-found",
                f"cannot read the file: {exc.strerror}",
                "a readable JSON Lines file",
                unreadable_fix(exc, "JSON Lines file"),
                file=file,
            ),
        )
        return
    count = 0
    with handle, jsonlines.Reader(handle, loads=_loads) as reader:
        while True:
            try:
                value = reader.read(type=dict)
            except EOFError:
                break
            except jsonlines.InvalidLineError as exc:
                count += 1
                line = first_line - 1 + exc.lineno
                yield JsonlLine(file, line, None, _line_problem(file, exc, line))
                continue
            count += 1
            yield JsonlLine(file, first_line - 1 + count, value)
    if count == 0:
        yield JsonlLine(file, 0, None, file_empty_problem(file))


def file_empty_problem(file: str) -> Problem:
    """The problem of a JSON Lines file without a line."""
    return Problem(
        "file-empty",
        "the file holds no JSON lines",
        "at least one document, one JSON object per line",
        "check that the right file was given and that it was written completely",
        file=file,
    )


_gc_pause_lock = threading.Lock()
_gc_pause_depth = 0
_gc_was_enabled = False

PROMOTE_AFTER = 70_000
"""Young objects left by a pause above which its end runs one young collection itself."""


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a whole file is loaded or scored.

    Loading allocates millions of long-lived objects (the typed documents), which
    makes the collector run full collections over everything loaded so far again
    and again: a third of the load time, for nothing, since documents hold no
    reference cycles (they are freed by reference counting as always); scoring them
    would pay the same again. Nested and concurrent pauses are counted; the collector
    is re-enabled when the last one ends, and only if it was enabled when the first
    one began.
    """
    global _gc_pause_depth, _gc_was_enabled
    with _gc_pause_lock:
        if _gc_pause_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pause_depth += 1
    try:
        yield
    finally:
        with _gc_pause_lock:
            _gc_pause_depth -= 1
            resumed = _gc_pause_depth == 0 and _gc_was_enabled
            if resumed:
                gc.enable()
        if resumed:  # outside the lock: finalisers the collection runs may load files too
            _promote_young()


def _promote_young() -> None:
    """After a long pause, collect the two young generations at once.

    Everything a pause allocated is still in the youngest generation. Left alone, the
    next allocation walks all of it (a generation-0 collection, which moves it to
    generation 1), and a generation-1 collection soon walks it again. ``gc.collect(1)``
    does both in one walk and leaves the collector in the state the second would have:
    the survivors in the oldest generation, counted towards its next full collection
    as one generation-1 collection counts them (so many long pauses in a row make a
    full collection due sooner than the ten pauses a generation-1 collection would
    otherwise take); the caller's young cyclic garbage is collected as usual. Only on
    the generational collector of Python < 3.14, and only when automatic collection is
    on.
    """
    if (
        sys.version_info < (3, 14)
        and gc.get_threshold()[0] > 0
        and gc.get_count()[0] > PROMOTE_AFTER
    ):
        gc.collect(1)


def sha256_of_files(paths: Iterable[str | os.PathLike[str]]) -> str:
    """SHA-256 of the files' bytes one after the other, read in blocks of 1 MiB."""
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def dumps_line(record: Mapping[str, Any]) -> bytes:
    """Serialise one record as a compact JSON line (UTF-8, no trailing newline)."""
    return orjson.dumps(record)


class StagedOutputs:
    """Complete temporary files waiting to be renamed into place together.

    See :func:`staged_outputs`.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[str, Path]] = []

    def add(self, temporary: str, target: Path) -> None:
        """Rename ``temporary`` to ``target`` when the group is committed."""
        self._pending.append((temporary, target))

    def staged(self, path: str | os.PathLike[str]) -> str:
        """The temporary file that will become ``path`` (to read it before the commit).

        Raises:
            KeyError: Nothing is staged for ``path``.
        """
        target = Path(os.path.realpath(path))
        for temporary, staged_target in reversed(self._pending):
            if staged_target == target:
                return temporary
        raise KeyError(str(path))

    def commit(self) -> None:
        """Rename every file into place, in order, with interrupts held back meanwhile.

        Each target that exists is first kept under a second name (a hard link, which
        costs nothing). If a rename fails, the targets already renamed get their previous
        files back (or are removed where there was none), so the group changes all
        together or not at all, and the failure propagates, naming its target. Where a
        target cannot be put back (its file system refuses hard links, or the rename back
        fails), :class:`OutputsLeftChanged` says which and where its previous contents are.
        """
        with _interrupts_held():  # a held signal acts after the clean-up, never before
            previous = _keep_previous(dict.fromkeys(target for _, target in self._pending))
            try:
                self._rename_all(previous)
            finally:
                previous.remove_kept()

    def _rename_all(self, previous: _Previous) -> None:
        renamed: list[Path] = []
        try:
            while self._pending:
                temporary, target = self._pending[0]
                try:
                    os.replace(temporary, target)
                except OSError as exc:  # name the output, not the temporary file
                    raise OSError(exc.errno, exc.strerror, str(target)) from None
                renamed.append(target)
                del self._pending[0]
        except BaseException as failure:
            unrestored = previous.put_back(renamed)
            if unrestored and isinstance(failure, OSError):
                raise OutputsLeftChanged(failure, unrestored) from None
            if unrestored:  # BaseException.add_note is 3.11+; __notes__ is what it sets
                failure.__notes__ = [*getattr(failure, "__notes__", []), *unrestored]
            raise

    def discard(self) -> None:
        """Remove every temporary file not renamed yet (one that cannot be removed stays:
        the error that led here is the one to report)."""
        for temporary, _ in self._pending:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        self._pending.clear()


class OutputsLeftChanged(OSError):
    """A group of outputs failed to commit and some could not be put back as they were.

    Attributes:
        unrestored: One sentence for each such output: what it holds now and where its
            previous contents are, if they were kept.
    """

    def __init__(self, failure: OSError, unrestored: Sequence[str]) -> None:
        super().__init__(failure.errno, failure.strerror, failure.filename)
        self.unrestored = tuple(unrestored)

    def __str__(self) -> str:
        return "; ".join([super().__str__(), *self.unrestored])


@dataclass
class _Previous:
    """What the targets of a commit held before it: a hard link to each previous file."""

    kept: dict[Path, str]
    absent: set[Path]

    def put_back(self, renamed: Sequence[Path]) -> list[str]:
        """Undo the renames, last first: each previous file back, or the new one removed.

        Returns a sentence for each target that could not be put back (nothing raised);
        the previous file of such a target stays where it was kept.
        """
        unrestored = []
        for target in dict.fromkeys(reversed(renamed)):
            kept = self.kept.get(target)
            try:
                if kept is not None:
                    os.replace(kept, target)
                    del self.kept[target]
                elif target in self.absent:
                    os.unlink(target)
                else:
                    unrestored.append(
                        f"{target} is new: its previous contents could not be kept "
                        "(the file system refused a hard link)"
                    )
            except OSError as exc:
                if kept is None:
                    unrestored.append(f"{target} is new and could not be removed: {exc.strerror}")
                else:
                    del self.kept[target]  # the only copy of the previous file: never removed
                    unrestored.append(
                        f"{target} is new ({exc.strerror} when putting it back): "
                        f"its previous contents are in {kept}"
                    )
        return unrestored

    def remove_kept(self) -> None:
        """Remove the second names no longer needed (an error is ignored: at worst a
        hidden file stays behind)."""
        for name in self.kept.values():
            with contextlib.suppress(OSError):
                os.unlink(name)
        self.kept.clear()


def _keep_previous(targets: Iterable[Path]) -> _Previous:
    """A hard link next to each target that exists, under a fresh hidden name.

    A target whose file system refuses a hard link is not kept (it cannot be put back).
    On any exception the links made so far are removed and it propagates.
    """
    previous = _Previous({}, set())
    try:
        for target in targets:
            if not os.path.lexists(target):
                previous.absent.add(target)
                continue
            name = _hard_link_aside(target)
            if name is not None:
                previous.kept[target] = name
    except BaseException:
        previous.remove_kept()
        raise
    return previous


def _hard_link_aside(target: Path) -> str | None:
    """A new hard link to ``target`` in its folder, or ``None`` where none can be made.

    ``link`` never follows nor replaces a name that exists, so nothing else is touched.
    """
    for _ in range(100):
        name = str(target.parent / f".{target.name}.{secrets.token_hex(6)}.old")
        try:
            os.link(target, name)
        except FileExistsError:
            continue
        except OSError:
            return None
        return name
    return None


@contextlib.contextmanager
def staged_outputs() -> Iterator[StagedOutputs]:
    """Write several files as one: ``atomic_output(..., stage=stage)`` for each.

    Each file is written completely to a temporary name first; when the block ends
    without an exception, all are renamed into place one after the other with Ctrl-C,
    SIGTERM and SIGHUP held back until the last, so an interrupt never leaves some of them new
    and others old; a rename that fails puts back the targets already renamed. On an
    exception every temporary file is removed and no target changes.
    """
    stage = StagedOutputs()
    try:
        yield stage
        stage.commit()
    except BaseException:
        stage.discard()
        raise


_HELD_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT), SIGTERM and SIGHUP for the duration, then act on them.

    Python runs signal handlers in the main thread only, so there the handlers are
    swapped for one that notes the signal; when the block ends (an exception included),
    the original handlers come back (every one of them, even if a signal interrupts the
    restoring) and every signal noted is handed to its handler, in the order they came
    (``KeyboardInterrupt`` for Ctrl-C, the default action re-sent, nothing where it was
    ignored). Elsewhere nothing can interrupt the block.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[int] = []
    previous: list[tuple[int, Any]] = []
    try:
        for name in _HELD_SIGNALS:
            number = getattr(signal, name, None)
            handler = None if number is None else signal.getsignal(number)
            if handler is not None:
                previous.append((number, handler))  # before the swap: restored whatever comes
                signal.signal(number, lambda signum, _: noted.append(signum))
        yield
    finally:
        try:
            _restore_handlers(previous)
        finally:
            handlers = dict(previous)
            _hand_on([(n, handlers[n]) for n in dict.fromkeys(noted)])


def _hand_on(signals: list[tuple[int, Any]]) -> None:
    """Run each noted signal's handler, each in a ``finally`` (one that raises does not
    stop the others; the last exception raised is the one that propagates)."""
    if signals:
        (number, handler), rest = signals[0], signals[1:]
        try:
            if callable(handler):
                handler(number, None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), number)
        finally:
            _hand_on(rest)


def _restore_handlers(handlers: list[tuple[int, Any]]) -> None:
    """Put every handler back, each in a ``finally``: a signal that a restored handler
    turns into an exception cannot leave the others swapped."""
    if handlers:
        (number, handler), rest = handlers[0], handlers[1:]
        try:
            signal.signal(number, handler)
        finally:
            _restore_handlers(rest)


@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike[str], mode: str = "wb", *, stage: StagedOutputs | None = None
) -> Iterator[Any]:
    """Open a temporary file next to ``path``; rename it into place on success.

    On any exception (an interrupt included) the temporary file is removed and ``path``
    is untouched. A symbolic link is followed: its target is replaced, the link stays.
    With a ``stage`` (:func:`staged_outputs`), the complete file waits there to be
    renamed with the others.

    Raises:
        IsADirectoryError, OSError: ``path`` exists and is not a regular file (a directory,
            a device, a FIFO, a socket), which is never replaced.
    """
    target = Path(os.path.realpath(path))
    with contextlib.suppress(FileNotFoundError):
        existing = os.stat(target).st_mode
        if not stat.S_ISREG(existing):
            from newsbench.schema.paths import describe_mode

            raise OSError(
                errno.EISDIR if stat.S_ISDIR(existing) else errno.EINVAL,
                f"{describe_mode(existing)}, not a regular file: never replaced by an output",
                str(path),
            )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # name the output, not the temporary file
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_name, 0o666 & ~umask)  # mkstemp makes 0600; give what open() would
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if stage is None:
            try:
                os.replace(tmp_name, target)
            except OSError as exc:  # name the output, not the temporary file
                raise OSError(exc.errno, exc.strerror, str(path)) from None
        else:
            stage.add(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def write_jsonl(
    path: str | os.PathLike[str],
    records: Iterable[Mapping[str, Any]],
    *,
    stage: StagedOutputs | None = None,
) -> int:
    """Write records as JSON Lines atomically (renamed with the other files of ``stage``
    when given); return how many were written."""
    count = 0
    with (
        atomic_output(path, "wb", stage=stage) as handle,
        jsonlines.Writer(handle, dumps=orjson.dumps, compact=True) as writer,
    ):
        for record in records:
            writer.write(record)
            count += 1
    return count
