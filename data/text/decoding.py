"""Bytes to text, once for every importer: resumes, strategy documents, role files and CSVs.

People save text in whatever their editor or spreadsheet writes: UTF-8 with or without a BOM
(Excel's "CSV UTF-8"), UTF-16 with a BOM (Notepad's "Unicode"), GB18030/GBK (Excel and Notepad
on Chinese Windows), cp1252/Latin-1 (Excel on Western Windows). ``decode_text`` tells them
apart without guessing wildly: GB18030 decodes almost any byte string, so it is accepted only
when the result reads as Chinese, and Latin text is read as cp1252 instead of becoming GB18030
mojibake. Anything else (binary, UTF-16 without a BOM, damaged UTF-8) is refused with an
``InputError`` naming the file and the line, and saying what to do.

``normalise_text`` is the one clean-up every extracted text gets (NFC, no control or
zero-width characters, collapsed spaces).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from data.errors import InputError

Encoding = Literal["utf-8", "utf-8-sig", "utf-16", "gb18030", "cp1252"]

SAVE_AS_UTF8 = "save it as UTF-8 text"


@dataclass(frozen=True)
class Decoded:
    """Decoded text and the encoding it was read in (BOM removed, line endings kept)."""

    text: str
    encoding: Encoding


def decode_text(raw: bytes, file: str, *, fix: str = SAVE_AS_UTF8) -> Decoded:
    """Decode ``raw`` (the bytes of ``file``) or raise ``InputError`` naming file and line.

    ``fix`` ends the message of a refusal ("save it as UTF-8 text", "save it as CSV UTF-8").
    Control characters other than tab, form feed and vertical tab are refused as binary.
    """
    decoded = _decode(raw, file, fix)
    bad = control_line(decoded.text)
    if bad is not None:
        raise InputError(
            f"binary content (control characters) in a text file: {fix}",
            file=file,
            line=bad,
            code="text.binary",
        )
    return decoded


_BINARY_MAGIC = {
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP/Office file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old Office file",
    b"\x7fELF": "a program",
}


def _decode(raw: bytes, file: str, fix: str) -> Decoded:
    for magic, what in _BINARY_MAGIC.items():
        if raw.startswith(magic):
            raise InputError(
                f"binary file ({what}), not text: {fix}", file=file, line=1, code="text.binary"
            )
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return Decoded(raw[3:].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError as err:
            raise _damaged_utf8(file, raw, err.start + 3, fix) from None
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            try:
                return Decoded(raw[2:].decode(enc), "utf-16")
            except UnicodeDecodeError as err:
                raise _unknown(file, raw, err.start + 2, fix) from None
    if b"\x00" in raw:
        if looks_utf16(raw):
            raise InputError(
                f"unknown encoding (it looks like UTF-16 without a byte-order mark): {fix}",
                file=file,
                line=1,
                code="text.encoding",
            )
        k = raw.index(b"\x00")
        raise InputError(
            f"binary file (it contains NUL bytes), not text: {fix}",
            file=file,
            line=raw.count(b"\n", 0, k) + 1,
            code="text.binary",
        )
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as utf8_err:
        if _mostly_utf8(raw):
            raise _damaged_utf8(file, raw, utf8_err.start, fix) from None
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and plausible_chinese(text):
            return Decoded(text, "gb18030")
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            text = None
        if text is not None and plausible_latin(text):
            return Decoded(text, "cp1252")
        raise _unknown(file, raw, utf8_err.start, fix) from None


def _damaged_utf8(file: str, raw: bytes, offset: int, fix: str) -> InputError:
    return InputError(
        f"damaged UTF-8 text (an invalid byte among valid UTF-8): fix that line, or {fix}",
        file=file,
        line=raw.count(b"\n", 0, offset) + 1,
        code="text.damaged_utf8",
    )


def _unknown(file: str, raw: bytes, offset: int, fix: str) -> InputError:
    return InputError(
        f"unknown encoding (not UTF-8, UTF-16, GB18030/GBK or Windows-1252): {fix}",
        file=file,
        line=raw.count(b"\n", 0, offset) + 1,
        code="text.encoding",
    )


def _mostly_utf8(raw: bytes) -> bool:
    """UTF-8 but for a few damaged bytes (GB18030 would turn those into plausible nonsense)."""
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return good >= 10 and bad * 20 <= good


def looks_utf16(raw: bytes) -> bool:
    """Whether NUL-holding bytes read as UTF-16 text (Chinese or ASCII) in either byte order."""
    if len(raw) % 2:
        return False
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        ok = sum(1 for ch in text if (" " <= ch <= "~") or ch in "\n\r\t" or _is_cjk_text(ch))
        if ok >= 0.9 * len(text):
            return True
    return False


def _is_cjk_text(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"


def plausible_chinese(text: str) -> bool:
    """Whether GB18030-decoded text reads as Chinese rather than mojibake.

    Nearly all of its non-ASCII characters must be CJK or Chinese punctuation, and nearly all
    of its Han characters must be in GB2312 (the 6,763 common characters, whose two bytes are
    both above 0xA0). Latin-1 text misread as GB18030 pairs an accented letter with the next
    ASCII letter ("é" + "t"), which lands outside GB2312; real Chinese text rarely does. Nor
    does it put a lone Han character between two Latin letters.
    """
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii:
        return True
    common = sum(1 for ch in non_ascii if _is_cjk_text(ch) or ch in "“”‘’—…·")
    if common < 0.9 * len(non_ascii):
        return False
    han = [k for k, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return True
    in_gb2312 = sum(1 for k in han if _encodes(text[k], "gb2312"))
    # two accented Latin letters in a row ("Ibáñez") can make one GB2312 character, which
    # then sits alone between Latin letters: Chinese words are not written that way
    enclosed = sum(1 for k in han if _latin_letter(text, k - 1) and _latin_letter(text, k + 1))
    return in_gb2312 >= 0.9 * len(han) and enclosed <= 0.1 * len(han)


def _latin_letter(text: str, k: int) -> bool:
    return 0 <= k < len(text) and text[k].isascii() and text[k].isalpha()


def _encodes(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


_LATIN_PUNCT = set("€‚„…†‡‰‹›‘’“”•–—™°±²³µ·º»«¿¡×÷§©®¬¹¼½¾¢£¥¨¯´¸ª¦\u00a0\u00ad")
_ONE_LETTER_WORDS = set("àèéòóåöÀÈÉÅÖ")
"""Accented letters that are words on their own: French and Portuguese "à", Italian "è",
Portuguese "é", Spanish "ó", Swedish "å" and "ö" (a French file was refused over its "à")."""


def plausible_latin(text: str) -> bool:
    """Whether cp1252-decoded text reads as a Western language: its non-ASCII characters are
    letters or common punctuation, accented letters sit next to other letters (or are a word
    of their own, like French "à"), and plain ASCII letters outnumber them."""
    non_ascii = [(k, ch) for k, ch in enumerate(text) if ord(ch) > 127]
    if not non_ascii:
        return True
    ascii_letters = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if ascii_letters < 2 * len(non_ascii):  # Western text is mostly plain letters
        return False
    ok = 0
    for k, ch in non_ascii:
        if ch in _LATIN_PUNCT:
            ok += 1
        elif ch.isalpha():
            near = text[max(0, k - 1) : k] + text[k + 1 : k + 2]
            ok += any(c.isalpha() for c in near) or len(text) == 1 or ch in _ONE_LETTER_WORDS
    return ok >= 0.9 * len(non_ascii)


def control_line(text: str) -> int | None:
    """The 1-based line holding a control character (tab, form feed and vertical tab aside)."""
    for k, line in enumerate(re.split(r"\r\n|\r|\n", text)):
        if any(unicodedata.category(ch) == "Cc" and ch not in "\t\f\v" for ch in line):
            return k + 1
    return None


_SPACES = re.compile(r"[^\S\n]+")
_BLANKS = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


def normalise_text(text: str) -> str:
    """NFC, no control characters, runs of spaces collapsed, lines kept, at most one blank line."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _ZERO_WIDTH.sub("", _CONTROL.sub(" ", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
