"""Job postings (Chinese or English) read into a role-profile draft: pure text, no store.

``read_posting(text, taxonomy)`` returns a ``PostingDraft``: the title (page chrome, pay,
location and level codes removed), a level, a short description, the pay range when one is
stated (``50-80K·15薪``, ``$150k–$180k``, ``200-300元/天``), and the skills named in it, sorted
into required (duties and requirements) and nice-to-have ones (a clause with 优先 / 加分 /
preferred / a plus / nice to have, or a 加分项 / Preferred Qualifications section), weighted
by section (``SECTION_WEIGHTS``). Company blurbs, perks, URLs and page titles are never read
for skills. The draft is for a person to review and edit; nothing here stores anything.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Section = Literal["intro", "duties", "requirements", "nice", "drop"]

SECTION_WEIGHTS: dict[str, float] = {"requirements": 1.0, "duties": 0.7, "intro": 0.7}
"""Weight of a required skill by the section that names it (the highest wins)."""
NICE_WEIGHT = 0.5
"""Weight of a nice-to-have skill."""


class _Finder(Protocol):
    by_key: dict[str, Any]

    def find(self, text: str) -> list[Any]: ...


# --- pay --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayRange:
    """A stated pay range. ``low``/``high`` are in ``currency`` per ``period``."""

    text: str
    low: float
    high: float
    currency: str = "CNY"
    period: Literal["month", "year", "day", "hour"] = "month"
    months: int | None = None
    """Months of pay a year (``15薪``), when stated."""

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "low": self.low,
            "high": self.high,
            "currency": self.currency,
            "period": self.period,
            "months": self.months,
        }

    @property
    def annual(self) -> tuple[float, float] | None:
        """(low, high) a year, where the period allows it (months default to 12)."""
        if self.period == "year":
            return self.low, self.high
        if self.period == "month":
            m = self.months or 12
            return self.low * m, self.high * m
        return None


_NUM = r"(\d+(?:\.\d+)?)"
_DASH = r"\s*[-–—~～至到]\s*"
_CN_PAY = re.compile(
    _NUM + r"\s*([Kk千])?" + _DASH + _NUM + r"\s*([Kk千万wW])(?:\s*[·・•\s]\s*(\d{1,2})\s*薪)?"
)
_CN_DAY = re.compile(_NUM + _DASH + _NUM + r"\s*元\s*/\s*(天|日|时|小时|月|年)")
_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "HK$": "HKD", "S$": "SGD"}
_WEST_PAY = re.compile(
    r"(US\$|HK\$|S\$|\$|€|£|USD\s?|EUR\s?|GBP\s?)\s*(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*([kK])?"
    + _DASH
    + r"(?:US\$|HK\$|S\$|\$|€|£|USD\s?|EUR\s?|GBP\s?)?\s*(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*([kK])?"
    + r"(?:\s*(?:/|per|an?)\s*(hour|hr|h|day|month|mo|year|yr|annum))?",
    re.IGNORECASE,
)


def parse_pay(text: str) -> PayRange | None:
    """The first pay range stated in ``text``, else None."""
    t = unicodedata.normalize("NFKC", text)
    m = _CN_PAY.search(t)
    if m:
        lo, lo_unit, hi, unit, months = m.groups()
        scale = 10_000.0 if unit in "万wW" else 1000.0
        low = float(lo) * (scale if lo_unit or unit else 1.0)
        before = t[max(0, m.start() - 4) : m.start()]
        after = t[m.end() : m.end() + 3]
        period: Literal["month", "year"] = (
            "year" if "年" in before or after.startswith(("/年", "每年")) else "month"
        )
        return PayRange(
            m.group(0).strip(),
            low,
            float(hi) * scale,
            "CNY",
            period,
            int(months) if months else None,
        )
    m = _CN_DAY.search(t)
    if m:
        lo, hi, per = m.groups()
        periods: dict[str, Literal["day", "hour", "month", "year"]] = {
            "天": "day",
            "日": "day",
            "时": "hour",
            "小时": "hour",
            "月": "month",
            "年": "year",
        }
        return PayRange(m.group(0).strip(), float(lo), float(hi), "CNY", periods[per])
    m = _WEST_PAY.search(t)
    if m:
        sym, lo, lo_k, hi, hi_k, per = m.groups()
        currency = _SYMBOLS.get(sym.strip().upper() if sym.strip() != "$" else "$")
        currency = currency or sym.strip().upper()
        k = 1000.0 if (lo_k or hi_k) else 1.0
        low = float(lo.replace(",", "")) * (1000.0 if lo_k else k)
        high = float(hi.replace(",", "")) * (1000.0 if hi_k else k)
        per_map: dict[str, Literal["hour", "day", "month", "year"]] = {
            "hour": "hour",
            "hr": "hour",
            "h": "hour",
            "day": "day",
            "month": "month",
            "mo": "month",
        }
        period_w = per_map.get((per or "").lower(), "year" if high >= 20_000 else "hour")
        return PayRange(m.group(0).strip(), low, high, currency, period_w)
    return None


# --- sections and clauses ---------------------------------------------------------------------

_HEADERS: list[tuple[Section, tuple[str, ...]]] = [
    (
        "drop",
        (
            "公司介绍",
            "公司简介",
            "公司福利",
            "福利待遇",
            "员工福利",
            "职位福利",
            "职位亮点",
            "工商信息",
            "所属部门",
            "工作地址",
            "About our Team",
            "About the Team",
            "About the Business",
            "About the Company",
            "About Us",
            "Benefits",
            "Perks",
            "Working for you",
            "What we offer",
            "We offer",
        ),
    ),
    (
        "nice",
        (
            "优先条件",
            "加分项",
            "加分条件",
            "优先考虑",
            "Preferred Qualifications",
            "Preferred Skills",
            "Nice to have",
            "Nice-to-have",
            "Bonus Points",
            "Pluses",
        ),
    ),
    (
        "requirements",
        (
            "岗位基本要求",
            "职位要求",
            "任职要求",
            "任职资格",
            "任职资质",
            "岗位要求",
            "职责要求",
            "技能要求",
            "要求",
            "Requirements",
            "Qualifications",
            "Required Skills",
            "What you need",
            "Must have",
        ),
    ),
    (
        "duties",
        (
            "职位描述",
            "岗位职责",
            "工作职责",
            "主要职责",
            "工作内容",
            "岗位描述",
            "职责",
            "Responsibilities",
            "About the Role",
            "What you will do",
            "Job Description",
        ),
    ),
]
_HEADER_KIND = {h.casefold(): kind for kind, hs in _HEADERS for h in hs}
_HEADER_RE = re.compile(
    r"(?:(?<=^)|(?<=[\s。；;:：】\]）)!?.•\-\"“'])|(?<=[一二三四五六七八九十][、.．]))"
    r"(?P<h>" + "|".join(sorted(map(re.escape, _HEADER_KIND), key=len, reverse=True)) + r")"
    r"(?P<tail>\s*[:：]|\s*\n|\s*$|(?=[A-Z0-9\u4e00-\u9fff]))",
    re.IGNORECASE | re.MULTILINE,
)
_CHROME = re.compile(
    r"^(?:Title:.*|URL Source:.*|Markdown Content:\s*|查看全部\s*|-{3,}\s*|#{3,}\s*)$", re.MULTILINE
)
_NICE_CUE = re.compile(
    r"优先|加分|更佳|为佳|更好|preferred|is a plus|are a plus|a plus|nice[ -]to[ -]have|bonus|"
    r"ideally|desirable|advantageous",
    re.IGNORECASE,
)
_NICE_PREFIX = re.compile(
    r"(?:加分项|加分|优先考虑|优先|Preferred|Nice to have|Bonus)\s*[:：]", re.I
)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@dataclass(frozen=True)
class Clause:
    """A piece of the posting text with the section it belongs to."""

    start: int
    end: int
    section: Section
    nice: bool


def clean_text(text: str) -> str:
    """The posting without page chrome (title/URL lines), kept the same length elsewhere."""
    t = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\\-", " -")
    t = re.sub(r"\\([.\-*_])", r" \1", t)  # markdown escapes (1\. -> 1 .)
    return _CHROME.sub(lambda m: " " * len(m.group(0)), t)


def sections(text: str) -> list[tuple[Section, int, int]]:
    """``(section, start, end)`` spans of cleaned ``text``; before any header is ``intro``."""
    marks: list[tuple[int, int, Section]] = []
    for m in _HEADER_RE.finditer(text):
        kind = _HEADER_KIND[m.group("h").casefold()]
        tail = m.group("tail")
        if not tail.strip() and not tail.startswith("\n") and m.end("h") < len(text):
            # no colon or line end: only a header when it starts a line or a numbered heading
            line_start = text.rfind("\n", 0, m.start()) + 1
            lead = text[line_start : m.start()].strip()
            if lead and not re.fullmatch(r"[一二三四五六七八九十]+[、.．]|[\d]+[、.．]?", lead):
                continue
            if kind == "requirements" and m.group("h") == "要求":
                continue
        marks.append((m.start(), m.end(), kind))
    out: list[tuple[Section, int, int]] = []
    pos, kind_now = 0, "intro"
    for start, end, kind in marks:
        if start > pos:
            out.append((kind_now, pos, start))  # type: ignore[arg-type]
        pos, kind_now = end, kind
    if pos < len(text):
        out.append((kind_now, pos, len(text)))  # type: ignore[arg-type]
    return out


_ITEM_START = re.compile(
    r"(?<![\d.])(?:\d{1,2}|[一二三四五六七八九十])\s*[、.．)）](?!\d)|[•·▪●◆\-–]\s"
)


def clauses(text: str) -> list[Clause]:
    """Sentences/clauses of cleaned ``text`` with their section and whether each is nice."""
    out: list[Clause] = []
    for kind, s0, e0 in sections(text):
        if kind == "drop":
            continue
        # items: lines and numbered/bulleted pieces
        cuts = {s0, e0}
        for m in re.finditer(r"\n", text[s0:e0]):
            cuts.add(s0 + m.end())
        for m in _ITEM_START.finditer(text, s0, e0):
            cuts.add(m.start())
        bounds = sorted(cuts)
        for a, b in zip(bounds, bounds[1:], strict=False):
            item = text[a:b]
            if not item.strip():
                continue
            item_nice = kind == "nice"
            pm = _NICE_PREFIX.search(item)
            if pm is not None:
                # "加分项：X" makes the rest of the item nice
                if item[: pm.start()].strip(" \t\n0123456789、.．)）"):
                    out += _clause_split(text, a, a + pm.start(), kind, item_nice)
                out += _clause_split(text, a + pm.end(), b, kind, True)
                continue
            out += _clause_split(text, a, b, kind, item_nice)
    return _continue_nice(text, out)


def _clause_split(text: str, a: int, b: int, kind: Section, nice: bool) -> list[Clause]:
    pieces: list[Clause] = []
    start = a
    for i in range(a, b):
        ch = text[i]
        cut = ch in "，；。！？;!?"
        if ch == ",":
            cut = (i > 0 and _is_cjk(text[i - 1])) or (i + 1 < len(text) and _is_cjk(text[i + 1]))
        if ch == "." and i + 1 < b and text[i + 1] in " \n" and not text[i - 1].isdigit():
            cut = True
        if cut:
            pieces.append(_clause(text, start, i + 1, kind, nice))
            start = i + 1
    if start < b:
        pieces.append(_clause(text, start, b, kind, nice))
    return [p for p in pieces if text[p.start : p.end].strip()]


_CONTINUES = re.compile(
    r"^\s*(?:包括|包含|如|例如|比如|诸如|譬如|including|e\.g\.|such as|like)", re.IGNORECASE
)
_TREND_WATCHING = re.compile(
    r"跟踪|跟进|追踪|关注|洞察|紧跟|stay (?:up|current|abreast)|keep (?:up|abreast)", re.IGNORECASE
)


def _clause(text: str, a: int, b: int, kind: Section, nice: bool) -> Clause:
    return Clause(a, b, kind, nice or bool(_NICE_CUE.search(text[a:b])))


def _continue_nice(text: str, cls: list[Clause]) -> list[Clause]:
    """A clause that only lists examples (包括…, 如…, e.g.) belongs with the one before it."""
    out: list[Clause] = []
    for c in cls:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.nice
            and not c.nice
            and prev.section == c.section
            and _CONTINUES.match(text[c.start : c.end])
        ):
            c = Clause(c.start, c.end, c.section, True)
        out.append(c)
    return out


# --- title and level --------------------------------------------------------------------------

_PAGE_TITLE = re.compile(r"^Title:\s*「(?P<t>.+?)(?:招聘)?」", re.MULTILINE)
_CITIES = (
    "北京|上海|深圳|广州|杭州|成都|武汉|南京|苏州|西安|福州|长沙|珠海|厦门|天津|重庆|合肥|"
    "青岛|无锡|东莞|佛山|香港|远程|全国"
)
_TITLE_NOISE = [
    re.compile(
        r"[（(][^（）()]*(?:base|薪|应届|可考虑|急招|双休|" + _CITIES + r")[^（）()]*[）)]", re.I
    ),
    re.compile(r"\s*[-—–|｜]\s*(?:P\d+(?:-\d+)?|T\d|L\d|" + _CITIES + r").*$"),
    re.compile(r"\s*[—–|｜].*$"),
    re.compile(r"(?<=[)）\w])\s*P\d+(?:\s*[-~]\s*\d+)?\s*$"),
    re.compile(r"招聘\s*$"),
]
_LEVELS: list[tuple[str, re.Pattern[str]]] = [
    ("intern", re.compile(r"实习|intern", re.I)),
    ("junior", re.compile(r"初级|应届|校招|助理|junior|entry[- ]level|graduate", re.I)),
    (
        "lead",
        re.compile(
            r"专家|负责人|架构师|总监|主管|首席|expert|principal|staff|lead|head of|director|architect",
            re.I,
        ),
    ),
    ("senior", re.compile(r"高级|资深|senior|\bsr\b", re.I)),
    ("mid", re.compile(r"中级|mid[- ]level", re.I)),
]


def clean_title(raw: str) -> str:
    """A job title without pay, location notes, level codes, page chrome or "招聘"."""
    t = unicodedata.normalize("NFKC", raw).strip()
    pay = parse_pay(t)
    if pay is not None:
        t = t.replace(pay.text, " ")
    t = re.sub(r"^\s*(?:职位|岗位|Job Title|Position)\s*[:：]\s*", "", t, flags=re.I)
    lead = re.match(r"^\s*【([^】]+)】", t)
    if lead:
        t = lead.group(1)
    for pattern in _TITLE_NOISE:
        t = pattern.sub("", t).strip()
    return " ".join(t.split()).strip(" -—·,，")


def guess_level(title: str) -> str | None:
    """intern / junior / mid / senior / lead from the title's words, else None."""
    for level, pattern in _LEVELS:
        if pattern.search(title):
            return level
    m = re.search(r"\bP(\d+)", title)
    if m:
        n = int(m.group(1))
        return "lead" if n >= 8 else "senior" if n >= 6 else "mid"
    return None


def _title_line(text: str) -> str:
    m = _PAGE_TITLE.search(text)
    if m:
        return m.group("t")
    for line in clean_text(text).splitlines():
        s = line.strip()
        if s and not _HEADER_RE.match(s):
            return s[:120]
    return ""


# --- the draft --------------------------------------------------------------------------------


@dataclass
class DraftSkill:
    """A skill of the draft, with the words the posting used and why it is in its list."""

    key: str
    name: str
    """The posting's own words for it (its first mention)."""
    weight: float
    section: str
    evidence: str


@dataclass
class PostingDraft:
    """A role-profile draft read from one posting, to be reviewed before it is saved."""

    title: str
    level: str | None
    description: str
    pay: PayRange | None
    required: list[DraftSkill] = field(default_factory=list)
    nice: list[DraftSkill] = field(default_factory=list)
    language: str = "zh"

    def record(self) -> dict[str, Any]:
        """The draft as a role record of the roles file format (``docs/roles-format.md``)."""
        zh = self.language == "zh"
        rec: dict[str, Any] = {
            "title_en": "" if zh else self.title,
            "title_zh": self.title if zh else "",
            "level": self.level or "",
            "description": self.description,
            "required_skills": [{"skill": s.name, "weight": s.weight} for s in self.required],
            "nice_skills": [{"skill": s.name, "weight": s.weight} for s in self.nice],
        }
        if self.pay is not None:
            rec["pay"] = self.pay.text
        return {k: v for k, v in rec.items() if v not in ("", None)}


_JOB_WORD_AFTER = re.compile(
    r"\s?(?:工程师|师|经理|专家|人员|engineers?\b|managers?\b|scientists?\b|analysts?\b|"
    r"designers?\b|developers?\b|architects?\b)",
    re.IGNORECASE,
)
"""A skill name followed by a job word names a colleague's job (数据工程师), not a skill."""


def _heading_span(body: str) -> tuple[int, int] | None:
    """Where the posting's first non-empty line (its heading) lies in ``body``."""
    pos = 0
    for line in body.splitlines(keepends=True):
        if line.strip():
            return pos, pos + len(line)
        pos += len(line)
    return None


def _language(text: str) -> str:
    cjk = sum(1 for c in text if _is_cjk(c))
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return "zh" if cjk * 3 >= latin else "en"


def _snippet(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start) : end].split())[:160]


def read_posting(text: str, taxonomy: _Finder) -> PostingDraft:
    """Read one posting into a draft (see the module docstring). Never raises on content:
    a draft without a title or skills is returned as it is; ``draft_problems`` names what
    is missing."""
    raw_title = _title_line(text)
    title = clean_title(raw_title)
    body = clean_text(text)
    head = "\n".join(body.strip().splitlines()[:3])
    pay = parse_pay(raw_title) or parse_pay(head) or parse_pay(body)
    cls = clauses(body)
    hits = [h for h in taxonomy.find(body) if not _JOB_WORD_AFTER.match(body, h.end)]
    heading = _heading_span(body)
    if heading is not None and title:
        lo, hi = heading
        keep = body[lo:hi].find(title)
        t_lo, t_hi = (lo + keep, lo + keep + len(title)) if keep >= 0 else (lo, lo)
        hits = [h for h in hits if not (lo <= h.start < hi) or t_lo <= h.start < t_hi]
    required: dict[str, DraftSkill] = {}
    nice: dict[str, DraftSkill] = {}
    ci = 0
    for h in hits:
        while ci < len(cls) and cls[ci].end <= h.start:
            ci += 1
        if ci >= len(cls) or not (cls[ci].start <= h.start < cls[ci].end):
            continue  # in a dropped section (company blurb, perks) or the page title
        c = cls[ci]
        ev = _snippet(body, c.start, c.end)
        if c.nice:
            nice.setdefault(h.key, DraftSkill(h.key, h.surface, NICE_WEIGHT, c.section, ev))
            continue
        if c.section != "requirements" and _TREND_WATCHING.search(body, c.start, c.end):
            continue  # "跟踪NLP前沿技术": keeping up with a field is not asking for a skill
        w = SECTION_WEIGHTS.get(c.section, 0.7)
        prev = required.get(h.key)
        if prev is None or w > prev.weight:
            name = prev.name if prev else h.surface
            required[h.key] = DraftSkill(h.key, name, w, c.section, ev)
    for key in list(nice):
        if key in required:
            del nice[key]
    in_heading = (lambda c: heading[0] <= c.start < heading[1]) if heading else (lambda c: False)
    duties = [
        c for c in cls if c.section in ("duties", "intro") and not c.nice and not in_heading(c)
    ]
    description = " ".join(body[c.start : c.end].strip() for c in duties)
    description = " ".join(description.split())
    if pay is not None:
        description = description.replace(pay.text, "").strip()
    if title and description.startswith(title):
        description = description[len(title) :].strip()
    return PostingDraft(
        title=title,
        level=guess_level(raw_title),
        description=description[:600],
        pay=pay,
        required=sorted(required.values(), key=lambda s: (-s.weight, s.name.casefold())),
        nice=sorted(nice.values(), key=lambda s: s.name.casefold()),
        language=_language(body),
    )


def looks_like_posting(text: str) -> bool:
    """Whether ``text`` reads as one job posting: a requirements section plus a duties
    section, a stated pay range or a job-board page title."""
    body = clean_text(text)
    kinds = {k for k, _s, _e in sections(body)}
    if "requirements" not in kinds:
        return False
    board = bool(_PAGE_TITLE.search(text)) or "招聘" in text[:200]
    return "duties" in kinds or board or parse_pay(text[:400]) is not None


def draft_problems(draft: PostingDraft) -> list[str]:
    """What keeps a draft from being a role: no title, no required skill."""
    problems = []
    if not draft.title:
        problems.append("no job title found: put the title on the first line")
    if not draft.required:
        problems.append(
            "no skills found: the posting names no skill the vocabulary knows; add them "
            "to the draft by hand"
        )
    return problems
