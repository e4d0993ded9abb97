"""Resume files in, masked resume text out: parsing with guards, and storing once per file.

``parse_resume`` reads one PDF, DOCX, TXT or MD file. The type comes from the bytes, not the
extension (a ``.doc`` renamed ``.docx`` is still a legacy Word file). Every guard a hostile or
broken file could trip (size, pages, zip bombs, a slow file) raises ``InputError`` naming the
file and the reason, so a batch reports it and goes on: nothing is stored empty or invented.

``import_resumes`` parses a batch and stores each new file as a ``Candidate`` with its
``CandidateContact`` and a ``Resume`` whose text has the contact details masked; identical
files (same sha256 of the raw bytes) are stored once.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import secrets
import shutil
import subprocess
import threading
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.errors import InputError
from data.store.audit import record
from data.store.models import Candidate, CandidateContact, Resume
from data.text.contacts import Contact, extract_contact, mask_contacts

Kind = Literal["pdf", "docx", "txt", "md"]
Language = Literal["en", "zh", "mixed"]
ProgressFn = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each file."""

MIN_TEXT_CHARS = 20
"""Fewer non-space characters than this is no resume (a scanned page yields none or a few)."""

logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Limits:
    """Guards against files that are too big, too long, zip bombs or too slow to read.

    ``pdf_engine`` picks the PDF text extractor: ``"auto"`` uses poppler's ``pdftotext`` when
    it is on PATH (about 25 times faster than pypdf on the livecareer PDFs, see
    ``benchmarks/results/resume_parsing.md``) and pypdf otherwise; pypdf always checks the file
    first (encryption, pages, damage).
    """

    max_bytes: int = 10 * 1024 * 1024
    max_pages: int = 30
    max_zip_entries: int = 500
    max_uncompressed_bytes: int = 50 * 1024 * 1024
    max_compression_ratio: float = 100.0
    timeout_s: float = 30.0
    pdf_engine: Literal["auto", "pypdf", "pdftotext"] = "auto"


@dataclass(frozen=True)
class ParsedResume:
    """One readable resume. ``text`` is normalised and has contact details masked."""

    file_name: str
    sha256: str
    kind: Kind
    text: str
    language: Language
    pages: int | None
    contact: Contact


@dataclass(frozen=True)
class ParseFailure:
    """A file that was not stored, and why (the reason says what to do)."""

    file_name: str
    reason: str  # in English
    code: str | None = None  # for the label catalog (error.<code>), with params
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ResumeImportReport:
    """What a batch import did: new resume ids, duplicates of stored ones, failures."""

    stored: list[int] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    failed: list[ParseFailure] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return len(self.stored) + len(self.duplicates) + len(self.failed)


@dataclass(frozen=True)
class ResumeRow:
    """A stored resume as lists show it (no contact details)."""

    id: int
    file_name: str
    language: str
    pages: int | None
    chars: int
    candidate: str | None
    created_at: Any


# --- reading bytes -------------------------------------------------------------------------


class _Deadline:
    """A cooperative time limit: long loops call ``check`` between pages or paragraphs."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.cancelled = False

    def check(self) -> None:
        if self.cancelled or time.monotonic() > self.at:
            raise _TimedOut()


class _TimedOut(Exception):
    pass


def _timeout_message(limits: Limits) -> str:
    return (
        f"took longer than {limits.timeout_s:g} s to read: the file may be damaged or "
        "very complex; save it again as PDF or DOCX, or review it by hand"
    )


def _run_with_deadline(fn: Callable[[_Deadline], Any], limits: Limits, file_name: str) -> Any:
    """Run ``fn`` in a worker thread; give up (and tell it to stop) when the limit passes."""
    deadline = _Deadline(limits.timeout_s)
    fut: Future[Any] = Future()

    def work() -> None:
        try:
            fut.set_result(fn(deadline))
        except BaseException as err:
            fut.set_exception(err)

    threading.Thread(target=work, name=f"parse:{file_name}", daemon=True).start()
    try:
        return fut.result(timeout=max(limits.timeout_s, 0.0))
    except TimeoutError:
        deadline.cancelled = True
        raise InputError(
            _timeout_message(limits),
            file=file_name,
            code="resume.timeout",
            params={"seconds": limits.timeout_s},
        ) from None
    except _TimedOut:
        raise InputError(
            _timeout_message(limits),
            file=file_name,
            code="resume.timeout",
            params={"seconds": limits.timeout_s},
        ) from None


def detect_kind(data: bytes, file_name: str) -> Kind:
    """The resume type from the file's first bytes; raises ``InputError`` for other formats."""
    head = data[:8]
    if data.lstrip(b"\x00\t\r\n \xef\xbb\xbf")[:5] == b"%PDF-" or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise InputError(_ole2_reason(data), file=file_name, code="resume.not_a_resume")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "docx"
    for magic, what in _OTHER_FORMATS:
        if head.startswith(magic):
            raise InputError(
                f"{what} is not a resume format: upload PDF, DOCX, TXT or MD",
                file=file_name,
                code="resume.not_a_resume",
            )
    return "md" if file_name.lower().endswith((".md", ".markdown")) else "txt"


def _ole2_reason(data: bytes) -> str:
    """What an OLE2 compound file holds, told by its stream names (stored as UTF-16LE)."""

    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    if has("EncryptedPackage"):  # a password-protected .docx/.xlsx is wrapped in OLE2
        return (
            "encrypted Office document: remove the password, save as .docx or PDF, and upload again"
        )
    if has("Workbook") or has("PowerPoint Document"):
        return "a legacy Excel or PowerPoint file is not a resume format: save it as PDF"
    return "legacy Word .doc is not supported: save it as .docx or PDF"


_ZIP_KINDS: tuple[tuple[str, str], ...] = (
    ("xl/workbook.xml", "an Excel workbook"),
    ("ppt/presentation.xml", "a PowerPoint presentation"),
    ("content.xml", "an OpenDocument file"),
)


_OTHER_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
)


def _decode_text(data: bytes, file_name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030; binary is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise InputError(
            "binary file, not a resume format: upload PDF, DOCX, TXT or MD",
            file=file_name,
            code="resume.not_a_resume",
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:8192]
        control = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\r\n\f")
        if control <= len(sample) * 0.01:
            return text
    raise InputError(
        "binary or unknown text encoding: save it as UTF-8 text, PDF or DOCX",
        file=file_name,
        code="resume.encoding",
    )


def _read_pdf(data: bytes, file_name: str, limits: Limits, deadline: _Deadline) -> tuple[str, int]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if data.rfind(b"%%EOF", max(0, len(data) - 4096)) < 0:
        raise InputError(
            "truncated PDF (no end-of-file marker): upload the complete file again",
            file=file_name,
            code="resume.pdf_damaged",
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:
                opened = 0
            if not opened:
                raise InputError(
                    "encrypted PDF: remove the password and upload again",
                    file=file_name,
                    code="resume.encrypted",
                )
        pages = len(reader.pages)
        if pages > limits.max_pages:
            raise InputError(
                f"{pages} pages, more than the limit of {limits.max_pages}: "
                "is this a resume? Split it or raise the page limit",
                file=file_name,
                code="resume.too_many_pages",
                params={"pages": pages, "limit": limits.max_pages},
            )
        if pages == 0:
            raise InputError(
                "PDF has no pages: upload the complete file again",
                file=file_name,
                code="resume.pdf_damaged",
            )
        text = None
        if limits.pdf_engine != "pypdf":
            text = _pdftotext(data, file_name, deadline, required=limits.pdf_engine == "pdftotext")
        if text is None:
            texts = []
            for page in reader.pages:
                deadline.check()
                texts.append(page.extract_text() or "")
            text = "\n".join(texts)
    except (InputError, _TimedOut):
        raise
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        OSError,
    ) as err:
        raise InputError(
            f"damaged or truncated PDF ({type(err).__name__}): "
            "save or export it again and upload the new file",
            file=file_name,
            code="resume.pdf_damaged",
        ) from None
    return text, pages


def _pdftotext(data: bytes, file_name: str, deadline: _Deadline, *, required: bool) -> str | None:
    """Text by poppler's ``pdftotext`` (killed at the deadline); None when it cannot run."""
    exe = shutil.which("pdftotext")
    if exe is None:
        if required:
            raise InputError(
                "pdftotext is not installed: install poppler-utils or use pdf_engine='pypdf'",
                file=file_name,
            )
        return None
    deadline.check()
    try:
        done = subprocess.run(
            [exe, "-q", "-enc", "UTF-8", "-", "-"],
            input=data,
            capture_output=True,
            timeout=max(deadline.at - time.monotonic(), 0.01),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _TimedOut() from None
    except OSError:
        return None
    if done.returncode != 0:
        return None  # pypdf opened it; let pypdf read it
    return done.stdout.decode("utf-8", errors="replace").replace("\f", "\n")


def _check_zip(zf: zipfile.ZipFile, file_name: str, limits: Limits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.max_zip_entries:
        raise InputError(
            f"DOCX holds {len(infos)} parts, more than the limit of "
            f"{limits.max_zip_entries}: not a normal resume, refusing to open it",
            file=file_name,
            code="resume.docx_unsafe",
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise InputError(
            f"DOCX unpacks to {total / 1e6:.0f} MB, more than the limit of "
            f"{limits.max_uncompressed_bytes / 1e6:.0f} MB (zip bomb?): refusing "
            "to open it",
            file=file_name,
            code="resume.docx_unsafe",
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1_000_000 and ratio > limits.max_compression_ratio:
            raise InputError(
                f"DOCX part {info.filename} is compressed {ratio:.0f}:1, more than "
                f"the limit of {limits.max_compression_ratio:g}:1 (zip bomb?): "
                "refusing to open it",
                file=file_name,
                code="resume.docx_unsafe",
            )


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _textbox_lines(paragraph: Any) -> Iterator[str]:
    """Lines inside text boxes anchored in ``paragraph`` (designer resumes use them a lot).

    Word stores each box twice (DrawingML and a VML fallback), so repeated lines are dropped.
    """
    seen: set[str] = set()
    for box in paragraph.iter(f"{_W}txbxContent"):
        for p in box.iter(f"{_W}p"):
            line = "".join(t.text or "" for t in p.iter(f"{_W}t")).strip()
            if line and line not in seen:
                seen.add(line)
                yield line


def _docx_container_blocks(container: Any, document: Any, deadline: _Deadline) -> Iterator[str]:
    """Paragraphs, text boxes and table rows of a body, header or footer, in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        deadline.check()
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield Paragraph(child, document).text
            yield from _textbox_lines(child)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = cell.text.strip()
                    if text and (not cells or cells[-1] != text):  # merged cells repeat
                        cells.append(text)
                yield " | ".join(cells)


def _docx_blocks(document: Any, deadline: _Deadline) -> Iterator[str]:
    """Page headers (where names and contacts often sit), the body, then page footers.

    Chinese resumes are often laid out as tables: each row becomes one ``a | b`` line.
    """
    headers: list[Any] = []
    footers: list[Any] = []
    for section in document.sections:
        for part, out in (
            (section.header, headers),
            (section.first_page_header, headers),
            (section.footer, footers),
            (section.first_page_footer, footers),
        ):
            if not part.is_linked_to_previous:
                out.append(part._element)
    seen: set[str] = set()
    for element in headers:
        for line in _docx_container_blocks(element, document, deadline):
            if line.strip() and line not in seen:
                seen.add(line)
                yield line
    yield from _docx_container_blocks(document.element.body, document, deadline)
    for element in footers:
        for line in _docx_container_blocks(element, document, deadline):
            if line.strip() and line not in seen:
                seen.add(line)
                yield line


def _read_docx(data: bytes, file_name: str, limits: Limits, deadline: _Deadline) -> str:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InputError(
            "truncated or damaged DOCX: save it again and upload the new file",
            file=file_name,
            code="resume.docx_damaged",
        ) from None
    with zf:
        _check_zip(zf, file_name, limits)
        names = set(zf.namelist())
        if "word/document.xml" not in names:
            what = next((w for part, w in _ZIP_KINDS if part in names), "a ZIP archive")
            raise InputError(
                f"{what}, not a Word document: save the resume as DOCX or PDF",
                file=file_name,
                code="resume.not_a_resume",
            )
        bad = zf.testzip()
        if bad is not None:
            raise InputError(
                f"damaged DOCX (part {bad} is corrupt): save it again and upload the new file",
                file=file_name,
                code="resume.docx_damaged",
            )
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        return "\n".join(_docx_blocks(document, deadline))
    except _TimedOut:
        raise
    except Exception as err:
        raise InputError(
            f"damaged DOCX ({type(err).__name__}): save it again and upload the new file",
            file=file_name,
            code="resume.docx_damaged",
        ) from None


# --- text ----------------------------------------------------------------------------------

_SPACES = re.compile(r"[^\S\n]+")
_BLANKS = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def normalise_text(text: str) -> str:
    """NFC, no control characters, runs of spaces collapsed, lines kept, at most one blank line."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _ZERO_WIDTH.sub("", _CONTROL.sub(" ", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def detect_language(text: str) -> Language:
    """``zh`` when Chinese dominates, ``en`` when there is (almost) none, else ``mixed``."""
    cjk = len(_CJK.findall(text))
    words = len(_LATIN_WORD.findall(text))
    if cjk < 5:
        return "en"
    share = cjk / (cjk + 2 * words)
    if share >= 0.6:
        return "zh"
    if share <= 0.05:
        return "en"
    return "mixed"


# --- parsing -------------------------------------------------------------------------------


def parse_bytes(data: bytes, file_name: str, *, limits: Limits = Limits()) -> ParsedResume:
    """Parse a resume held in memory (``file_name`` names it in errors and picks MD vs TXT)."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise InputError("empty file: upload the resume again", file=file_name, code="resume.empty")
    if len(data) > limits.max_bytes:
        raise InputError(
            f"{len(data) / 1e6:.1f} MB, more than the limit of "
            f"{limits.max_bytes / 1e6:.1f} MB: is this a resume? Compress its "
            "images or raise the size limit",
            file=file_name,
            code="resume.too_large",
            params={"mb": len(data) / 1e6, "limit": limits.max_bytes / 1e6},
        )
    kind = detect_kind(data, file_name)

    def extract(deadline: _Deadline) -> tuple[str, int | None]:
        if kind == "pdf":
            return _read_pdf(data, file_name, limits, deadline)
        if kind == "docx":
            return _read_docx(data, file_name, limits, deadline), None
        return _decode_text(data, file_name), None

    raw, pages = _run_with_deadline(extract, limits, file_name)
    text = normalise_text(raw)
    if len(re.sub(r"\s", "", text)) < MIN_TEXT_CHARS:
        if kind == "pdf":
            reason, code = "no extractable text: needs OCR or manual review", "resume.no_text_pdf"
        else:
            reason, code = (
                "no text in the document: upload the resume with its text",
                "resume.no_text",
            )
        raise InputError(reason, file=file_name, code=code)
    contact = extract_contact(text)
    masked = mask_contacts(text, contact)
    return ParsedResume(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=kind,
        text=masked,
        language=detect_language(text),
        pages=pages,
        contact=contact,
    )


def parse_resume(path: Path, *, limits: Limits = Limits()) -> ParsedResume:
    """Parse one resume file; raises ``InputError(file=...)`` saying why it cannot be used."""
    path = Path(path)
    return parse_bytes(_read_file(path, limits), path.name, limits=limits)


def _read_file(path: Path, limits: Limits) -> bytes:
    """The file's bytes, refusing (before reading) one over the size limit."""
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise InputError(
                f"{size / 1e6:.1f} MB, more than the limit of "
                f"{limits.max_bytes / 1e6:.1f} MB: is this a resume? Compress its "
                "images or raise the size limit",
                file=path.name,
                code="resume.too_large",
                params={"mb": size / 1e6, "limit": limits.max_bytes / 1e6},
            )
        return path.read_bytes()
    except OSError as err:
        raise InputError(
            f"cannot read the file ({err.strerror or err}): check the path and permissions",
            file=path.name,
        ) from None


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, and every file under folders named (recursively, hidden files skipped)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(
                f
                for f in sorted(p.rglob("*"))
                if f.is_file()
                and not any(part.startswith((".", "~$")) for part in f.relative_to(p).parts)
            )
        elif p.exists():
            out.append(p)
        else:
            raise InputError("no such file or folder: check the path", file=str(p))
    return out


# --- storing -------------------------------------------------------------------------------


Upload = tuple[str, bytes]
"""A file received in memory (e.g. from the dashboard): ``(file name, raw bytes)``."""


def import_resumes(
    session: Session,
    paths: Iterable[Path | Upload],
    *,
    actor: str,
    progress: ProgressFn | None = None,
    limits: Limits = Limits(),
) -> ResumeImportReport:
    """Parse and store each file; failures are reported, never stored, never stop the batch.

    ``paths`` holds file paths or ``(file name, bytes)`` uploads. A file whose bytes are
    already stored (same sha256) is reported as a duplicate without being parsed again. Each
    new resume gets a pseudonymous ``Candidate`` (source ``upload``) with its contact details,
    and one audit row naming the pseudonym only. The caller commits.
    """
    items = list(paths)
    report = ResumeImportReport()
    seen: dict[str, int] = {}
    for done, item in enumerate(items, start=1):
        name = item[0] if isinstance(item, tuple) else Path(item).name
        try:
            data = item[1] if isinstance(item, tuple) else _read_file(Path(item), limits)
            digest = hashlib.sha256(data).hexdigest()
            existing = seen.get(digest) or session.scalar(
                select(Resume.id).where(Resume.sha256 == digest)
            )
            if existing is not None:
                report.duplicates.append((name, existing))
            else:
                parsed = parse_bytes(data, name, limits=limits)
                rid = store_resume(session, parsed, actor=actor)
                seen[digest] = rid
                report.stored.append(rid)
        except InputError as err:
            report.failed.append(ParseFailure(name, _reason(err), err.code, err.params))
        if progress:
            progress(done, len(items))
    return report


def _reason(err: InputError) -> str:
    """The message without the ``file:`` prefix (reports list the file name separately)."""
    text = str(err)
    prefix = f"{err.file}: " if err.file else ""
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text


def store_resume(session: Session, parsed: ParsedResume, *, actor: str) -> int:
    """Add one parsed resume as a new candidate; returns the resume id (audited)."""
    pseudonym = _new_pseudonym(session)
    candidate = Candidate(pseudonym=pseudonym, source_channel="upload")
    c = parsed.contact
    candidate.contact = CandidateContact(
        name=c.name[:200] if c.name else None,
        email=c.email[:200] if c.email else None,
        phone=c.phone[:64] if c.phone else None,
        links=list(c.links) or None,
    )
    session.add(candidate)
    session.flush()
    resume = Resume(
        candidate_id=candidate.id,
        file_name=parsed.file_name[:255],
        sha256=parsed.sha256,
        language=parsed.language,
        text=parsed.text,
        pages=parsed.pages,
    )
    session.add(resume)
    session.flush()
    record(
        session,
        actor,
        "resumes.import",
        target_type="candidate",
        target=pseudonym,
        detail={"kind": parsed.kind, "language": parsed.language, "pages": parsed.pages},
    )
    return resume.id


def _new_pseudonym(session: Session) -> str:
    while True:
        pseudonym = "C-" + secrets.token_hex(6)
        if session.scalar(select(Candidate.id).where(Candidate.pseudonym == pseudonym)) is None:
            return pseudonym


def list_resumes(session: Session, *, limit: int | None = None) -> list[ResumeRow]:
    """Stored resumes, newest first, without their text or contact details."""
    stmt = (
        select(
            Resume.id,
            Resume.file_name,
            Resume.language,
            Resume.pages,
            func.length(Resume.text),
            Candidate.pseudonym,
            Resume.created_at,
        )
        .outerjoin(Candidate, Candidate.id == Resume.candidate_id)
        .order_by(Resume.id.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return [ResumeRow(*row) for row in session.execute(stmt)]
