"""Contact details in resume text: find them for the candidate record, mask them for models.

What a model sees (``Resume.text``) must not carry a candidate's e-mail, phone, profile links
or name: they identify a person and say nothing about fit. ``extract_contact`` pulls them out
for ``CandidateContact``; ``mask_contacts`` replaces them with ``[EMAIL]``, ``[PHONE]``,
``[LINK]`` and ``[NAME]``. Phone rules are strict on purpose: years, date ranges and salary
figures ("2019-2021", "2020.03", "¥25,000", "30k-50k") are never taken for phone numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

EMAIL_TOKEN = "[EMAIL]"
PHONE_TOKEN = "[PHONE]"
LINK_TOKEN = "[LINK]"
NAME_TOKEN = "[NAME]"


@dataclass(frozen=True)
class Contact:
    """Who the resume belongs to and how to reach them (first e-mail and phone, every link)."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    links: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.email or self.phone or self.links)


_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)

# explicit URLs, www. hosts, and bare profile hosts people write without a scheme
_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'，。；、）)]+"
    r"|(?<![\w@.])(?:[a-z]{2,3}\.)?(?:linkedin\.com|github\.com|gitlab\.com|gitee\.com|"
    r"zhihu\.com|kaggle\.com|scholar\.google\.com|huggingface\.co|medium\.com|behance\.net|"
    r"dribbble\.com|stackoverflow\.com)/[^\s<>\"'，。；、）)]+",
    re.IGNORECASE,
)

_D = r"(?<![\d\w.,/:#№-])"  # nothing number-like before a phone
_E = r"(?![\d\w,/%]|[.-]\d)"  # nothing number-like after it
_PHONE_PATTERNS = [
    # Chinese mobile: 11 digits from 13x-19x, optionally +86 and 3-4-4 grouping (one separator
    # throughout, so "155 2013-2014" is not one)
    _D + r"(?:(?:\+|00)86[\s-]?)?1[3-9]\d(?P<sep>[ -]?)\d{4}(?P=sep)\d{4}" + _E,
    # Chinese landline: area code 0xx(x) then 7-8 digits
    _D + r"(?:\(0\d{2,3}\)\s?|0\d{2,3}-)\d{7,8}" + _E,
    # international: +CC then groups of digits
    _D + r"\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){1,4}" + _E,
    # North American: (555) 123-4567, 555-123-4567, 555.123.4567
    _D + r"(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}" + _E,
]
_PHONE = re.compile("|".join(f"(?:{p})" for p in _PHONE_PATTERNS))

_LABELLED_NAME = re.compile(
    r"^[ \t]*(?:姓[ \t]*名|name)[ \t]*[:：][ \t]*(?P<name>[^\s|,，;；/]{1,40}(?: [A-Z][^\s|,，;；/]*){0,3})",
    re.IGNORECASE | re.MULTILINE,
)

_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚"
    "符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆"
    "农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋"
    "商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "夏侯",
)
_ZH_NOT_NAME = (
    "简历",
    "个人",
    "教育",
    "工作",
    "项目",
    "技能",
    "求职",
    "基本",
    "联系",
    "经历",
    "经验",
    "意向",
    "自我",
    "评价",
    "信息",
    "背景",
    "证书",
    "荣誉",
    "语言",
    "实习",
    "专业",
    "培训",
    "总结",
    "概况",
    "电话",
    "手机",
    "邮箱",
    "地址",
    "性别",
    "年龄",
    "民族",
    "籍贯",
    "学历",
    "出生",
    "微信",
)
_EN_NOT_NAME = {
    "resume",
    "curriculum",
    "vitae",
    "cv",
    "summary",
    "profile",
    "objective",
    "experience",
    "education",
    "skills",
    "contact",
    "professional",
    "manager",
    "engineer",
    "developer",
    "director",
    "analyst",
    "consultant",
    "specialist",
    "assistant",
    "officer",
    "executive",
    "accountant",
    "designer",
    "teacher",
    "chef",
    "coordinator",
    "administrator",
    "associate",
    "representative",
    "supervisor",
    "technician",
    "intern",
    "scientist",
    "lead",
    "senior",
    "junior",
    "head",
    "president",
    "vice",
    "advocate",
    "agent",
    "clerk",
    "nurse",
    "business",
    "development",
    "sales",
    "marketing",
    "finance",
    "information",
    "technology",
    "human",
    "resources",
    "personal",
    "details",
    "qualifications",
    "overview",
    "career",
    "highlights",
    "accomplishments",
    "and",
    "of",
    "the",
    "for",
    "to",
    "in",
    "at",
    "with",
    "coach",
    "trainer",
    "instructor",
    "principal",
    "holder",
    "relations",
    "management",
    "company",
    "name",
    "media",
    "office",
    "security",
    "clearance",
    "city",
    "state",
    "address",
    "phone",
    "email",
    "mobile",
}
_EN_NAME_WORD = re.compile(r"^(?:[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?|[A-Z]{2,}|[A-Z]\.)$")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _clean_link(url: str) -> str:
    return url.rstrip(".,;:!?)]}>")


_PHONE_LABEL = re.compile(r"(?:tel|phone|mobile|cell|ph|电话|手机|联系方式)\W*$", re.IGNORECASE)
_YEAR_GROUP = re.compile(r"(?<!\d)(?:19[5-9]\d|20[0-4]\d)(?!\d)")


def _phones(text: str) -> list[re.Match[str]]:
    """Phone-shaped matches with 7-15 digits, minus grouped ones that hold two years."""
    found = []
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if not 7 <= len(digits) <= 15:
            continue
        if len(_YEAR_GROUP.findall(m.group())) >= 2 and not _PHONE_LABEL.search(
            text[max(0, m.start() - 12) : m.start()]
        ):  # "155 2013 2014" is a number and a span of years, unless labelled as a phone
            continue
        found.append(m)
    return found


def _is_zh_name(token: str) -> bool:
    if not 2 <= len(token) <= 4 or not all(_HAN.match(c) for c in token):
        return False
    if any(bad in token for bad in _ZH_NOT_NAME):
        return False
    return token[0] in _SURNAMES or token[:2] in _COMPOUND_SURNAMES


def _is_en_name(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 4 or len(line) > 40:
        return False
    if any(w.lower().strip(".") in _EN_NOT_NAME for w in words):
        return False
    if not all(_EN_NAME_WORD.match(w) for w in words):
        return False
    return sum(w[0].isupper() for w in words) == len(words)


def _probable_name(text: str) -> str | None:
    """A labelled name (``姓名：张伟`` / ``Name: Jane Doe``), else a name-shaped early line.

    An unlabelled line counts only when contact details sit near the top: resumes that open
    with a job title in capitals ("SOUS CHEF") and carry no contact block have no name to find.
    """
    labelled = _LABELLED_NAME.search(text)
    if labelled:
        name = labelled.group("name").strip()
        if (
            _is_zh_name(name)
            or _is_en_name(name)
            or (_HAN.search(name) is None and len(name.split()) == 1 and name[:1].isupper())
        ):
            return name
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    head = "\n".join(lines[:10])
    if not (_EMAIL.search(head) or _LINK.search(head) or _phones(head)):
        return None  # no contact block near the top: a title line is likelier than a name
    for line in lines[:3]:
        stripped = _EMAIL.sub(" ", _LINK.sub(" ", line))
        for m in _phones(stripped):
            stripped = stripped.replace(m.group(), " ")
        for part in re.split(r"\s*[|｜/;；·•]\s*|\s{2,}", stripped.strip()):
            part = part.strip()
            if not part:
                continue
            tokens = part.split()
            spaced = "".join(tokens) if all(len(t) == 1 for t in tokens) else tokens[0]
            if _is_zh_name(spaced):  # "张伟", "张 伟", "张伟 电话 …"
                return spaced
            if _is_en_name(part):
                return part
    return None


def extract_contact(text: str, *, region: str | None = None) -> Contact:
    """The first e-mail and phone, all profile links, and a probable name found in ``text``."""
    emails = _EMAIL.findall(text)
    without_emails = _EMAIL.sub(" ", text)
    links: list[str] = []
    for m in _LINK.finditer(without_emails):
        link = _clean_link(m.group())
        if link not in links:
            links.append(link)
    without_links = _LINK.sub(" ", without_emails)
    phones = [re.sub(r"\s+", " ", m.group()).strip() for m in _phones(without_links)]
    return Contact(
        name=_probable_name(text),
        email=emails[0] if emails else None,
        phone=phones[0] if phones else None,
        links=tuple(links),
    )


def mask_contacts(text: str, contact: Contact | None = None) -> str:
    """``text`` with e-mails, links, phones and the candidate's name replaced by tokens.

    Pass the ``contact`` already extracted from the same text to avoid finding it twice.
    """
    contact = contact if contact is not None else extract_contact(text)
    out = _EMAIL.sub(EMAIL_TOKEN, text)
    out = _LINK.sub(lambda m: LINK_TOKEN + m.group()[len(_clean_link(m.group())) :], out)
    spans = [(m.start(), m.end()) for m in _phones(out)]
    for start, end in reversed(spans):
        out = out[:start] + PHONE_TOKEN + out[end:]
    if contact.name:
        if _HAN.search(contact.name):
            spaced = r"[ \u3000]?".join(re.escape(c) for c in contact.name)
            out = re.sub(spaced, NAME_TOKEN, out)
        else:
            out = re.sub(
                rf"(?<!\w){re.escape(contact.name)}(?!\w)", NAME_TOKEN, out, flags=re.IGNORECASE
            )
    return out
