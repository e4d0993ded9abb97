"""Builders of real resume files, good and bad, for parser, store and CLI tests.

Each builder writes a genuine file of its kind with the library that kind is made with
(python-docx, reportlab, pypdf, Pillow) or, for the legacy Word ``.doc``, a valid OLE2
compound file (header, FAT, directory and a ``WordDocument`` stream) written byte by byte.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

EN_RESUME = """Jane Doe
jane.doe@example.com | (415) 555-0134 | linkedin.com/in/janedoe
Machine Learning Engineer
Experience
2019-2023 Acme AI: trained PyTorch models for recommendation; deployed with Docker and Kubernetes.
2016-2019 DataCorp: built SQL pipelines and dashboards in Python; salary 120,000.
Education
MSc Computer Science, 2014-2016
"""

ZH_RESUME = """张伟
手机：138 1234 5678 ｜ 邮箱：zhang.wei@example.cn ｜ github.com/zhangwei
求职意向：算法工程师
工作经历
2019.07-2023.06 北京某科技公司 机器学习工程师：负责推荐系统，使用 PyTorch 训练深度学习模型。
教育背景
2015.09-2019.06 清华大学 计算机科学与技术 本科
期望薪资：25000-35000元/月
"""


def make_docx(path: Path, text: str, *, table_rows: list[list[str]] | None = None) -> Path:
    """A DOCX written by python-docx: one paragraph per line, then an optional table."""
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    if table_rows:
        table = document.add_table(rows=len(table_rows), cols=len(table_rows[0]))
        for r, row in enumerate(table_rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    document.save(str(path))
    return path


def make_designer_docx(path: Path) -> Path:
    """A DOCX with the contact line in the page header and skills in a (VML) text box."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Jane Doe | jane@doe.dev | (415) 555-0134"
    document.sections[0].footer.paragraphs[0].text = "Page 1"
    document.add_paragraph("Machine Learning Engineer building PyTorch models in production.")
    anchor = document.add_paragraph("")
    anchor._p.append(
        parse_xml(
            '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox><w:txbxContent>'
            "<w:p><w:r><w:t>Skills: Python, SQL</w:t></w:r></w:p>"
            "<w:p><w:r><w:t>语言：英语，中文</w:t></w:r></w:p>"
            "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        )
    )
    document.save(str(path))
    return path


def pdf_bytes(text: str, *, pages: int = 1, chinese: bool = False) -> bytes:
    """A PDF written by reportlab with a text layer (STSong-Light for Chinese)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    font = "Helvetica"
    if chinese:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        font = "STSong-Light"
    for _ in range(pages):
        c.setFont(font, 11)
        y = 800
        for line in text.splitlines():
            c.drawString(50, y, line)
            y -= 16
        c.showPage()
    c.save()
    return buf.getvalue()


def make_pdf(path: Path, text: str, *, pages: int = 1, chinese: bool = False) -> Path:
    path.write_bytes(pdf_bytes(text, pages=pages, chinese=chinese))
    return path


def make_encrypted_pdf(path: Path, text: str, *, user_password: str = "secret") -> Path:
    """A PDF encrypted by pypdf's writer; it cannot be opened without ``user_password``."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(text))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def make_zip_bomb_docx(path: Path, *, bomb_bytes: int = 60 * 1024 * 1024) -> Path:
    """A real DOCX with one extra part of ``bomb_bytes`` zeros (compresses ~1000:1)."""
    good = io.BytesIO()
    make_docx_bytes(good, EN_RESUME)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        chunk = b"\x00" * (1024 * 1024)
        with dst.open("word/media/image1.bin", "w", force_zip64=True) as fh:
            for _ in range(bomb_bytes // len(chunk)):
                fh.write(chunk)
    return path


def make_docx_bytes(buf: io.BytesIO, text: str) -> None:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(buf)


def make_png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (64, 32), (200, 30, 30)).save(path, format="PNG")
    return path


# --- a legacy Word .doc: an OLE2 / Compound File Binary container -------------------------

_FREESECT, _ENDOFCHAIN, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _dir_entry(
    name: str, kind: int, *, child: int = _NOSTREAM, start: int = _ENDOFCHAIN, size: int = 0
) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)  # name length, object type, black
        + struct.pack("<III", _NOSTREAM, _NOSTREAM, child)  # left, right sibling, child
        + b"\x00" * 16  # CLSID
        + struct.pack("<I", 0)  # state bits
        + b"\x00" * 16  # creation and modification times
        + struct.pack("<IQ", start, size)
    )


def cfb_doc_bytes(text: str = "Jane Doe, ML engineer", *, stream: str = "WordDocument") -> bytes:
    """A version-3 compound file holding one stream (by default ``WordDocument``, a Word FIB).

    ``stream="EncryptedPackage"`` gives the container Office wraps password-protected DOCX in.

    Layout: header, sector 0 = FAT, sector 1 = directory, sectors 2.. = the stream (4096
    bytes, the mini-stream cut-off, so it lives in regular sectors and needs no mini FAT).
    """
    sector = 512
    body = struct.pack("<HH", 0xA5EC, 0x00C1)  # FIB: wIdent, nFib (Word 97)
    body += text.encode("utf-16-le")
    body = body.ljust(4096, b"\x00")
    n_stream = len(body) // sector

    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
    header += b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _ENDOFCHAIN, 0, _ENDOFCHAIN, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", _FREESECT) * 108  # DIFAT: FAT at 0
    assert len(header) == sector

    fat = [_FATSECT, _ENDOFCHAIN] + [3 + i for i in range(n_stream - 1)] + [_ENDOFCHAIN]
    fat += [_FREESECT] * (128 - len(fat))
    fat_sector = struct.pack("<128I", *fat)

    directory = (
        _dir_entry("Root Entry", 5, child=1)
        + _dir_entry(stream, 2, start=2, size=len(body))
        + _dir_entry("", 0) * 2
    )
    assert len(directory) == sector
    return header + fat_sector + directory + body


def slow_pdf_bytes(*, pages: int = 30, ops_per_page: int = 10_000) -> bytes:
    """A valid PDF whose pages all share one long content stream: slow to extract, on purpose.

    Written by hand (objects, cross-reference table, trailer) so it costs nothing to build.
    """
    ops = b"".join(
        b"BT /F1 6 Tf %d %d Td (w%d) Tj ET\n" % (20 + (i % 8) * 70, 20 + (i // 8) % 110 * 7, i)
        for i in range(ops_per_page)
    )
    page_ids = list(range(5, 5 + pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % p for p in page_ids)
        + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream",
    ] + [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 3 0 R >> >> >>"
    ] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
