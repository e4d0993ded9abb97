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


# --- phone numbers -------------------------------------------------------------------------

DEFAULT_REGIONS: tuple[str, ...] = ("CN", "US")
"""Region hints tried after the candidate's own country, for numbers written without ``+``."""

_PHONE_LABEL = re.compile(
    r"(?:tel|phone|mobile|cell|ph|call|whatsapp|wechat|telefon|téléphone|tél|电话|手机|"
    r"手机号|联系电话|联系方式|座机|微信)\W{0,3}$",
    re.IGNORECASE,
)
_PHONE_LABEL_ANYWHERE = re.compile(_PHONE_LABEL.pattern.removesuffix(r"\W{0,3}$"), re.I)
_YEAR_GROUP = re.compile(r"(?<!\d)(?:19[5-9]\d|20[0-4]\d)(?!\d)")
_MONEY_BEFORE = re.compile(r"(?:[¥$€£￥]|薪|salary|income|revenue|price|RMB|USD|CNY)\W{0,3}$", re.I)
_MONEY_AFTER = re.compile(r"^\s?(?:元|万|千|块|k\b|K\b|/月|/年|RMB|CNY|USD|EUR|%)")
_DIGITS_7 = re.compile(r"(?:\d\D{0,3}){7}")
_WINDOW = 4096
"""Lines longer than this are read in windows of this size (overlapping by ``_OVERLAP``), so
the matcher's cost stays linear in the text's length whatever its layout."""
_OVERLAP = 64


def _regions(region: str | None) -> tuple[str, ...]:
    first = (region.upper(),) if region else ()
    return tuple(dict.fromkeys(first + DEFAULT_REGIONS))


FALLBACK_REGIONS: tuple[str, ...] = (
    *("GB", "DE", "FR", "IN", "ID", "JP", "SG", "BR", "AU", "KR", "CA", "HK", "TW", "MY"),
    *("PH", "VN", "TH", "NG", "MX", "ES", "IT", "NL", "RU", "TR", "AE", "PK", "ZA", "IL"),
)
"""Regions also tried in a resume's contact block (its first ``HEAD_LINES`` lines) and on
lines with a phone label, where a national number is almost surely the candidate's own: an
uploaded resume comes with no country, and a UK or Indian number must not leak."""
HEAD_LINES = 15


def find_phones(text: str, *, region: str | None = None) -> list[tuple[int, int]]:
    """Spans of the phone numbers in ``text``, in order, found by ``phonenumbers``.

    A number written with ``+`` and its country code is found whatever the hints; one written
    nationally is read with the candidate's ``region`` (ISO 3166 alpha-2) first, then CN and
    US, and in the contact block or after a phone label also with ``FALLBACK_REGIONS``. A
    valid number counts; one that is only possible (a fictional 555 number) counts when a
    phone label sits just before it. Years, date ranges and amounts of money never count.
    Only lines holding seven digits are read, in bounded windows: linear in the text's size.
    """
    hints = _regions(region)
    wide = tuple(dict.fromkeys(hints + FALLBACK_REGIONS))
    spans: list[tuple[int, int]] = []
    pos = 0
    for number, line in enumerate(text.splitlines(keepends=True)):
        if _DIGITS_7.search(line):
            labelled_line = bool(_PHONE_LABEL_ANYWHERE.search(line))
            regions = wide if number < HEAD_LINES or labelled_line else hints
            for w in range(0, len(line), _WINDOW - _OVERLAP):
                spans += _window_phones(
                    text, line[w : w + _WINDOW], pos + w, regions, len(hints), labelled_line
                )
                if w + _WINDOW >= len(line):
                    break
        pos += len(line)
    return _merge(spans)


def _window_phones(
    text: str, window: str, base: int, regions: tuple[str, ...], n_hints: int, labelled: bool
) -> list[tuple[int, int]]:
    """Phones in one window: each region in turn reads what the ones before left unread
    (found numbers are blanked out), so a line with one number costs one matcher pass."""
    from phonenumbers import Leniency, PhoneNumberMatcher

    found: list[tuple[int, int]] = []
    rest = window
    tries = [(r, Leniency.VALID) for r in regions]
    if labelled:  # a fictional or unusual number right after "Tel:" is still a phone
        tries[n_hints:n_hints] = [(r, Leniency.POSSIBLE) for r in regions[:n_hints]]
    for hint, leniency in tries:
        if not _DIGITS_7.search(rest):
            break
        hits = []
        for m in PhoneNumberMatcher(rest, hint, leniency=leniency, max_tries=1_000_000):
            start, end = base + m.start, base + m.end
            if leniency == Leniency.POSSIBLE and not _labelled(text, start):
                continue
            if not _not_a_phone(text, start, end):
                hits.append((m.start, m.end))
        for start, end in hits:
            rest = rest[:start] + " " * (end - start) + rest[end:]
            found.append((base + start, base + end))
    return found


def _labelled(text: str, start: int) -> bool:
    return bool(_PHONE_LABEL.search(text[max(0, start - 16) : start]))


def _not_a_phone(text: str, start: int, end: int) -> bool:
    raw = text[start:end]
    digits = sum(c.isdigit() for c in raw)
    if not 7 <= digits <= 15:
        return True
    before = text[max(0, start - 12) : start]
    if _MONEY_BEFORE.search(before) or _MONEY_AFTER.match(text[end : end + 4]):
        return True
    # "155 2013-2014", "2019.09-2023.06": a number and a span of years, unless labelled
    return len(_YEAR_GROUP.findall(raw)) >= 2 and not _labelled(text, start)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


# --- names ---------------------------------------------------------------------------------


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


def _probable_name(text: str, region: str | None) -> str | None:
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
    lines = [ln.strip() for ln in text[:4000].splitlines() if ln.strip()]
    head = "\n".join(lines[:10])
    if not (_EMAIL.search(head) or _LINK.search(head) or find_phones(head, region=region)):
        return None  # no contact block near the top: a title line is likelier than a name
    for line in lines[:3]:
        stripped = _EMAIL.sub(" ", _LINK.sub(" ", line))
        stripped = _replace(stripped, find_phones(stripped, region=region), " ")
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


_H = r"[\u4e00-\u9fff]"
_SURNAME = "(?:" + "|".join(_COMPOUND_SURNAMES) + "|[" + "".join(sorted(_SURNAMES)) + "])"
_SENTENCE_START = r"(?:^|(?<=[。；;\n！？!?]))[ \t\u3000]*"
_AFTER_NAME = (
    r"(?:中国|中华|美国|香港|台湾|澳门|加拿大|澳大利亚|新加坡|英国|日本|德国|法国|汉族|\d{4}|"
    r"男|女|董事|独立|现任|曾任|历任|硕士|博士|本科|大专|大学|中专|高中|高级|工程师|会计师|"
    r"经济师|出生|生于|毕业|研究生|教授|副|总|执行|非执行|监事|中共|党员|民族|曾用名|籍贯)"
)
_NOT_A_NAME_START = (
    r"(?:现任|曾任|兼任|历任|先后|原|毕业|本科|大专|硕士|博士|中国|简历|工作|具有|管理|经济|"
    r"工学|理学|法学|文学|大学|研究生|高级|教授|董事|监事|独立|副|总|主任|现已|中共)"
)
_ZH_NAME_PATTERNS = (
    # 张先生, 王伟女士: a surname and up to two given characters before an honorific
    re.compile(rf"{_SURNAME}{_H}{{0,2}}(?=先生|女士|小姐)"),
    # 林金和，男，…  吴纹（女）
    re.compile(rf"{_SURNAME}{_H}{{1,2}}(?=[，,：:][ \t]*[男女](?:[，,。；;\s]|$)|[（(][男女])"),
    # a sentence that opens with a name and goes on with what bios say next (any surname,
    # minority names with a middle dot): 吴重阳，中国国籍… 艾力·巴拉提：男…
    re.compile(
        rf"{_SENTENCE_START}(?:姓名[：:][ \t]*)?(?!{_NOT_A_NAME_START})"
        rf"(?P<name>{_H}{{2,4}}?|{_H}{{1,6}}·{_H}{{1,8}}?)"
        rf"(?=先生|女士|[，,：:][ \t]*{_AFTER_NAME}|[（(][ \t]*(?:男|女|离任|曾用名|英文名|中文名))"
    ),
    # a sentence that opens with a surname-led word and a comma: 寻冬生，…
    re.compile(rf"{_SENTENCE_START}(?P<name>{_SURNAME}{_H}{{1,2}})(?=[，,])"),
    re.compile(rf"(?<=姓名[：:])[ \t]*(?P<name>{_H}{{2,4}})"),
)
_NOT_IN_A_NAME = (
    *_ZH_NOT_NAME,
    *("期望", "薪", "目标", "时间", "日期", "地点", "公司", "集团", "学历", "国籍", "职位"),
    *("岗位", "部门", "毕业", "入职", "到岗", "状态", "年限", "主修", "课程", "奖项", "爱好"),
)
MAX_PROPAGATED = 50
"""Distinct names found in a text whose other mentions are masked too (bounded, so masking
stays linear: a name list of a whole archive would make one huge alternation)."""


def find_chinese_names(text: str) -> list[tuple[int, int]]:
    """Spans of Chinese personal names in running text, in order (overlaps merged).

    Rules read how Chinese resumes and bios name people: a surname before 先生/女士, a name
    followed by its sex (``，男，``), a sentence that opens with a name and goes on with
    nationality, birth year, education or a post, and ``姓名：`` labels. Each name found
    (two characters or more) is then masked wherever else it occurs. Measured on ResumeNER:
    ``benchmarks/results/zh_names.md``.
    """
    spans: list[tuple[int, int]] = []
    for pattern in _ZH_NAME_PATTERNS:
        group = "name" if "name" in pattern.groupindex else 0
        for m in pattern.finditer(text):
            if not any(word in m.group(group) for word in _NOT_IN_A_NAME):  # 教育背景：2015…
                spans.append((m.start(group), m.end(group)))
    names: dict[str, None] = {}
    for start, end in spans:
        if end - start >= 2 and len(names) < MAX_PROPAGATED:
            names.setdefault(text[start:end], None)
    if names:
        alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        spans += [(m.start(), m.end()) for m in re.finditer(alternation, text)]
    return _merge(spans)


def _replace(text: str, spans: list[tuple[int, int]], token: str) -> str:
    """``text`` with each span (sorted, not overlapping) replaced by ``token``, in one pass."""
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        parts += (text[pos:start], token)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def extract_contact(text: str, *, region: str | None = None) -> Contact:
    """The first e-mail and phone, all profile links, and a probable name found in ``text``.

    ``region`` (ISO 3166 alpha-2, the candidate's country when known) is the first hint for
    phone numbers written without a country code.
    """
    emails = _EMAIL.findall(text)
    without_emails = _EMAIL.sub(" ", text)
    links: list[str] = []
    for m in _LINK.finditer(without_emails):
        link = _clean_link(m.group())
        if link not in links:
            links.append(link)
    without_links = _LINK.sub(" ", without_emails)
    phones = find_phones(without_links[:4000], region=region) or find_phones(
        without_links, region=region
    )
    phone = re.sub(r"\s+", " ", without_links[slice(*phones[0])]).strip() if phones else None
    return Contact(
        name=_probable_name(text, region),
        email=emails[0] if emails else None,
        phone=phone,
        links=tuple(links),
    )


def mask_contacts(text: str, contact: Contact | None = None, *, region: str | None = None) -> str:
    """``text`` with e-mails, links, phones and names replaced by tokens.

    Every phone number is masked (``region`` hints as in ``find_phones``), the candidate's
    name wherever it occurs, and every Chinese personal name ``find_chinese_names`` finds.
    Pass the ``contact`` already extracted from the same text to avoid finding it twice.
    Linear in the text's length.
    """
    contact = contact if contact is not None else extract_contact(text, region=region)
    out = _EMAIL.sub(EMAIL_TOKEN, text)
    out = _LINK.sub(lambda m: LINK_TOKEN + m.group()[len(_clean_link(m.group())) :], out)
    out = _replace(out, find_phones(out, region=region), PHONE_TOKEN)
    names: list[tuple[int, int]] = []
    if contact.name:
        if _HAN.search(contact.name):
            pattern = r"[ \u3000]?".join(re.escape(c) for c in contact.name)
            names += [(m.start(), m.end()) for m in re.finditer(pattern, out)]
        else:
            own = rf"(?<!\w){re.escape(contact.name)}(?!\w)"
            names += [(m.start(), m.end()) for m in re.finditer(own, out, flags=re.IGNORECASE)]
    if _HAN.search(out):
        names += find_chinese_names(out)
    return _replace(out, _merge(names), NAME_TOKEN)
