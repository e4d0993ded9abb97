"""The dashboard's view of the label catalog: the current language and locale-aware formats.

Every string lives in the gettext catalogs of ``data/reference/labels.py`` (shared with the
reports and the CLI). ``t(key)`` reads the language from ``st.session_state["lang"]``;
``tr(lang, key)`` takes it explicitly.

``STRINGS`` holds strings not yet moved into the catalogs (same shape as before: ``{"en":
{key: text}, "zh": {key: text}}``); they are served too, and
``python scripts/strings_to_po.py`` moves them into the ``.po`` files and empties the dict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import streamlit as st

from data.reference import labels

Lang = Literal["en", "zh"]
LANGS: dict[str, str] = {"zh": "中文", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "kpi.delta_note": "The small figure is the change against the same-length period just before.",
        "kpi.target": "Target",
        "kpi.target_value": "Target: {value}",
        "kpi.on_target": "on target",
        "kpi.off_target": "off target",
        "overview.targets": "KPI targets",
        "overview.targets_help": "Leave a field at 0 to clear its target. Shares in %, time to hire in days.",
        "overview.targets_save": "Save targets",
        "overview.targets_saved": "Targets saved.",
        "overview.partial": "partial month",
        "overview.partial_note": "{month} is a partial month (data through {through}): its counts are not comparable with a full month's and it is drawn dotted.",
        "overview.definitions": "How each number is defined",
        "cult.headline_hires": "Hires in the period",
        "cult.headline_tth": "Time to hire (median)",
        "cult.headline_retention": "Retention at {d} days",
        "roles.matrix_count": "Skills in the matrix (by demand)",
        "roles.matrix_note": "Skills chosen by demand (open headcount × importance), the same in both languages; each role's most important skill is always kept.",
        "roles.gap_note": "Gap = demand share (open positions needing the skill, weighted by importance) − supply share (resumes naming it).",
        "reports.diversity": "Diversity by stage",
        "reports.diversity_stage": "Stage",
        "reports.diversity_note": "Selection rates by group at the chosen stage, for the applications the global filters select (computed now, not stored).",
        "reports.diversity_empty": "No decided applications at this stage for these filters.",
        "reports.appendix": "Appendix sections",
        "reports.app_shortlists": "Full shortlists",
        "reports.app_countries": "All countries",
        "reports.app_time_in_stage": "Time in stage",
        "reports.app_audit_intersectional": "Bias audit: sex × ethnicity",
        "reports.app_models_metrics": "All model metrics",
        "reports.columns": "Shortlist columns",
        "reports.col_candidate": "Candidate",
        "reports.col_country": "Country",
        "reports.col_resume": "Resume file",
        "reports.col_score": "Score",
        "reports.col_matched": "Matched skills",
        "reports.col_missing": "Missing skills",
        "reports.col_evidence": "Evidence",
        "reports.runs": "Match runs for the shortlists",
        "reports.run_label": "Run {id} · {when} · {encoder} · {roles} roles",
        "reports.no_runs": "No match run yet: shortlists are left out.",
        "reports.contacts": "Include contact details (name, e-mail, phone)",
        "reports.contacts_help": "Only admins and recruiters may include them; the export is audited.",
        "reports.lang": "Report language",
        "reports.scope_note": "The report follows the global filters: period, roles, countries, regions and channels.",
    },
    "zh": {
        "kpi.delta_note": "小字为与紧邻的同长度上一周期相比的变化。",
        "kpi.target": "目标",
        "kpi.target_value": "目标：{value}",
        "kpi.on_target": "达标",
        "kpi.off_target": "未达标",
        "overview.targets": "指标目标",
        "overview.targets_help": "填 0 即清除该目标。比例按百分比填写，招聘周期按天填写。",
        "overview.targets_save": "保存目标",
        "overview.targets_saved": "目标已保存。",
        "overview.partial": "不完整月份",
        "overview.partial_note": "{month} 为不完整月份（数据截至 {through}）：其数值不能与完整月份直接比较，图中以虚线表示。",
        "overview.definitions": "各指标的定义",
        "cult.headline_hires": "本期录用人数",
        "cult.headline_tth": "招聘周期（中位数）",
        "cult.headline_retention": "{d} 天留任率",
        "roles.matrix_count": "矩阵中的技能数（按需求）",
        "roles.matrix_note": "技能按需求（在招编制 × 重要度）选取，中英文相同；每个岗位最重要的技能始终保留。",
        "roles.gap_note": "缺口 = 需求占比（需要该技能的在招职位，按重要度加权）− 供给占比（提及该技能的简历）。",
        "reports.diversity": "各阶段多元化",
        "reports.diversity_stage": "阶段",
        "reports.diversity_note": "所选阶段各群体的通过率，统计全局筛选条件下的申请（即时计算，不保存）。",
        "reports.diversity_empty": "在这些筛选条件下，该阶段没有已有结论的申请。",
        "reports.appendix": "附录章节",
        "reports.app_shortlists": "完整短名单",
        "reports.app_countries": "全部国家/地区",
        "reports.app_time_in_stage": "阶段停留时间",
        "reports.app_audit_intersectional": "偏差审计：性别 × 族裔",
        "reports.app_models_metrics": "全部模型指标",
        "reports.columns": "短名单列",
        "reports.col_candidate": "候选人",
        "reports.col_country": "国家/地区",
        "reports.col_resume": "简历文件",
        "reports.col_score": "匹配分",
        "reports.col_matched": "已匹配技能",
        "reports.col_missing": "欠缺技能",
        "reports.col_evidence": "依据",
        "reports.runs": "短名单使用的匹配批次",
        "reports.run_label": "批次 {id} · {when} · {encoder} · {roles} 个岗位",
        "reports.no_runs": "尚无匹配记录：报告不含短名单。",
        "reports.contacts": "包含联系方式（姓名、电子邮箱、电话）",
        "reports.contacts_help": "仅管理员和招聘专员可包含；导出会记入审计日志。",
        "reports.lang": "报告语言",
        "reports.scope_note": "报告遵循全局筛选条件：统计期间、岗位、国家/地区、区域和渠道。",
    },
}
"""Strings waiting to be moved into the catalogs by ``scripts/strings_to_po.py``."""


def lang() -> Lang:
    """The language the user picked (Chinese by default)."""
    value = st.session_state.get("lang", "zh")
    return "en" if value == "en" else "zh"


def tr(language: str, key: str, **kwargs: object) -> str:
    """The string for ``key`` in ``language``, formatted with ``kwargs``."""
    pending = STRINGS.get(language, {}).get(key) or STRINGS["en"].get(key)
    if pending is None:
        return labels.tr(language, key, **kwargs)
    return pending.format(**kwargs) if kwargs else pending


def known(key: str) -> bool:
    """Whether ``key`` has a string (in the catalog or still pending in ``STRINGS``)."""
    return labels.has(key) or key in STRINGS["en"]


def t(key: str, **kwargs: object) -> str:
    """The string for ``key`` in the current language, formatted with ``kwargs``."""
    return tr(lang(), key, **kwargs)


def formatter(prefix: str) -> Callable[[str], str]:
    """A ``format_func`` for option keys (``prefix + key``), bound to the current language:
    Streamlit may call it outside the script run, where session state is not readable."""
    language = lang()
    return lambda v: tr(language, f"{prefix}{v}")


def _missing(x: float | None) -> bool:
    return x is None or x != x  # NaN from pandas counts as missing


def fmt_int(n: float | None) -> str:
    """A count: ``12,345`` in English, ``1.2万`` from ten thousand up in Chinese."""
    if _missing(n):
        return "—"
    if lang() == "zh" and abs(n) >= 10_000:
        return f"{n / 10_000:.1f}万"
    return f"{int(round(n)):,}"


def fmt_pct(x: float | None, *, signed: bool = False) -> str:
    """A share as a percentage (``45.3%``); ``signed`` for changes, in points."""
    if _missing(x):
        return "—"
    if signed:
        pts = x * 100
        return f"{pts:+.1f} pp" if lang() == "en" else f"{pts:+.1f} 个百分点"
    return f"{x * 100:.1f}%"


def fmt_days(d: float | None, *, signed: bool = False) -> str:
    if _missing(d):
        return "—"
    n = f"{d:+.1f}" if signed else f"{d:.1f}".removesuffix(".0")
    return t("unit.days", n=n)


def stage_name(key: str) -> str:
    """The canonical stage's label in the current language."""
    return labels.stage_name(key, lang())


def country_name(iso2: str | None, language: str | None = None) -> str:
    """A country's name in ``language`` (default: the current one)."""
    return labels.country_name(iso2, language or lang())


def country_formatter() -> Callable[[str], str]:
    """``country_name`` bound to the current language (for ``format_func``)."""
    language = lang()
    return lambda code: country_name(code, language)


def channel_name(key: str | None, language: str | None = None) -> str:
    """A source channel's label (``linkedin`` → LinkedIn / 领英)."""
    return labels.channel_name(key, language or lang())


def region_name(key: str | None, language: str | None = None) -> str:
    """A world region's label (``East Asia`` → East Asia / 东亚)."""
    return labels.region_name(key, language or lang())


def skill_name(key: str | None, language: str | None = None) -> str:
    """A taxonomy skill's name (``ui_design`` → User Interface Design / 界面设计)."""
    return labels.skill_name(key, language or lang())


def channel_formatter() -> Callable[[str], str]:
    """``channel_name`` bound to the current language (for ``format_func``)."""
    language = lang()
    return lambda key: channel_name(key, language)


def region_formatter() -> Callable[[str], str]:
    """``region_name`` bound to the current language (for ``format_func``)."""
    language = lang()
    return lambda key: region_name(key, language)
