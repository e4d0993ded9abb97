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

STRINGS: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
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


# workforce planning (issue 16): Plan & forecast, Compensation
STRINGS["en"].update(
    {
        "nav.plan": "Plan & forecast",
        "nav.compensation": "Compensation",
        "plan.as_of": "Forecast as of {day}, {sims} simulations (seed {seed}): expected hires by each requisition's target start.",
        "plan.empty": "No requisitions yet. Import a headcount plan with `talentmap plan import FILE` (docs/planning-formats.md) or run `talentmap demo`.",
        "plan.table": "Headcount plan",
        "plan.edit_help": "Edit cells or add rows, then save. Rows are checked like an imported file.",
        "plan.save": "Save plan",
        "plan.saved": "Plan saved: {created} new, {updated} updated, {linked} applications linked.",
        "plan.forecast": "Hiring forecast of open requisitions",
        "plan.fan": "Expected fills against plan (cumulative, 80 % band)",
        "plan.fan_band": "80 % interval",
        "plan.fan_expected": "Expected fills",
        "plan.fan_plan": "Plan (headcount)",
        "plan.fan_y": "Seats",
        "plan.scenario": "Scenario",
        "plan.sc_stage": "Stage whose conversion changes",
        "plan.sc_conv": "Conversion change (%)",
        "plan.sc_channel": "Channel whose share of new applicants grows",
        "plan.sc_share": "Share change (%)",
        "plan.sc_country": "Country whose visa lead time changes",
        "plan.sc_days": "Extra visa days",
        "plan.none": "(none)",
        "plan.total_expected": "Expected hires",
        "plan.total_plan": "Seats planned",
        "plan.p_fill_all": "Requisitions likely filled (P ≥ 0.8)",
        "plan.needed": "Applicants/week needed",
        "plan.mobility": "International mobility: cost per hire and time to start",
        "plan.mob_country": "By source country",
        "plan.mob_channel": "By channel",
        "plan.retention": "Retention curves (Kaplan–Meier)",
        "plan.ret_by": "Split by",
        "plan.ret_x": "Days since start",
        "plan.ret_y": "Still employed",
        "plan.effect": "Programme participants vs others: 12-month retention {p1} vs {p0}, difference {d} (95 % CI {lo} to {hi}; n = {n1} / {n0}).",
        "plan.observational": "Observational, not causal: people were not enrolled at random. Landmark analysis: hires still employed 180 days after starting, split by whether they had enrolled by then, followed for 12 months.",
        "by.cohort": "Hire cohort",
        "by.programme": "Programme",
        "by.country": "Country",
        "by.family": "Role family",
        "col.requisition": "Requisition",
        "col.role_key": "Role",
        "col.location": "Location",
        "col.country_code": "Country",
        "col.quarter": "Quarter",
        "col.headcount": "Headcount",
        "col.target_start": "Target start",
        "col.status": "Status",
        "col.hired_so_far": "Hired",
        "col.in_pipeline": "In pipeline",
        "col.expected": "Expected hires",
        "col.low_80": "Low (80 %)",
        "col.high_80": "High (80 %)",
        "col.p_fill": "P(fill)",
        "col.arrivals": "Applicants/week now",
        "col.needed": "Applicants/week needed",
        "col.cost": "Expected cost (USD)",
        "col.est_family": "Family estimate",
        "col.est_country": "Country estimate",
        "col.est_channel": "Channel estimate",
        "col.group": "Group",
        "col.left": "Left",
        "col.retention_365": "12-month retention",
        "col.median_tenure": "Median tenure (days)",
        "col.days_to_start": "Offer to start (days, median)",
        "col.mobility_cost": "Visa + relocation (USD)",
        "col.lead_time": "Lead time (days)",
        "col.channel_cost": "Channel cost (USD)",
        "col.cost_per_hire": "Cost per hire (USD)",
        "col.cross_border": "Cross-border share",
        "comp.empty": "No offers with pay yet. Offers get pay from the demo or your HR system; import bands with `talentmap pay import-bands`.",
        "comp.pockets": "Offers against the market by role, level and location",
        "comp.below": "Below market: {pockets}",
        "comp.none_below": "No role, level and location is paid below market (median compa-ratio < 0.90).",
        "comp.hist": "Compa-ratio of offers to the market median",
        "comp.hist_x": "Yearly base pay / market median",
        "comp.acceptance": "Offer acceptance by competitiveness",
        "comp.benchmark": "Market medians and SOC routes",
        "comp.set_soc": "Override a role's SOC code",
        "comp.soc_role": "Role",
        "comp.soc_code": "SOC code (e.g. 15-1252; empty = title route)",
        "comp.soc_save": "Save SOC code",
        "comp.soc_saved": "Saved: {role} → {soc}.",
        "comp.citation": "Market data: {citation}. Other markets: imported pay surveys, converted with the FX table.",
        "col.level": "Level",
        "col.compa_market": "Compa-ratio (market)",
        "col.compa_band": "Compa-ratio (band)",
        "col.acceptance": "Acceptance",
        "col.below_market": "Below market",
        "col.bin": "Compa-ratio",
        "col.soc": "SOC",
        "col.route": "Route",
        "col.median_local": "Median (local)",
        "col.currency": "Currency",
        "col.median_usd": "Median (USD)",
        "col.source": "Source",
    }
)
STRINGS["zh"].update(
    {
        "nav.plan": "编制计划与预测",
        "nav.compensation": "薪酬",
        "plan.as_of": "预测基准日 {day}，{sims} 次模拟（种子 {seed}）：各招聘需求在目标到岗日前的预期入职人数。",
        "plan.empty": "尚无招聘需求。请用 `talentmap plan import FILE` 导入编制计划（见 docs/planning-formats.md），或运行 `talentmap demo`。",
        "plan.table": "编制计划",
        "plan.edit_help": "可修改单元格或新增行，然后保存；每行按导入文件的规则检查。",
        "plan.save": "保存计划",
        "plan.saved": "计划已保存：新增 {created}，更新 {updated}，关联申请 {linked}。",
        "plan.forecast": "在招需求的招聘预测",
        "plan.fan": "预期到岗与计划对比（累计，80% 区间）",
        "plan.fan_band": "80% 区间",
        "plan.fan_expected": "预期到岗",
        "plan.fan_plan": "计划编制",
        "plan.fan_y": "席位",
        "plan.scenario": "情景分析",
        "plan.sc_stage": "转化率变化的阶段",
        "plan.sc_conv": "转化率变化（%）",
        "plan.sc_channel": "新增申请占比提高的渠道",
        "plan.sc_share": "占比变化（%）",
        "plan.sc_country": "签证周期变化的国家",
        "plan.sc_days": "签证增加天数",
        "plan.none": "（无）",
        "plan.total_expected": "预期入职",
        "plan.total_plan": "计划席位",
        "plan.p_fill_all": "大概率补满的需求（P ≥ 0.8）",
        "plan.needed": "每周所需申请人数",
        "plan.mobility": "国际流动：人均成本与到岗时间",
        "plan.mob_country": "按来源国家",
        "plan.mob_channel": "按渠道",
        "plan.retention": "留任曲线（Kaplan–Meier）",
        "plan.ret_by": "分组方式",
        "plan.ret_x": "入职后天数",
        "plan.ret_y": "仍在职比例",
        "plan.effect": "项目参与者与其他员工：12 个月留任率 {p1} 对 {p0}，差值 {d}（95% 置信区间 {lo} 至 {hi}；人数 {n1} / {n0}）。",
        "plan.observational": "观察性结果，并非因果：参与者并非随机分配。采用界标分析：仅比较入职 180 天时仍在职的员工，按当时是否已参加项目分组，并从该日起跟踪 12 个月。",
        "by.cohort": "入职批次",
        "by.programme": "培养项目",
        "by.country": "国家",
        "by.family": "岗位族",
        "col.requisition": "招聘需求",
        "col.role_key": "岗位",
        "col.location": "地点",
        "col.country_code": "国家",
        "col.quarter": "季度",
        "col.headcount": "编制",
        "col.target_start": "目标到岗日",
        "col.status": "状态",
        "col.hired_so_far": "已入职",
        "col.in_pipeline": "流程中",
        "col.expected": "预期入职",
        "col.low_80": "下限（80%）",
        "col.high_80": "上限（80%）",
        "col.p_fill": "补满概率",
        "col.arrivals": "当前每周申请",
        "col.needed": "每周所需申请",
        "col.cost": "预期成本（美元）",
        "col.est_family": "岗位族估计",
        "col.est_country": "国家估计",
        "col.est_channel": "渠道估计",
        "col.group": "分组",
        "col.left": "已离职",
        "col.retention_365": "12 个月留任率",
        "col.median_tenure": "中位任期（天）",
        "col.days_to_start": "录用至到岗（天，中位数）",
        "col.mobility_cost": "签证+搬迁（美元）",
        "col.lead_time": "周期（天）",
        "col.channel_cost": "渠道成本（美元）",
        "col.cost_per_hire": "人均招聘成本（美元）",
        "col.cross_border": "跨境比例",
        "comp.empty": "尚无带薪酬的录用。录用薪酬来自演示数据或贵司 HR 系统；用 `talentmap pay import-bands` 导入薪酬带宽。",
        "comp.pockets": "按岗位、职级和地点的录用薪酬与市场对比",
        "comp.below": "低于市场：{pockets}",
        "comp.none_below": "没有岗位、职级和地点的薪酬低于市场（中位薪酬比 < 0.90）。",
        "comp.hist": "录用薪酬与市场中位数之比分布",
        "comp.hist_x": "年基本薪酬 / 市场中位数",
        "comp.acceptance": "按薪酬竞争力的录用接受率",
        "comp.benchmark": "市场中位数与 SOC 对应路径",
        "comp.set_soc": "修改岗位的 SOC 代码",
        "comp.soc_role": "岗位",
        "comp.soc_code": "SOC 代码（如 15-1252；留空 = 按职位名称对应）",
        "comp.soc_save": "保存 SOC 代码",
        "comp.soc_saved": "已保存：{role} → {soc}。",
        "comp.citation": "市场数据：{citation}。其他市场：导入的薪酬调研，按汇率表换算。",
        "col.level": "职级",
        "col.compa_market": "薪酬比（市场）",
        "col.compa_band": "薪酬比（带宽）",
        "col.acceptance": "接受率",
        "col.below_market": "低于市场",
        "col.bin": "薪酬比",
        "col.soc": "SOC",
        "col.route": "对应路径",
        "col.median_local": "中位数（本币）",
        "col.currency": "币种",
        "col.median_usd": "中位数（美元）",
        "col.source": "来源",
    }
)
