"""Parsing real resume files, good and bad; contact extraction and masking. No database."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from data.errors import InputError
from data.text.contacts import Contact, extract_contact, mask_contacts
from data.text.decoding import normalise_text
from data.text.language import detect_language
from data.text.resume_files import Limits, ParsedResume, parse_bytes, parse_resume
from tests.data.resume_files import (
    EN_RESUME,
    ZH_RESUME,
    cfb_doc_bytes,
    make_designer_docx,
    make_docx,
    make_encrypted_pdf,
    make_pdf,
    make_png,
    make_zip_bomb_docx,
    slow_pdf_bytes,
)

CATEGORIES = [
    "ACCOUNTANT",
    "ADVOCATE",
    "AGRICULTURE",
    "APPAREL",
    "ARTS",
    "AUTOMOBILE",
    "AVIATION",
    "BANKING",
    "BPO",
    "BUSINESS-DEVELOPMENT",
    "CHEF",
    "CONSTRUCTION",
    "CONSULTANT",
    "DESIGNER",
    "DIGITAL-MEDIA",
    "ENGINEERING",
    "FINANCE",
    "FITNESS",
    "HEALTHCARE",
    "HR",
    "INFORMATION-TECHNOLOGY",
    "PUBLIC-RELATIONS",
    "SALES",
    "TEACHER",
]
SCANNED = "BUSINESS-DEVELOPMENT/12632728.pdf"


def _real_pdf(benchmarks_dir: Path, category: str) -> Path:
    files = sorted(
        p
        for p in (benchmarks_dir / "livecareer_pdfs" / category).glob("*.pdf")
        if p.name != Path(SCANNED).name
    )
    assert files, f"no PDF for {category}"
    return files[0]


# --- good files ----------------------------------------------------------------------------


@pytest.mark.parametrize("category", CATEGORIES)
def test_real_livecareer_pdf_parses(benchmarks_dir: Path, category: str) -> None:
    path = _real_pdf(benchmarks_dir, category)
    parsed = parse_resume(path)
    assert parsed.kind == "pdf"
    assert parsed.language == "en"
    assert parsed.pages is not None and parsed.pages >= 1
    assert len(parsed.text) > 500
    assert parsed.sha256 == __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    # the category's own words show up in the text (the title line of these resumes)
    word = category.split("-")[0].lower()
    assert word[:5] in parsed.text.lower() or len(parsed.text.split()) > 100
    assert "\n" in parsed.text and "  " not in parsed.text


@pytest.mark.parametrize("engine", ["pypdf", "pdftotext"])
@pytest.mark.parametrize("category", ["ACCOUNTANT", "CHEF", "INFORMATION-TECHNOLOGY"])
def test_pdf_engines_agree(benchmarks_dir: Path, category: str, engine: str) -> None:
    """pdftotext (fast) and pypdf (fallback) read the same words from real PDFs."""
    path = _real_pdf(benchmarks_dir, category)
    auto = set(parse_resume(path).text.lower().split())
    other = set(parse_resume(path, limits=Limits(pdf_engine=engine)).text.lower().split())
    assert len(auto & other) / len(auto | other) > 0.95


@pytest.mark.parametrize("engine", ["pypdf", "pdftotext"])
def test_chinese_pdf_both_engines(tmp_path: Path, engine: str) -> None:
    parsed = parse_resume(
        make_pdf(tmp_path / "zh.pdf", ZH_RESUME, chinese=True), limits=Limits(pdf_engine=engine)
    )
    assert parsed.language == "zh" and "推荐系统" in parsed.text


@pytest.mark.parametrize("engine", ["pypdf", "pdftotext"])
def test_slow_pdf_is_stopped(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "slow.pdf"
    path.write_bytes(slow_pdf_bytes(pages=200))
    _fails(
        path, "took longer than 1 s to read", Limits(timeout_s=1, max_pages=1000, pdf_engine=engine)
    )  # type: ignore[arg-type]


def test_docx_english_with_contacts_masked(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "jane.docx", EN_RESUME)
    parsed = parse_resume(path)
    assert parsed.kind == "docx" and parsed.pages is None and parsed.language == "en"
    assert parsed.contact == Contact(
        name="Jane Doe",
        email="jane.doe@example.com",
        phone="(415) 555-0134",
        links=("linkedin.com/in/janedoe",),
    )
    for secret in ("jane.doe@example.com", "555-0134", "linkedin.com", "Jane Doe"):
        assert secret not in parsed.text
    assert "[EMAIL]" in parsed.text and "[PHONE]" in parsed.text and "[LINK]" in parsed.text
    assert parsed.text.startswith("[NAME]")
    assert "PyTorch" in parsed.text and "2019-2023" in parsed.text and "120,000" in parsed.text


def test_docx_chinese_with_table(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "zw.docx",
        ZH_RESUME,
        table_rows=[["技能", "熟练程度"], ["深度学习", "精通"], ["Kubernetes", "熟悉"]],
    )
    parsed = parse_resume(path)
    assert parsed.language == "zh"
    assert parsed.contact.name == "张伟"
    assert parsed.contact.phone == "138 1234 5678"
    assert parsed.contact.email == "zhang.wei@example.cn"
    assert parsed.contact.links == ("github.com/zhangwei",)
    assert "张伟" not in parsed.text and "138 1234 5678" not in parsed.text
    assert "深度学习 | 精通" in parsed.text  # table rows kept in order
    assert "2015.09-2019.06" in parsed.text and "25000-35000" in parsed.text


def test_docx_header_and_text_boxes_are_read(tmp_path: Path) -> None:
    parsed = parse_resume(make_designer_docx(tmp_path / "designer.docx"))
    assert parsed.text.splitlines()[0] == "[NAME] | [EMAIL] | [PHONE]"
    assert parsed.contact.email == "jane@doe.dev" and parsed.contact.name == "Jane Doe"
    assert "Skills: Python, SQL" in parsed.text and "语言：英语，中文" in parsed.text
    assert parsed.text.count("Skills: Python, SQL") == 1


def test_chinese_pdf_from_reportlab(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "zh.pdf", ZH_RESUME, chinese=True)
    parsed = parse_resume(path)
    assert parsed.kind == "pdf" and parsed.pages == 1
    assert parsed.language == "zh"
    assert "推荐系统" in parsed.text and "清华大学" in parsed.text
    assert parsed.contact.name == "张伟"
    assert "[PHONE]" in parsed.text


@pytest.mark.parametrize(
    ("name", "encoding", "bom"),
    [
        ("a.txt", "utf-8", b""),
        ("a.md", "utf-8", b"\xef\xbb\xbf"),
        ("a.txt", "gb18030", b""),
        ("a.txt", "utf-16", b""),
    ],
    ids=["utf8", "utf8-bom-md", "gb18030", "utf16"],
)
def test_text_encodings(tmp_path: Path, name: str, encoding: str, bom: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(bom + ZH_RESUME.encode(encoding))
    parsed = parse_resume(path)
    assert parsed.kind == ("md" if name.endswith(".md") else "txt")
    assert "机器学习工程师" in parsed.text
    assert not parsed.text.startswith("\ufeff")


def test_type_comes_from_content_not_extension(tmp_path: Path) -> None:
    pdf_as_txt = make_pdf(tmp_path / "resume.txt", EN_RESUME)
    assert parse_resume(pdf_as_txt).kind == "pdf"
    docx_as_pdf = make_docx(tmp_path / "resume.pdf", EN_RESUME)
    assert parse_resume(docx_as_pdf).kind == "docx"


# --- bad files: each reported by name with a reason that says what to do ------------------


def _fails(path: Path, match: str, limits: Limits = Limits()) -> InputError:
    with pytest.raises(InputError, match=match) as info:
        parse_resume(path, limits=limits)
    assert info.value.file == path.name
    assert str(info.value).startswith(path.name)
    return info.value


def test_scanned_pdf_without_text_layer(benchmarks_dir: Path) -> None:
    _fails(
        benchmarks_dir / "livecareer_pdfs" / SCANNED,
        "no extractable text: needs OCR or manual review",
    )


def test_encrypted_pdf(tmp_path: Path) -> None:
    _fails(
        make_encrypted_pdf(tmp_path / "locked.pdf", EN_RESUME),
        "encrypted PDF: remove the password and upload again",
    )


def test_pdf_with_empty_user_password_opens(tmp_path: Path) -> None:
    """Owner-only protection (no password to open) is no reason to refuse the file."""
    path = make_encrypted_pdf(tmp_path / "owner-only.pdf", EN_RESUME, user_password="")
    assert "PyTorch" in parse_resume(path).text


@pytest.mark.parametrize(
    "content", [b"", b"   \n\r\n", b"\xef\xbb\xbf"], ids=["zero", "blank", "bom"]
)
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    _fails(path, "empty file")


def test_truncated_real_pdf(tmp_path: Path, benchmarks_dir: Path) -> None:
    data = _real_pdf(benchmarks_dir, "ACCOUNTANT").read_bytes()
    path = tmp_path / "half.pdf"
    path.write_bytes(data[: len(data) // 2])
    _fails(path, "truncated PDF")


def test_truncated_docx(tmp_path: Path) -> None:
    data = make_docx(tmp_path / "full.docx", EN_RESUME).read_bytes()
    path = tmp_path / "half.docx"
    path.write_bytes(data[: len(data) // 2])
    _fails(path, "truncated or damaged DOCX")


def test_legacy_doc_renamed_docx(tmp_path: Path) -> None:
    path = tmp_path / "cv.docx"
    path.write_bytes(cfb_doc_bytes())
    _fails(path, r"legacy Word \.doc is not supported: save it as \.docx or PDF")


def test_password_protected_office_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.docx"
    path.write_bytes(cfb_doc_bytes(stream="EncryptedPackage"))
    _fails(path, "encrypted Office document: remove the password")


@pytest.mark.parametrize(
    ("part", "what"),
    [
        ("xl/workbook.xml", "an Excel workbook"),
        ("ppt/presentation.xml", "a PowerPoint presentation"),
    ],
    ids=["xlsx", "pptx"],
)
def test_other_office_zips(tmp_path: Path, part: str, what: str) -> None:
    import zipfile

    path = tmp_path / "cv.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr(part, "<x/>")
    _fails(path, f"{what}, not a Word document")


def test_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    limit = Limits().max_bytes
    path.write_bytes(b"Python engineer\n" * (limit // 16 + 1))
    _fails(path, rf"more than the limit of {limit / 1e6:.1f} MB")
    # the in-memory path applies the same limit
    with pytest.raises(InputError, match="more than the limit"):
        parse_bytes(b"x" * 2000, "small.txt", limits=Limits(max_bytes=1000))


def test_zip_bomb_docx_total_size(tmp_path: Path) -> None:
    _fails(make_zip_bomb_docx(tmp_path / "bomb.docx"), r"unpacks to \d+ MB.*zip bomb")


def test_zip_bomb_docx_compression_ratio(tmp_path: Path) -> None:
    path = make_zip_bomb_docx(tmp_path / "ratio.docx", bomb_bytes=5 * 1024 * 1024)
    _fails(path, r"compressed \d+:1.*zip bomb")


def test_docx_with_too_many_parts(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "parts.docx", EN_RESUME)
    _fails(path, "parts, more than the limit of 5", Limits(max_zip_entries=5))


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("notes.txt", EN_RESUME)
    _fails(path, "a ZIP archive, not a Word document: save the resume as DOCX or PDF")


def test_png_is_not_a_resume(tmp_path: Path) -> None:
    _fails(make_png(tmp_path / "photo.pdf"), "a PNG image is not a resume format")


def test_random_binary_is_refused(tmp_path: Path) -> None:
    import random

    rng = random.Random(3)
    noise = bytes(rng.randrange(256) for _ in range(4000))
    path = tmp_path / "blob.txt"
    path.write_bytes(noise)
    _fails(path, "binary file .*, not text: save it as UTF-8 text, PDF or DOCX")
    no_nul = tmp_path / "no-nul.txt"  # no NUL byte: still refused (GB18030 decodes anything)
    no_nul.write_bytes(noise.replace(b"\x00", b"\x01"))
    _fails(no_nul, "binary content|unknown encoding")


def test_page_limit(benchmarks_dir: Path) -> None:
    path = _real_pdf(benchmarks_dir, "ACCOUNTANT")  # 5 pages
    _fails(path, r"\d+ pages, more than the limit of 2", Limits(max_pages=2))


def test_time_limit_reports_the_file(benchmarks_dir: Path) -> None:
    path = _real_pdf(benchmarks_dir, "ACCOUNTANT")
    _fails(path, "took longer than 0 s to read", Limits(timeout_s=0))


def test_docx_without_text(tmp_path: Path) -> None:
    _fails(make_docx(tmp_path / "blank.docx", "\n\n"), "no text in the document")


def test_missing_file(tmp_path: Path) -> None:
    _fails(tmp_path / "nope.pdf", "cannot read the file")


# --- text normalisation and language -------------------------------------------------------


def test_normalise_text() -> None:
    decomposed = unicodedata.normalize("NFD", "Café  résumé\t\tPython\r\n\n\n\n  Next\u200b line  ")
    out = normalise_text(decomposed)
    assert out == "Café résumé Python\n\nNext line"
    assert unicodedata.is_normalized("NFC", out)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EN_RESUME, "en"),
        (ZH_RESUME, "zh"),
        (
            "Senior engineer building large language model systems and retrieval pipelines. "
            "熟悉深度学习和推荐系统，负责模型训练与部署。",
            "mixed",
        ),
    ],
    ids=["en", "zh", "mixed"],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_parsed_resume_is_frozen(tmp_path: Path) -> None:
    parsed = parse_resume(make_docx(tmp_path / "a.docx", EN_RESUME))
    assert isinstance(parsed, ParsedResume)
    with pytest.raises(AttributeError):
        parsed.text = "x"  # type: ignore[misc]


# --- contacts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("电话：13812345678", "13812345678"),
        ("手机 +86 138-1234-5678", "+86 138-1234-5678"),
        ("Tel: +44 20 7946 0958", "+44 20 7946 0958"),
        ("Phone (415) 555-0134", "(415) 555-0134"),
        ("Phone 415.555.0134", "415.555.0134"),
        ("座机 010-62751234", "010-62751234"),
        ("手机：139 2012 1999", "139 2012 1999"),
    ],
    ids=[
        "cn-mobile",
        "cn-mobile-intl",
        "uk",
        "us-paren",
        "us-dots",
        "cn-landline",
        "labelled-year-like",
    ],
)
def test_phone_formats(text: str, phone: str) -> None:
    assert extract_contact(text).phone == phone
    assert mask_contacts(text).endswith("[PHONE]")


@pytest.mark.parametrize(
    "text",
    [
        "2019-2021",
        "2019.09-2023.06",
        "2020/01/01 - 2021/12/31",
        "2019-01-05",
        "08/2010 to 06/2014",
        "Salary 120,000 - 150,000",
        "期望薪资：25000-35000元/月",
        "30k-50k",
        "¥1,200,000",
        "GPA 3.8/4.0",
        "ID 12345678",
        "1999 - 2004",
        "Revenue grew 35% to $2,500,000 in 2018",
        "Iron Workers #155 2013-2014",
        "Local 155 2013 2014 member",
    ],
)
def test_numbers_that_are_not_phones(text: str) -> None:
    assert extract_contact(text).phone is None
    assert mask_contacts(text) == text


def test_english_contact_block() -> None:
    text = (
        "JANE A. DOE\nSenior ML Engineer\njane@doe.dev · github.com/janedoe · https://doe.dev/cv.\n"
        "Jane A. Doe led the team."
    )
    c = extract_contact(text)
    assert c.name == "JANE A. DOE"
    assert c.email == "jane@doe.dev"
    assert c.links == ("github.com/janedoe", "https://doe.dev/cv")
    masked = mask_contacts(text, c)
    assert masked == (
        "[NAME]\nSenior ML Engineer\n[EMAIL] · [LINK] · [LINK].\n[NAME] led the team."
    )


def test_chinese_labelled_name_and_spaced_name() -> None:
    assert extract_contact("姓名：欧阳娜娜\n邮箱：ouyang@example.cn").name == "欧阳娜娜"
    text = "张 伟\n手机：13912345678\n张伟曾在字节跳动工作"
    c = extract_contact(text)
    assert c.name == "张伟"
    assert mask_contacts(text, c) == "[NAME]\n手机：[PHONE]\n[NAME]曾在字节跳动工作"


@pytest.mark.parametrize(
    "text",
    [
        "SOUS CHEF\nWork Experience\nCompany Name\nCity, State",
        "个人简历\n求职意向：算法工程师\n电话 13812345678",
        "FITNESS INSTRUCTOR\nProfessional Summary\nDynamic sales executive",
        "HEALTH COACH\nSummary\nCall 555-123-4567\nASA Firewalls, Check Point Firewalls",
        "Clerk\nMother's Name: x\nFather Name\n: Anand Kumar\nPhone 555-123-4567",
    ],
    ids=["title-no-contacts", "zh-heading", "title-caps", "title-with-phone", "label-across-lines"],
)
def test_titles_are_not_names(text: str) -> None:
    assert extract_contact(text).name is None
    assert "[NAME]" not in mask_contacts(text)
