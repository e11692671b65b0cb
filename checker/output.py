"""The one writer: every file warmcheck writes goes through `publish`.

A CI job must never find a half-written report, nor one run's reports mixed with another's. So:

1. every destination is checked before anything is written (`check_directory`, `check_file`,
   `check_append`): a path mistake is bad input (exit 2) naming the path, and nothing changes;
2. every file is written in full to a hidden temporary beside its destination
   (``.warmcheck.XXXXXXXX.tmp``), flushed and fsynced;
3. the appended summary, if any, is written (and cut back to its old size if that fails);
4. only then is each temporary renamed over its destination.

A disk that fills in step 2 is exit 4 with nothing replaced. Temporaries never outlive the run:
they are created with SIGTERM and SIGINT held back until they are registered, and removed on
every way out, including the `Terminated` exception the CLI's SIGTERM handler raises.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.errors import CheckerError
from checker.format.escape import shown

__all__ = [
    "Append",
    "OutputPathError",
    "OutputWriteError",
    "Replace",
    "Terminated",
    "check_append",
    "check_directory",
    "check_file",
    "publish",
]

TEMPORARY_PREFIX = ".warmcheck."
TEMPORARY_SUFFIX = ".tmp"
# The machine, not the user, failed: no space, no quota, file too big for the filesystem.
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_DEFERRED_SIGNALS = {signal.SIGTERM, signal.SIGINT}


class OutputPathError(CheckerError):
    """A destination the user named cannot be written: bad input, exit 2, nothing replaced."""


class OutputWriteError(CheckerError):
    """Writing failed under warmcheck (the disk filled): exit 4, nothing replaced."""

    exit_code = 4


class Terminated(BaseException):
    """Raised by the CLI's SIGTERM handler so cleanup runs as it does for Ctrl-C."""


@dataclass(frozen=True, slots=True)
class Replace:
    """A file replaced as a whole: `option` names where the user chose it (for messages)."""

    path: Path
    text: str
    option: str
    create_folder: bool = False  # True for the out dir; a named file's folder must exist


@dataclass(frozen=True, slots=True)
class Append:
    """Text appended to a file that collects other output too (a CI step summary)."""

    path: Path
    text: str
    option: str


def _problem(option: str, path: Path, what: str) -> OutputPathError:
    return OutputPathError(
        f"{option} {shown(str(path), limit=200)}: {what}",
        hint="pick another path; nothing was written",
    )


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _exists(path: Path) -> bool:
    try:
        path.lstat()
    except OSError:  # missing, or a name too long to look up: either way not there
        return False
    return True


def _existing_ancestor(path: Path) -> Path:
    current = path.absolute()
    while not _exists(current) and current != current.parent:
        current = current.parent
    return current


def _check_name_lengths(option: str, path: Path, anchor: Path) -> None:
    try:
        name_max = os.pathconf(anchor, "PC_NAME_MAX")
        path_max = os.pathconf(anchor, "PC_PATH_MAX")
    except (OSError, ValueError):
        name_max, path_max = 255, 4096
    for part in path.absolute().parts:
        if len(os.fsencode(part)) > name_max:
            raise _problem(option, path, f"a name in it is longer than {name_max} bytes")
    if len(os.fsencode(str(path.absolute()))) >= path_max:
        raise _problem(option, path, f"the path is longer than {path_max} bytes")


def check_directory(path: Path, option: str) -> None:
    """A directory warmcheck may create (with its parents) and write files in."""
    _check_name_lengths(option, path, _existing_ancestor(path))
    anchor = _existing_ancestor(path)
    if not anchor.is_dir():
        what = "is a file, not a folder" if anchor == path.absolute() else f"{anchor} is a file"
        raise _problem(option, path, what)
    if not os.access(anchor, os.W_OK | os.X_OK):
        raise _problem(option, path, f"{anchor} is not writable")


def check_file(path: Path, option: str, *, create_parent: bool = False) -> None:
    """A file warmcheck will replace whole (its folder must exist unless `create_parent`)."""
    if create_parent:
        check_directory(path.parent, option)
    else:
        _check_name_lengths(option, path, _existing_ancestor(path))
        parent = path.parent
        if not parent.exists():
            raise _problem(option, path, f"folder {parent} does not exist")
        if not parent.is_dir():
            raise _problem(option, path, f"{parent} is not a folder")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise _problem(option, path, f"folder {parent} is not writable")
    if path.is_dir():
        raise _problem(option, path, "is a folder, not a file")
    if path.exists() and not path.is_file():
        raise _problem(option, path, "is not a regular file")


def check_append(path: Path, option: str) -> None:
    """A file warmcheck appends to (a CI step summary): it may be a device, never a folder."""
    _check_name_lengths(option, path, _existing_ancestor(path))
    if path.is_dir():
        raise _problem(option, path, "is a folder, not a file")
    if not path.exists():
        parent = path.parent
        if not parent.is_dir():
            raise _problem(option, path, f"folder {parent} does not exist")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise _problem(option, path, f"folder {parent} is not writable")
    elif not os.access(path, os.W_OK):
        raise _problem(option, path, "is not writable")


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGTERM/SIGINT back (delivered on exit) so a temporary is registered before any
    handler can run; outside the main thread nothing is held (handlers run there only)."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED_SIGNALS)
    except (AttributeError, ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _encoded(text: str) -> bytes:
    # Formats escape surrogates themselves; should one slip through, it is written as the
    # \udXXX escape (valid in JSON strings, visible elsewhere) rather than failing the run.
    return text.encode("utf-8", "backslashreplace")


def _stage(item: Replace, temporaries: list[Path]) -> Path:
    with _signals_held():
        handle, name = tempfile.mkstemp(
            dir=item.path.parent, prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX
        )
        temporary = Path(name)
        temporaries.append(temporary)
    with os.fdopen(handle, "wb") as stream:
        stream.write(_encoded(item.text))
        stream.flush()
        os.fsync(stream.fileno())
    return temporary


def _append(item: Append) -> None:
    with item.path.open("ab") as stream:
        regular = stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
        size = stream.tell()
        try:
            stream.write(_encoded(item.text))
            stream.flush()
        except BaseException:
            if regular:  # a half-appended summary is cut back to what it was
                with contextlib.suppress(OSError):
                    stream.truncate(size)
            raise


def _write_failure(error: OSError, path: Path, option: str) -> CheckerError:
    if error.errno in _DISK_FULL:
        return OutputWriteError(
            f"{_reason(error)} while writing {shown(str(path), limit=200)}; no report was replaced",
            hint="free some space and run again",
        )
    return _problem(option, path, f"cannot write: {_reason(error)}")


def publish(replacements: Sequence[Replace], appends: Sequence[Append] = ()) -> list[Path]:
    """Write every file or none: check, stage, append, then rename. Returns the paths written."""
    for item in replacements:
        check_file(item.path, item.option, create_parent=item.create_folder)
    for extra in appends:
        check_append(extra.path, extra.option)
    for folder in dict.fromkeys(item.path.parent for item in replacements):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            option = next(i.option for i in replacements if i.path.parent == folder)
            raise _problem(option, folder, f"cannot create the folder: {_reason(error)}") from None
    temporaries: list[Path] = []
    try:
        staged = []
        for item in replacements:
            try:
                staged.append((_stage(item, temporaries), item))
            except OSError as error:
                raise _write_failure(error, item.path, item.option) from None
        for extra in appends:
            try:
                _append(extra)
            except OSError as error:
                raise _problem(
                    extra.option, extra.path, f"cannot append: {_reason(error)}"
                ) from None
        for temporary, item in staged:
            temporary.replace(item.path)
            temporaries.remove(temporary)
    finally:
        for temporary in temporaries:
            with contextlib.suppress(OSError):
                temporary.unlink()
    return [item.path for item in replacements]
