"""The skill hierarchy in matching: a narrower skill found credits the broader one asked for."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from data.ingest.roles import import_roles
from data.store.engine import session_scope
from data.store.models import Resume
from ml.matcher import FEATURE_NAMES, match
from tests.ml.conftest import CountingEncoder


def test_qwen_and_vllm_resume_matches_llm_role_with_the_step_explained(
    engine: Engine, tmp_path: Path
) -> None:
    roles = tmp_path / "roles.csv"
    roles.write_text(
        "key,title_en,required_skills,nice_skills\n"
        "llm_eng,LLM Engineer,large language models:1; LLM serving:0.8,Docker:0.3\n",
        encoding="utf-8",
    )
    texts = {
        "qwen.txt": "算法工程师。基于Qwen2.5微调客服模型，使用vLLM部署上线。",
        "cook.txt": "Chef. Prepared meals for 200 guests a night.",
    }
    with session_scope(engine) as s:
        import_roles(s, roles, actor="alice")
        for i, (name, text) in enumerate(texts.items()):
            s.add(Resume(file_name=name, sha256=f"{i:064d}", language="zh", text=text))
        s.flush()
        result = match(s, CountingEncoder(), top_k=2, actor="alice")
    first, second = result.for_role("llm_eng")
    assert first.resume == "qwen.txt" and second.resume == "cook.txt"
    exp = first.explanation
    assert exp["features"]["required_coverage"] == 1.0
    assert exp["missing_required"] == []
    by_key = {m["key"]: m for m in exp["matched_skills"]}
    llm, serving = by_key["llm"], by_key["llm_inference"]
    assert (llm["how"], llm["via"]) == ("hierarchy", "qwen")
    assert llm["step"] == "Qwen → Large Language Models"
    assert "Qwen2.5" in llm["evidence"]
    assert serving["via"] == "vllm" and serving["step"].startswith("vLLM → ")
    cov = FEATURE_NAMES.index("required_coverage")
    assert second.explanation["features"][FEATURE_NAMES[cov]] == 0.0
