"""Resume file formats: one PDF, DOCX, TXT or MD file's bytes to masked resume text.

``parse_bytes`` / ``parse_resume`` read one file. The type comes from the bytes, not the
extension (a ``.doc`` renamed ``.docx`` is still a legacy Word file). Every guard a hostile or
broken file could trip (size, pages, zip bombs, a slow file) raises ``InputError`` naming the
file and the reason, so a batch reports it and goes on: nothing is stored empty or invented.
Text files are decoded by ``data.text.decoding`` (the one decoder every importer uses).
Storing a parsed resume is ``data.ingest.resumes``.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import shutil
import subprocess
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from data.errors import InputError
from data.text.contacts import Contact, extract_contact, mask_contacts
from data.text.decoding import decode_text, normalise_text
from data.text.files import MAX_UPLOAD_MB, read_file
from data.text.language import Language, detect_language

__all__ = [
    "MIN_TEXT_CHARS",
    "Kind",
    "Limits",
    "ParsedResume",
    "detect_kind",
    "detect_language",
    "normalise_text",
    "parse_bytes",
    "parse_resume",
]

Kind = Literal["pdf", "docx", "txt", "md"]

_SAVE_AS = "save it as UTF-8 text, PDF or DOCX and upload it again"

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

    max_bytes: int = MAX_UPLOAD_MB * 1024 * 1024
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
                opened = bool(reader.decrypt(""))  # PasswordType.NOT_DECRYPTED is 0
            except Exception:
                opened = False
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


# --- parsing -------------------------------------------------------------------------------


def parse_bytes(
    data: bytes, file_name: str, *, limits: Limits = Limits(), region: str | None = None
) -> ParsedResume:
    """Parse a resume held in memory (``file_name`` names it in errors and picks MD vs TXT).

    ``region`` (ISO 3166 alpha-2, the candidate's country when known) is the first hint for
    reading phone numbers written without a country code.
    """
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise InputError("empty file: upload the resume again", file=file_name, code="resume.empty")
    if len(data) > limits.max_bytes:
        raise InputError(
            _too_big(len(data), limits),
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
        return decode_text(data, file_name, fix=_SAVE_AS).text, None

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
    contact = extract_contact(text, region=region)
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


def parse_resume(
    path: Path, *, limits: Limits = Limits(), region: str | None = None
) -> ParsedResume:
    """Parse one resume file; raises ``InputError(file=...)`` saying why it cannot be used."""
    path = Path(path)
    return parse_bytes(
        read_file(path, max_bytes=limits.max_bytes), path.name, limits=limits, region=region
    )


def _too_big(size: int, limits: Limits) -> str:
    return (
        f"{size / 1e6:.1f} MB, more than the limit of {limits.max_bytes / 1e6:.1f} MB: "
        "is this a resume? Compress its images or raise TALENTMAP_MAX_UPLOAD_MB"
    )
