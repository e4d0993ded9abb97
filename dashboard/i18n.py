"""Every string the dashboard shows, in English and Chinese, and locale-aware number formats.

``t(key)`` reads the language from ``st.session_state["lang"]``; both dictionaries must hold the
same keys (a test checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import streamlit as st

Lang = Literal["en", "zh"]
LANGS: dict[str, str] = {"zh": "中文", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "app.title": "TalentMap",
        "lang.label": "Language",
        "nav.overview": "Overview",
        "nav.roles": "Roles & skills",
        "nav.international": "International pipeline",
        "nav.cultivation": "Cultivation & retention",
        "nav.matching": "Matching",
        "nav.model_lab": "Model lab",
        "nav.documents": "Documents",
        "nav.reports": "Reports",
        "filters.header": "Filters",
        "filters.dates": "Date range",
        "filters.roles": "Roles",
        "filters.countries": "Countries / regions",
        "filters.channels": "Source channels",
        "filters.regions": "World regions",
        "channel.referral": "Referral",
        "channel.linkedin": "LinkedIn",
        "channel.job_board": "Job board",
        "channel.campus": "Campus",
        "channel.headhunter": "Headhunter",
        "channel.conference": "Conference",
        "channel.open_source": "Open source",
        "channel.company_website": "Company website",
        "region.East Asia": "East Asia",
        "region.Southeast Asia": "Southeast Asia",
        "region.South Asia": "South Asia",
        "region.Central Asia": "Central Asia",
        "region.Europe": "Europe",
        "region.North America": "North America",
        "region.Latin America": "Latin America",
        "region.Middle East & Africa": "Middle East & Africa",
        "region.Oceania": "Oceania",
        "unknown": "Unknown",
        "filters.all": "All",
        "pick.placeholder": "Choose…",
        "login.title": "Sign in to TalentMap",
        "login.name": "User name",
        "login.password": "Password",
        "login.submit": "Sign in",
        "login.failed": "Wrong user name or password. Try again, or ask an admin to reset it with `talentmap users add NAME --password ...`.",
        "login.oidc": "Sign in with your company account",
        "login.locked": "Too many failed sign-ins: sign-in is locked until {until}. Wait, or ask an admin.",
        "login.signed_in": "Signed in as {name} ({role})",
        "login.logout": "Sign out",
        "login.local": "No users yet: you act as the local admin. Add users with `talentmap users add NAME --role viewer --password ...` to require sign-in.",
        "err.schema": "The store has no TalentMap schema. Run `talentmap init`, then `talentmap demo` or import your data.",
        "err.empty": "The store holds no applications yet. Run `talentmap demo` or import data (`talentmap import ...`).",
        "err.denied": "Your role ({role}) may not use this page. Ask an admin for the recruiter role.",
        "err.generic": "Something went wrong: {msg}",
        "err.unavailable": "This feature is not installed in this build yet ({what}).",
        "err.unexpected": "This page could not be drawn because of an internal error (details are in the server log). Reload the page; if it persists, report it to your TalentMap admin with the time it happened.",
        "kpi.open_roles": "Open roles",
        "kpi.in_pipeline": "Candidates in pipeline",
        "kpi.hires": "Hires",
        "kpi.time_to_hire": "Time to hire (median)",
        "kpi.offer_acceptance": "Offer acceptance",
        "kpi.international_share": "International share",
        "kpi.vs_previous": "vs previous period",
        "overview.trend": "Monthly trend",
        "overview.trend_metric": "Metric",
        "overview.applications": "Applications",
        "overview.status": "Applications by status",
        "overview.no_period": "Pick a start and an end date to compare with the previous period.",
        "status.active": "Active",
        "status.hired": "Hired",
        "status.rejected": "Rejected",
        "status.withdrawn": "Withdrawn",
        "unit.days": "{n} days",
        "roles.matrix": "Role × skill matrix (importance)",
        "roles.gaps": "Skill demand (open roles) vs supply (resumes), biggest gap first",
        "roles.gap_chart": "Demand share vs supply share",
        "roles.profile": "Role profile",
        "roles.pick": "Role",
        "roles.docmap": "From the strategy documents: roles, skills and strategies with provenance",
        "roles.no_docs": "No strategy documents imported yet: upload them on the Documents page or run `talentmap docs import`.",
        "roles.indexing": "Indexing resume skills…",
        "roles.open": "Open",
        "roles.closed": "Closed",
        "roles.headcount": "Headcount",
        "roles.skills": "Skills",
        "col.skill": "Skill",
        "col.role": "Role",
        "col.roles": "Open roles asking",
        "col.demand": "Demand (weighted)",
        "col.resumes": "Resumes naming it",
        "col.coverage": "Resumes naming it (%)",
        "col.demand_share": "Demand share",
        "col.supply_share": "Supply share (of skill mentions)",
        "col.gap": "Gap",
        "col.importance": "Importance",
        "col.required": "Required",
        "col.kind": "Kind",
        "col.label": "Item",
        "col.document": "Document",
        "col.lines": "Lines",
        "col.stage": "Stage",
        "col.reached": "Reached",
        "col.conversion": "Conversion",
        "col.median": "Median days",
        "col.p25": "25th pct",
        "col.p75": "75th pct",
        "col.p90": "90th pct",
        "col.n": "Stays",
        "col.country": "Country",
        "col.channel": "Channel",
        "col.applications": "Applications",
        "col.hires": "Hires",
        "col.hire_rate": "Hire rate",
        "col.offers": "Offers",
        "col.programme": "Programme",
        "col.enrolled": "Enrolled",
        "col.completed": "Completed",
        "col.dropped": "Dropped",
        "col.in_progress": "In progress",
        "col.completion_rate": "Completion rate",
        "col.cohort": "Hire cohort",
        "col.retention": "Retention at {d} days",
        "col.score": "Score",
        "col.rank": "Rank",
        "col.candidate": "Candidate",
        "col.matched": "Matched skills (evidence)",
        "col.missing": "Missing skills",
        "col.file": "File",
        "col.reason": "Reason",
        "col.version": "Version",
        "col.status": "Status",
        "col.metric": "Metric",
        "intl.funnel": "Funnel by stage",
        "intl.time": "Time in stage (days): median and spread",
        "intl.map": "Applications by country",
        "intl.channels": "By source channel",
        "intl.countries": "By country",
        "intl.regions": "By region",
        "col.region": "Region",
        "intl.compare": "Compare",
        "intl.compare_mode": "Compare two",
        "intl.compare_chart": "Applications reaching each stage",
        "reports.fmt_xlsx": "Excel (XLSX)",
        "reports.fmt_csv": "CSV (ZIP of tables)",
        "reports.fmt_html": "Web page (HTML)",
        "reports.fmt_pdf": "PDF",
        "intl.mode_countries": "countries",
        "intl.mode_periods": "periods",
        "intl.country_a": "Country A",
        "intl.country_b": "Country B",
        "intl.period_a": "Period A",
        "intl.period_b": "Period B",
        "intl.no_data": "No applications match the filters.",
        "cult.programmes": "Programmes: enrolment and completion",
        "cult.retention": "Retention after hire by programme",
        "cult.cohorts": "Retention by hire cohort",
        "cult.retention_note": "All hires up to the end of the period (a cohort counts at a horizon once it is that old on {as_of}); hires in no programme are the baseline.",
        "cult.none": "No programme",
        "cult.trend": "Enrolments per month",
        "cult.empty": "No programmes or enrolments yet. Run `talentmap demo` or import enrolments.",
        "match.source": "Resumes",
        "match.upload": "Upload resumes (PDF, DOCX, TXT; several at once)",
        "match.stored": "Or pick stored resumes",
        "match.roles": "Roles to match against",
        "match.run": "Rank candidates",
        "match.embedding": "Embedding resumes…",
        "match.failed": "Files that could not be read",
        "match.shortlist": "Shortlist for {role}",
        "match.advance": "Advance",
        "match.row": "#{rank} {who} · score {score} · {matched} skills matched, {missing} required missing",
        "match.decide_hint": "Open a candidate to see the evidence and record advance or reject: the matcher learns from these decisions.",
        "match.reject": "Reject",
        "match.recorded": "Recorded: {decision} for {candidate} by {reviewer}.",
        "match.need_input": "Upload resumes or pick stored ones, and pick at least one role.",
        "match.none": "No resumes to rank.",
        "lab.train": "Train or retrain",
        "lab.train_button": "Train a new version",
        "lab.training": "Training…",
        "lab.trained": "Trained version {version}.",
        "lab.versions": "Versions",
        "lab.metrics": "Metrics",
        "lab.confusion": "Confusion matrix",
        "lab.reliability": "Reliability curve",
        "lab.compare": "Compare versions",
        "lab.promote": "Promote",
        "lab.rollback": "Roll back",
        "lab.promoted": "Version {version} is now active.",
        "lab.refused": "Promotion refused:",
        "lab.no_versions": "No model versions yet: train one.",
        "lab.kind": "Model",
        "lab.kind_pair_scorer": "Shortlist scorer (learns from advance/reject)",
        "lab.kind_classifier": "Role classifier (labelled CSV)",
        "lab.labelled": "Labelled CSV (text, label columns)",
        "lab.predicted": "Predicted",
        "lab.actual": "Actual",
        "lab.confidence": "Predicted probability",
        "lab.observed": "Observed frequency",
        "metric.roc_auc": "ROC AUC",
        "metric.accuracy": "Accuracy",
        "metric.ece": "Calibration error (ECE)",
        "metric.brier": "Brier score",
        "metric.macro_f1": "Macro F1",
        "metric.top3_accuracy": "Top-3 accuracy",
        "metric.n": "Test examples",
        "model_status.candidate": "candidate",
        "model_status.active": "active",
        "model_status.retired": "retired",
        "docs.upload": "Upload strategy documents",
        "docs.import": "Import",
        "docs.imported": "Imported {n} document(s).",
        "docs.list": "Documents",
        "docs.extracted": "Extracted items",
        "docs.pick": "Document",
        "reports.build": "Build a hiring report",
        "reports.format": "Format",
        "reports.button": "Build",
        "reports.building": "Building the report…",
        "reports.scope_note": "The report covers the date range and the roles picked; it counts every country, region and channel.",
        "reports.download": "Download {fmt}",
        "reports.audit": "Bias audit",
        "reports.run_audit": "Run the audit",
        "reports.audit_kind": "Audit",
        "reports.latest_audit": "Latest audit",
        "reports.no_audit": "No audit has been run yet.",
        "chart.stage": "Stage",
        "chart.count": "Count",
        "chart.days": "Days",
        "chart.month": "Month",
        "chart.month_format": "%b %Y",
        "chart.share": "Share",
        "chart.value": "Value",
        "col.title": "Title",
        "col.language": "Language",
        "col.key": "Canonical key",
        "col.text": "Text (source)",
        "col.created_by": "Created by",
        "col.created_at": "Created at",
        "reports.passed": "Passed",
        "reports.failed": "Failed",
        "audit.dimension": "Dimension",
        "audit.group": "Group",
        "audit.n": "Count",
        "audit.selected": "Selected",
        "audit.rate": "Rate",
        "audit.share": "Share of sample",
        "audit.impact_ratio": "Impact ratio",
        "audit.flagged": "Under 0.8",
        "audit.p_value": "Fisher p",
        "audit.excluded": "Excluded because",
        "kind.role": "Roles",
        "kind.skill": "Skills",
        "kind.strategy": "Strategies",
        "chart.iqr": "25th–75th percentile",
    },
    "zh": {
        "app.title": "人才地图",
        "lang.label": "语言",
        "nav.overview": "总览",
        "nav.roles": "岗位与技能",
        "nav.international": "国际招聘管道",
        "nav.cultivation": "培养与保留",
        "nav.matching": "简历匹配",
        "nav.model_lab": "模型实验室",
        "nav.documents": "战略文档",
        "nav.reports": "报告",
        "filters.header": "筛选",
        "filters.dates": "日期范围",
        "filters.roles": "岗位",
        "filters.countries": "国家 / 地区",
        "filters.channels": "来源渠道",
        "filters.regions": "世界区域",
        "channel.referral": "内部推荐",
        "channel.linkedin": "领英",
        "channel.job_board": "招聘网站",
        "channel.campus": "校园招聘",
        "channel.headhunter": "猎头",
        "channel.conference": "学术会议",
        "channel.open_source": "开源社区",
        "channel.company_website": "公司官网",
        "region.East Asia": "东亚",
        "region.Southeast Asia": "东南亚",
        "region.South Asia": "南亚",
        "region.Central Asia": "中亚",
        "region.Europe": "欧洲",
        "region.North America": "北美",
        "region.Latin America": "拉丁美洲",
        "region.Middle East & Africa": "中东与非洲",
        "region.Oceania": "大洋洲",
        "unknown": "未知",
        "filters.all": "全部",
        "pick.placeholder": "请选择…",
        "login.title": "登录人才地图",
        "login.name": "用户名",
        "login.password": "密码",
        "login.submit": "登录",
        "login.failed": "用户名或密码错误。请重试，或请管理员用 `talentmap users add NAME --password ...` 重置。",
        "login.oidc": "使用公司账号登录",
        "login.locked": "登录失败次数过多：登录已锁定至 {until}。请稍候，或联系管理员。",
        "login.signed_in": "当前用户：{name}（{role}）",
        "login.logout": "退出登录",
        "login.local": "尚无用户：您以本地管理员身份操作。用 `talentmap users add NAME --role viewer --password ...` 添加用户后即需登录。",
        "err.schema": "数据库尚未初始化。请运行 `talentmap init`，然后运行 `talentmap demo` 或导入数据。",
        "err.empty": "数据库中还没有申请记录。请运行 `talentmap demo` 或导入数据（`talentmap import ...`）。",
        "err.denied": "您的角色（{role}）无权使用此页面。请向管理员申请招聘专员角色。",
        "err.generic": "出错了：{msg}",
        "err.unavailable": "此版本尚未安装该功能（{what}）。",
        "err.unexpected": "由于内部错误，此页面无法显示（详情见服务器日志）。请刷新页面；如问题持续，请将发生时间告知 TalentMap 管理员。",
        "kpi.open_roles": "在招岗位",
        "kpi.in_pipeline": "管道中的候选人",
        "kpi.hires": "录用人数",
        "kpi.time_to_hire": "招聘周期（中位数）",
        "kpi.offer_acceptance": "录用通知接受率",
        "kpi.international_share": "国际候选人占比",
        "kpi.vs_previous": "较上一周期",
        "overview.trend": "月度趋势",
        "overview.trend_metric": "指标",
        "overview.applications": "申请数",
        "overview.status": "按状态统计申请",
        "overview.no_period": "请选择起止日期，以便与上一周期比较。",
        "status.active": "进行中",
        "status.hired": "已录用",
        "status.rejected": "已拒绝",
        "status.withdrawn": "已撤回",
        "unit.days": "{n} 天",
        "roles.matrix": "岗位 × 技能矩阵（重要度）",
        "roles.gaps": "技能需求（在招岗位）与供给（简历）对比，缺口最大者在前",
        "roles.gap_chart": "需求占比与供给占比",
        "roles.profile": "岗位画像",
        "roles.pick": "岗位",
        "roles.docmap": "战略文档中的岗位、技能与策略（含出处）",
        "roles.no_docs": "尚未导入战略文档：请在“战略文档”页面上传，或运行 `talentmap docs import`。",
        "roles.indexing": "正在索引简历技能…",
        "roles.open": "在招",
        "roles.closed": "已关闭",
        "roles.headcount": "编制人数",
        "roles.skills": "技能",
        "col.skill": "技能",
        "col.role": "岗位",
        "col.roles": "需要该技能的在招岗位",
        "col.demand": "需求（加权）",
        "col.resumes": "提及该技能的简历",
        "col.coverage": "提及该技能的简历占比",
        "col.demand_share": "需求占比",
        "col.supply_share": "供给占比（占技能提及）",
        "col.gap": "缺口",
        "col.importance": "重要度",
        "col.required": "必需",
        "col.kind": "类型",
        "col.label": "条目",
        "col.document": "文档",
        "col.lines": "行号",
        "col.stage": "阶段",
        "col.reached": "到达数",
        "col.conversion": "转化率",
        "col.median": "中位天数",
        "col.p25": "第25百分位",
        "col.p75": "第75百分位",
        "col.p90": "第90百分位",
        "col.n": "停留次数",
        "col.country": "国家",
        "col.channel": "渠道",
        "col.applications": "申请数",
        "col.hires": "录用数",
        "col.hire_rate": "录用率",
        "col.offers": "录用通知数",
        "col.programme": "项目",
        "col.enrolled": "报名",
        "col.completed": "完成",
        "col.dropped": "退出",
        "col.in_progress": "进行中",
        "col.completion_rate": "完成率",
        "col.cohort": "入职批次",
        "col.retention": "{d} 天留存率",
        "col.score": "得分",
        "col.rank": "排名",
        "col.candidate": "候选人",
        "col.matched": "匹配技能（依据）",
        "col.missing": "缺少的技能",
        "col.file": "文件",
        "col.reason": "原因",
        "col.version": "版本",
        "col.status": "状态",
        "col.metric": "指标",
        "intl.funnel": "各阶段漏斗",
        "intl.time": "各阶段停留天数：中位数与分布",
        "intl.map": "各国申请数",
        "intl.channels": "按来源渠道",
        "intl.countries": "按国家",
        "intl.regions": "按地区",
        "col.region": "地区",
        "intl.compare": "对比",
        "intl.compare_mode": "对比两个",
        "intl.compare_chart": "各阶段到达的申请数",
        "reports.fmt_xlsx": "Excel 表格（XLSX）",
        "reports.fmt_csv": "CSV（表格压缩包）",
        "reports.fmt_html": "网页（HTML）",
        "reports.fmt_pdf": "PDF 文档",
        "intl.mode_countries": "国家",
        "intl.mode_periods": "时期",
        "intl.country_a": "国家 A",
        "intl.country_b": "国家 B",
        "intl.period_a": "时期 A",
        "intl.period_b": "时期 B",
        "intl.no_data": "没有符合筛选条件的申请。",
        "cult.programmes": "培养项目：报名与完成",
        "cult.retention": "各项目入职后留存率",
        "cult.cohorts": "按入职批次的留存率",
        "cult.retention_note": "统计截至所选时期结束的全部入职者（入职满相应天数、截至 {as_of} 的批次才计入）；未参加项目者为基准。",
        "cult.none": "未参加项目",
        "cult.trend": "每月报名人数",
        "cult.empty": "尚无培养项目或报名记录。请运行 `talentmap demo` 或导入报名数据。",
        "match.source": "简历",
        "match.upload": "上传简历（PDF、DOCX、TXT，可多选）",
        "match.stored": "或选择已存储的简历",
        "match.roles": "要匹配的岗位",
        "match.run": "候选人排序",
        "match.embedding": "正在计算简历向量…",
        "match.failed": "无法读取的文件",
        "match.shortlist": "{role} 的候选名单",
        "match.advance": "推进",
        "match.row": "第 {rank} 名 {who} · 得分 {score} · 匹配 {matched} 项技能，缺少 {missing} 项必需技能",
        "match.decide_hint": "展开候选人可查看依据并记录推进或淘汰：匹配模型会从这些决定中学习。",
        "match.reject": "淘汰",
        "match.recorded": "已记录：{reviewer} 对 {candidate} 的决定为 {decision}。",
        "match.need_input": "请上传或选择简历，并至少选择一个岗位。",
        "match.none": "没有可排序的简历。",
        "lab.train": "训练或重新训练",
        "lab.train_button": "训练新版本",
        "lab.training": "训练中…",
        "lab.trained": "已训练版本 {version}。",
        "lab.versions": "版本",
        "lab.metrics": "指标",
        "lab.confusion": "混淆矩阵",
        "lab.reliability": "可靠性曲线",
        "lab.compare": "版本对比",
        "lab.promote": "上线",
        "lab.rollback": "回滚",
        "lab.promoted": "版本 {version} 已上线。",
        "lab.refused": "上线被拒绝：",
        "lab.no_versions": "尚无模型版本：请先训练。",
        "lab.kind": "模型",
        "lab.kind_pair_scorer": "候选名单评分模型（从推进/淘汰决定中学习）",
        "lab.kind_classifier": "岗位分类模型（带标签的 CSV）",
        "lab.labelled": "带标签的 CSV（text、label 两列）",
        "lab.predicted": "预测",
        "lab.actual": "实际",
        "lab.confidence": "预测概率",
        "lab.observed": "实际频率",
        "metric.roc_auc": "ROC 曲线下面积（AUC）",
        "metric.accuracy": "准确率",
        "metric.ece": "校准误差（ECE）",
        "metric.brier": "Brier 分数",
        "metric.macro_f1": "宏平均 F1",
        "metric.top3_accuracy": "前三准确率",
        "metric.n": "测试样本数",
        "model_status.candidate": "候选",
        "model_status.active": "已上线",
        "model_status.retired": "已退役",
        "docs.upload": "上传战略文档",
        "docs.import": "导入",
        "docs.imported": "已导入 {n} 份文档。",
        "docs.list": "文档",
        "docs.extracted": "提取的条目",
        "docs.pick": "文档",
        "reports.build": "生成招聘报告",
        "reports.format": "格式",
        "reports.button": "生成",
        "reports.building": "正在生成报告…",
        "reports.scope_note": "报告按所选日期范围和岗位统计，包含所有国家、地区和渠道。",
        "reports.download": "下载 {fmt}",
        "reports.audit": "偏差审计",
        "reports.run_audit": "运行审计",
        "reports.audit_kind": "审计类型",
        "reports.latest_audit": "最近一次审计",
        "reports.no_audit": "尚未运行审计。",
        "chart.stage": "阶段",
        "chart.count": "数量",
        "chart.days": "天数",
        "chart.month": "月份",
        "chart.month_format": "%Y年%-m月",
        "chart.share": "占比",
        "chart.value": "数值",
        "col.title": "标题",
        "col.language": "语言",
        "col.key": "标准键",
        "col.text": "原文",
        "col.created_by": "创建者",
        "col.created_at": "创建时间",
        "reports.passed": "通过",
        "reports.failed": "未通过",
        "audit.dimension": "维度",
        "audit.group": "群体",
        "audit.n": "人数",
        "audit.selected": "入选",
        "audit.rate": "比率",
        "audit.share": "样本占比",
        "audit.impact_ratio": "影响比",
        "audit.flagged": "低于 0.8",
        "audit.p_value": "Fisher p 值",
        "audit.excluded": "排除原因",
        "kind.role": "岗位",
        "kind.skill": "技能",
        "kind.strategy": "策略",
        "chart.iqr": "第25–75百分位",
    },
}


def lang() -> Lang:
    """The language the user picked (Chinese by default)."""
    value = st.session_state.get("lang", "zh")
    return "en" if value == "en" else "zh"


def tr(language: str, key: str, **kwargs: object) -> str:
    """The string for ``key`` in ``language``, formatted with ``kwargs``."""
    text = STRINGS.get(language, STRINGS["en"]).get(key) or STRINGS["en"].get(key, key)
    return text.format(**kwargs) if kwargs else text


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
    try:
        from data.reference.stages import stage_label

        return stage_label(key, lang())
    except Exception:
        return key


def country_name(iso2: str, language: str | None = None) -> str:
    """A country's name in ``language`` (default: the current one)."""
    language = language or lang()
    try:
        from data.reference import load_countries

        c = load_countries().get(iso2)
    except Exception:
        c = None
    if c is None:
        return iso2
    return c.name_zh if language == "zh" else c.name_en


def country_formatter() -> Callable[[str], str]:
    """``country_name`` bound to the current language (for ``format_func``)."""
    language = lang()
    return lambda code: country_name(code, language)


def _known_name(prefix: str, key: str | None, language: str) -> str:
    """The label of a stored code (``prefix + key``); an unknown code shows as itself and a
    missing one (``None``, ``"?"``) as "Unknown"."""
    if key is None or key == "?" or key != key:
        return tr(language, "unknown")
    text = STRINGS.get(language, STRINGS["en"]).get(f"{prefix}{key}")
    return text if text is not None else str(key)


def channel_name(key: str | None, language: str | None = None) -> str:
    """A source channel's label (``linkedin`` → LinkedIn / 领英)."""
    return _known_name("channel.", key, language or lang())


def region_name(key: str | None, language: str | None = None) -> str:
    """A world region's label (``East Asia`` → East Asia / 东亚)."""
    return _known_name("region.", key, language or lang())


def channel_formatter() -> Callable[[str], str]:
    """``channel_name`` bound to the current language (for ``format_func``)."""
    language = lang()
    return lambda key: channel_name(key, language)


def region_formatter() -> Callable[[str], str]:
    """``region_name`` bound to the current language (for ``format_func``)."""
    language = lang()
    return lambda key: region_name(key, language)
