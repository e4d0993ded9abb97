"""The one decoder and the one language detector, against what editors and Excel really write."""

from __future__ import annotations

import codecs

import pytest

from data.errors import InputError
from data.text.decoding import decode_text
from data.text.language import detect_language

ZH = "人才策略：吸引、培养与保留机器学习工程师。\n薪酬福利与职业发展。\n"
FR = "Société Générale — Ingénieur «données», café à Zürich, naïve façade.\n"


@pytest.mark.parametrize(
    ("raw", "text", "encoding"),
    [
        (ZH.encode(), ZH, "utf-8"),
        (codecs.BOM_UTF8 + ZH.encode(), ZH, "utf-8-sig"),
        (ZH.encode("utf-16"), ZH, "utf-16"),
        (codecs.BOM_UTF16_BE + ZH.encode("utf-16-be"), ZH, "utf-16"),
        (ZH.encode("gb18030"), ZH, "gb18030"),
        (ZH.encode("gbk"), ZH, "gb18030"),
        (FR.encode("cp1252"), FR, "cp1252"),
        (FR.replace("—", "-").encode("latin-1"), FR.replace("—", "-"), "cp1252"),
        ("price: 20 €, naïve\n".encode("cp1252"), "price: 20 €, naïve\n", "cp1252"),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16-le-bom",
        "utf16-be-bom",
        "gb18030",
        "gbk",
        "cp1252",
        "latin1",
        "cp1252-euro",
    ],
)
def test_decodes_what_people_save(raw: bytes, text: str, encoding: str) -> None:
    decoded = decode_text(raw, "f.txt")
    assert (decoded.text, decoded.encoding) == (text, encoding)


@pytest.mark.parametrize("word", ["Müller", "Ångström", "Ibáñez", "Straße"])
def test_latin_text_is_not_read_as_gb18030_mojibake(word: str) -> None:
    raw = f"name,city\n{word},Paris\n".encode("latin-1")
    assert raw.decode("gb18030") != raw.decode("latin-1")  # valid GB18030, but nonsense
    assert decode_text(raw, "f.csv").text == f"name,city\n{word},Paris\n"


@pytest.mark.parametrize(
    "text",
    [
        "Nous recrutons des ingénieurs Python à Zürich.\n",
        "Il team è a Milano; lavoro è ibrido.\n",
        "Ingeniero de datos o científico, Python ó R.\n",
    ],
    ids=["french-a", "italian-e", "spanish-o"],
)
def test_latin1_with_one_letter_accented_words_is_decoded(text: str) -> None:
    """A lone "à" (a word in French) made a whole Latin-1 file "unknown encoding"."""
    decoded = decode_text(text.encode("latin-1"), "plan.md")
    assert (decoded.text, decoded.encoding) == (text, "cp1252")


@pytest.mark.parametrize(
    ("raw", "message", "line"),
    [
        (b"ok\nwor\x00ld\n", "binary file \\(it contains NUL bytes\\)", 2),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary file \\(a PNG image\\)", 1),
        ("ok\n第二行\x07\n".encode(), "control characters", 2),
        ("人才策略\n".encode("utf-16-le"), "UTF-16 without a byte-order mark", 1),
        (b"line one\n\x80\xff\xfe\x81\x30\xff\n", "unknown encoding", 2),
        (b"\x80\xff\xfe", "unknown encoding", 1),
    ],
    ids=["nul", "png", "control", "utf16-no-bom", "random", "no-letters"],
)
def test_refusals_name_the_file_and_line_and_say_what_to_do(
    raw: bytes, message: str, line: int
) -> None:
    with pytest.raises(InputError, match=message) as info:
        decode_text(raw, "plan.md", fix="save it as UTF-8")
    assert info.value.file == "plan.md" and info.value.line == line
    assert str(info.value).endswith("save it as UTF-8")


def test_damaged_utf8_is_not_read_as_another_encoding() -> None:
    good = "人才吸引与保留的策略：薪酬福利、职业发展、工作环境。\n".encode()
    with pytest.raises(InputError, match="damaged UTF-8") as info:
        decode_text(good * 3 + good[:7] + b"\xff" + good[7:], "d.md")
    assert info.value.line == 4


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("大模型公司需要具备以下技能的人才：深度学习专家、数据科学家。", "zh"),
        ("We hire machine learning engineers and data scientists in Berlin.", "en"),
        ("我们在 Berlin 招聘 machine learning engineers and data scientists 和产品经理。", "mixed"),
        ("Jane Doe, born in 北京, ML engineer with Python and PyTorch experience.", "en"),
        ("机器学习工程师\n```python\nimport torch\nmodel = torch.nn.Linear(3, 4)\n```\n", "zh"),
        ("", "en"),
    ],
    ids=["zh", "en", "mixed", "en-with-a-city", "zh-with-code", "empty"],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang
