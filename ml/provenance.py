"""What scored a shortlist: one record per match run, rendered the same way everywhere.

``scorer_record`` is stored on every ``MatchRun`` (its ``scorer`` column); ``describe_scorer``
turns it into the line each shortlist carries (CLI table and CSV, JSON, the dashboard, the
report), in English or Chinese: which model gave the score (the default model vN, the user's
pair scorer vN, or the hand-set weights), which encoder read the texts, and how deep stage one
retrieved (or that every resume was scored).
"""

from __future__ import annotations

from typing import Any, Literal

ScorerKind = Literal["weights", "default_model", "pair_scorer"]

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "weights": "hand-set weights",
        "default_model": "default model v{version}",
        "pair_scorer": "your pair scorer v{version}",
        "encoder": "encoder {encoder}",
        "depth": "stage one: top {depth} per role",
        "depth_resume": "stage one: top {depth} per resume",
        "exhaustive": "every resume scored",
        "sep": " · ",
    },
    "zh": {
        "weights": "手工设定权重",
        "default_model": "默认模型 v{version}",
        "pair_scorer": "贵司的配对评分模型 v{version}",
        "encoder": "编码器 {encoder}",
        "depth": "第一阶段：每个岗位召回前 {depth} 名",
        "depth_resume": "第一阶段：每份简历召回前 {depth} 个岗位",
        "exhaustive": "全部简历参与打分",
        "sep": " · ",
    },
}


def scorer_record(
    *,
    encoder: str,
    kind: ScorerKind = "weights",
    version: int | None = None,
    model_version_id: int | None = None,
    stage_one_depth: int | None = None,
) -> dict[str, Any]:
    """The ``scorer`` description stored with a match run (plain JSON)."""
    if kind != "weights" and version is None:
        raise ValueError(f"a {kind} scorer needs its version number")
    return {
        "kind": kind,
        "version": version,
        "model_version_id": model_version_id,
        "encoder": encoder,
        "stage_one_depth": stage_one_depth,
    }


def describe_scorer(
    scorer: dict[str, Any] | None, lang: str = "en", *, direction: str = "by_role"
) -> str:
    """One line saying what scored a run, in ``lang`` (``en`` or ``zh``)."""
    words = _WORDS.get(lang, _WORDS["en"])
    if not scorer:
        return "—"
    kind = str(scorer.get("kind") or "weights")
    parts = [words.get(kind, kind).format(version=scorer.get("version"))]
    if scorer.get("encoder"):
        parts.append(words["encoder"].format(encoder=scorer["encoder"]))
    depth = scorer.get("stage_one_depth")
    if depth:
        key = "depth_resume" if direction == "by_resume" else "depth"
        parts.append(words[key].format(depth=depth))
    else:
        parts.append(words["exhaustive"])
    return words["sep"].join(parts)
