"""Contact masking: phone numbers of many countries as people write them, Chinese names in
running text, and masking that leaves the rest of the text as it was."""

from __future__ import annotations

import pytest

from data.text.contacts import (
    NAME_TOKEN,
    PHONE_TOKEN,
    extract_contact,
    find_chinese_names,
    find_phones,
    mask_contacts,
)

# (country, national form as written there, international form), hand-written in each
# country's usual grouping
PHONES = [
    ("GB", "07911 123456", "+44 7911 123456"),
    ("DE", "030 901820", "+49 30 901820"),
    ("FR", "06 12 34 56 78", "+33 6 12 34 56 78"),
    ("IN", "098765 43210", "+91 98765 43210"),
    ("ID", "0812-3456-7890", "+62 812-3456-7890"),
    ("CN", "138 1234 5678", "+86 138 1234 5678"),
    ("US", "(415) 555-0134", "+1 415-555-0134"),
    ("JP", "090-1234-5678", "+81 90-1234-5678"),
    ("SG", "9123 4567", "+65 9123 4567"),
    ("BR", "(11) 91234-5678", "+55 11 91234-5678"),
    ("AU", "0412 345 678", "+61 412 345 678"),
    ("KR", "010-1234-5678", "+82 10-1234-5678"),
    ("NG", "0803 123 4567", "+234 803 123 4567"),
]
IDS = [p[0] for p in PHONES]


def _resume(number: str) -> str:
    return (
        "Jane Doe\njane@example.com | "
        + number
        + "\nMachine learning engineer, 2019-2023.\n"
        + "Experience\n" * 20
        + "References: Dr. A. Smith, "
        + number
        + "\n"
    )


@pytest.mark.parametrize(("country", "national", "international"), PHONES, ids=IDS)
def test_national_number_with_the_candidates_country(
    country: str, national: str, international: str
) -> None:
    text = _resume(national)
    contact = extract_contact(text, region=country)
    assert contact.phone == national
    masked = mask_contacts(text, contact, region=country)
    assert national not in masked and masked.count(PHONE_TOKEN) == 2  # the block and the body
    expected = text.replace(national, PHONE_TOKEN).replace("Jane Doe", NAME_TOKEN)
    assert masked == expected.replace("jane@example.com", "[EMAIL]")


@pytest.mark.parametrize(("country", "national", "international"), PHONES, ids=IDS)
def test_international_number_needs_no_hint(
    country: str, national: str, international: str
) -> None:
    text = _resume(international)
    assert extract_contact(text).phone == international
    assert mask_contacts(text).count(PHONE_TOKEN) == 2


@pytest.mark.parametrize(("country", "national", "international"), PHONES, ids=IDS)
def test_national_number_in_the_contact_block_without_a_country(
    country: str, national: str, international: str
) -> None:
    text = f"Jane Doe\nMobile: {national}\nMachine learning engineer"
    assert find_phones(text) == [(text.index(national), text.index(national) + len(national))]


@pytest.mark.parametrize(
    "text",
    [
        "Worked 2014-2019 at Acme; revenue ¥1,200,000; salary 25000-35000元/月; GPA 3.8/4.0",
        "Iron Workers Local 155 2013-2014 member",
        "ISBN 978-3-16-148410-0 and order 20230815 shipped",
    ],
)
def test_numbers_deep_in_the_text_that_are_not_phones(text: str) -> None:
    body = "Experience\n" * 20 + text
    assert find_phones(body) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("王伟先生，1970年出生，中国国籍。", ["王伟"]),
        ("董事会成员：林金和，男，汉族，高级工程师。", ["林金和"]),
        ("艾力·巴拉提：男，维吾尔族。", ["艾力·巴拉提"]),
        ("2015年起，刘先生任本公司总经理。刘先生毕业于清华大学。", ["刘", "刘"]),
        ("欧阳娜娜女士，硕士。推荐人：欧阳娜娜", ["欧阳娜娜", "欧阳娜娜"]),
    ],
    ids=["honorific", "sex-after-name", "minority-name", "surname-only", "mention-again"],
)
def test_chinese_names_in_running_text(text: str, names: list[str]) -> None:
    assert [text[a:b] for a, b in find_chinese_names(text)] == names


@pytest.mark.parametrize(
    "text",
    [
        "教育背景：2015年毕业于北京大学。",
        "期望薪资：25000元/月",
        "工作经历：2019年至今在字节跳动任算法工程师。",
        "熟悉深度学习和推荐系统，负责模型训练与部署。",
    ],
)
def test_resume_headings_and_skills_are_not_names(text: str) -> None:
    assert find_chinese_names(text) == []
    assert NAME_TOKEN not in mask_contacts(text)


def test_masking_keeps_everything_else_and_scales_with_many_phones() -> None:
    line = "张伟先生：电话 138 1234 5678，熟悉 PyTorch。\n"
    text = line * 2000
    masked = mask_contacts(text)
    assert masked == "[NAME]先生：电话 [PHONE]，熟悉 PyTorch。\n" * 2000
