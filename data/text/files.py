"""Which files an import reads, and reading them safely: one set of rules for every importer.

``collect_files`` turns the paths a user names (files and folders) into the files to import.
Folders are walked recursively in sorted order; hidden entries (``.git``, ``.DS_Store``) and
Office lock files (``~$cv.docx``) are skipped. Links are never followed out of the folder
being walked: a link inside an import folder that points at ``/etc/passwd`` (or at any file or
folder elsewhere) is refused with a message, and so are broken links and special files
(FIFOs, sockets, devices), which could block a read or leak a file the user did not mean to
share. A path the user names directly is taken as named, link or not, but must be a regular
file or a folder. The same file reached twice is imported once.

``read_file`` reads one file's bytes, refusing a special file and a file over the size limit
before reading it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from data.errors import InputError

MAX_UPLOAD_MB = 20
"""The one size limit for a file imported or uploaded (resumes, documents, CSVs), in MB.
``data.settings.Settings.max_upload_mb`` defaults to it, and ``talentmap serve`` hands it to
Streamlit as its upload limit."""

MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
"""The default limit in bytes, counted as ``Settings.max_upload_bytes`` counts it (one MB is
1024 * 1024 bytes here, as in Streamlit's upload limit); importers take the user's setting."""


@dataclass(frozen=True)
class Refused:
    """A path that was not imported, and why (the reason says what to do)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class FileBatch:
    """The files to import, in order, and the paths refused on the way."""

    files: list[Path] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)


def _special_kind(mode: int) -> str | None:
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _hidden(name: str) -> bool:
    return name.startswith((".", "~$"))


def collect_files(
    paths: Iterable[str | Path],
    *,
    suffixes: Collection[str] | None = None,
    what: str = "files",
) -> FileBatch:
    """The files named by ``paths``, folders walked recursively (see the module docstring).

    ``suffixes`` (lower case, with the dot) limits what is taken from folders; files named
    directly are always taken, so their reader can say why it does not read them. ``what``
    names the files in the message for a folder that holds none ("resumes").
    """
    batch = FileBatch()
    seen: set[Path] = set()

    def take(path: Path, real: Path) -> None:
        if real not in seen:
            seen.add(real)
            batch.files.append(path)

    for p in map(Path, paths):
        try:
            st = p.stat()
        except FileNotFoundError:
            reason = (
                "a broken link (its target does not exist): fix or remove the link"
                if p.is_symlink()
                else "no such file or folder: check the path"
            )
            batch.refused.append(Refused(str(p), reason))
            continue
        except OSError as err:
            batch.refused.append(
                Refused(str(p), f"cannot read it ({err.strerror or err}): check the permissions")
            )
            continue
        if stat.S_ISDIR(st.st_mode):
            before = len(batch.files)
            _walk(p, suffixes, batch, take)
            if len(batch.files) == before:
                batch.refused.append(Refused(str(p), f"no {what} in this folder"))
            continue
        special = _special_kind(st.st_mode)
        if special:
            batch.refused.append(
                Refused(str(p), f"{special}, not a file: name a regular file or a folder")
            )
            continue
        take(p, p.resolve())
    return batch


def _walk(
    root: Path,
    suffixes: Collection[str] | None,
    batch: FileBatch,
    take: Callable[[Path, Path], None],
) -> None:
    top = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not _hidden(d))
        for d in list(dirnames):
            link = here / d
            if link.is_symlink():
                dirnames.remove(d)  # never walked through a link; inside targets are walked anyway
                target = link.resolve()
                if not target.is_relative_to(top):
                    batch.refused.append(Refused(str(link), _outside(target, "folder")))
        for name in sorted(f for f in filenames if not _hidden(f)):
            path = here / name
            if suffixes is not None and path.suffix.lower() not in suffixes:
                continue
            try:
                st = path.lstat()
            except OSError:
                continue  # removed while walking
            if stat.S_ISLNK(st.st_mode):
                target = path.resolve()
                if not target.exists():
                    batch.refused.append(
                        Refused(str(path), "a broken link (its target does not exist): remove it")
                    )
                    continue
                if not target.is_relative_to(top):
                    batch.refused.append(Refused(str(path), _outside(target, "file")))
                    continue
                st = target.stat()
                if stat.S_ISDIR(st.st_mode):
                    continue
            special = _special_kind(st.st_mode)
            if special:
                batch.refused.append(
                    Refused(str(path), f"{special}, not a file: remove it from the folder")
                )
                continue
            take(path, path.resolve())


def _outside(target: Path, kind: str) -> str:
    return (
        f"a link to a {kind} outside the import folder ({target}): links are not followed out "
        f"of the folder you import; copy the {kind} into it instead"
    )


def read_file(path: Path, *, max_bytes: int, file: str | None = None) -> bytes:
    """The bytes of the regular file at ``path``, at most ``max_bytes`` of them.

    Raises ``InputError`` (naming ``file``, by default the file name) for a special file, a
    file over the limit, or one that cannot be read.
    """
    name = file or path.name
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise InputError(
            f"cannot read the file ({err.strerror or err}): check the path and permissions",
            file=name,
            code="file.unreadable",
        ) from None
    st = os.fstat(fd)  # before fdopen, which refuses a folder with IsADirectoryError
    if _special_kind(st.st_mode) or stat.S_ISDIR(st.st_mode):
        os.close(fd)
        special = _special_kind(st.st_mode)
        raise InputError(
            f"{special or 'a folder'}, not a file: name a regular file",
            file=name,
            code="file.not_a_file",
        )
    with os.fdopen(fd, "rb") as fh:
        if st.st_size > max_bytes:
            raise InputError(
                _too_big(st.st_size, max_bytes),
                file=name,
                code="file.too_large",
                params={"mb": st.st_size / 1e6, "limit": max_bytes / 1e6},
            )
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while being read
        raise InputError(
            _too_big(len(data), max_bytes),
            file=name,
            code="file.too_large",
            params={"mb": len(data) / 1e6, "limit": max_bytes / 1e6},
        )
    return data


def _too_big(size: int, max_bytes: int) -> str:
    return (
        f"{size / 1e6:.1f} MB, more than the limit of {max_bytes / 1e6:.1f} MB: is this the "
        "right file? Make it smaller or raise TALENTMAP_MAX_UPLOAD_MB"
    )
