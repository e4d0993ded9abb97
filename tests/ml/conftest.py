"""ML fixtures: the real MiniLM (loaded once per session), a counting fake encoder, a small store."""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Sequence

import numpy as np
import pytest
from sqlalchemy.orm import Session

from data.store.embeddings import text_hash
from data.store.models import Resume, Role, RoleSkill
from data.store.skills import sync_skills
from data.text.taxonomy import load_taxonomy


@pytest.fixture(scope="session")
def minilm():
    """The packaged English MiniLM (offline) on the product's path: int8 ONNX on a CPU-only
    machine (exported once into the user's cache), the torch model with CUDA."""
    from ml.encoders import get_encoder

    return get_encoder("minilm")


@pytest.fixture(scope="session")
def minilm_raw():
    """The same model through sentence-transformers (torch), whatever the device."""
    from ml.encoders import get_encoder

    return get_encoder("minilm-raw")


class CountingEncoder:
    """A deterministic bag-of-words encoder that counts every text it is asked to encode.

    Words (and single Chinese characters) are hashed into 256 dimensions, so texts sharing
    words are similar: enough to test matching without loading a model.
    """

    model_id = "test:hashing-bow"
    dim = 256

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress=None) -> np.ndarray:
        self.encoded.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for tok in re.findall(r"[a-z0-9+#]+|[\u4e00-\u9fff]", t.lower()):
                out[i, zlib.crc32(tok.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


class DyingEncoder(CountingEncoder):
    """Fault injection for the Ray tests: in any process but ``spare_pid`` (the test's own),
    the encode call after ``after`` calls ends the process with ``os._exit`` (as a killed
    worker ends: no cleanup, no exception), once per ``marker`` file, which then holds the
    dead process id. Every text a call returned is logged (its cache key, ``text_hash``) to
    ``<marker>.<pid>.log``."""

    def __init__(self, marker: str, *, after: int, spare_pid: int) -> None:
        super().__init__()
        self.marker, self.after, self.spare_pid, self.calls = marker, after, spare_pid, 0

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress=None) -> np.ndarray:
        pid = os.getpid()
        if pid != self.spare_pid:
            if self.calls == self.after:
                try:
                    fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                except FileExistsError:
                    pass  # another process died already: this one lives
                else:
                    os.write(fd, str(pid).encode())
                    os.close(fd)
                    os._exit(1)
            self.calls += 1
        out = super().encode(texts, batch_size=batch_size)
        with open(f"{self.marker}.{pid}.log", "a", encoding="utf-8") as log:
            log.writelines(text_hash(t) + "\n" for t in texts)
        return out


def unloadable_encoder() -> CountingEncoder:
    """An encoder factory that fails the way a missing model does (for the Ray tests)."""
    raise OSError("no model at /nowhere/minilm")


@pytest.fixture
def counting_encoder() -> CountingEncoder:
    return CountingEncoder()


ROLES = {
    "ml_engineer": (
        "Machine Learning Engineer",
        "机器学习工程师",
        "Build and deploy deep learning models for search and recommendation.",
        [("pytorch", 2.0, True), ("python", 1.0, True), ("kubernetes", 1.0, False)],
    ),
    "data_analyst": (
        "Data Analyst",
        "数据分析师",
        "Analyse business data, build dashboards and run A/B tests.",
        [("sql", 2.0, True), ("data_analysis", 1.0, True), ("ab_testing", 1.0, False)],
    ),
}

RESUMES = {
    "ml_en.txt": (
        "en",
        "Senior engineer.\nTrained deep learning models with PyTorch and Python "
        "for recommendation.\nDeployed models on Kubernetes clusters.",
    ),
    "analyst_en.txt": (
        "en",
        "Analyst.\nWrote SQL queries every day and built dashboards for "
        "business data analysis.\nRan A/B testing for the growth team.",
    ),
    "ml_zh.txt": (
        "zh",
        "算法工程师\n使用PyTorch和Python训练深度学习推荐模型。\n熟悉Kubernetes容器编排。",
    ),
    "analyst_zh.txt": ("zh", "数据分析师\n精通SQL，负责业务数据分析和报表。\n设计A/B测试。"),
    "cook.txt": ("en", "Chef.\nPrepared meals for 200 guests a night and managed the kitchen."),
}


def seed_matching_store(session: Session) -> dict[str, int]:
    """Skills from the taxonomy, two roles with weighted skills, five resumes (EN and ZH).

    Returns file name -> resume id.
    """
    skill_ids = sync_skills(session, load_taxonomy())
    for key, (title, title_zh, desc, skills) in ROLES.items():
        role = Role(key=key, title_en=title, title_zh=title_zh, family="ai", description=desc)
        session.add(role)
        session.flush()
        for skill, weight, required in skills:
            session.add(
                RoleSkill(
                    role_id=role.id, skill_id=skill_ids[skill], importance=weight, required=required
                )
            )
    ids = {}
    for i, (name, (lang, text)) in enumerate(RESUMES.items()):
        r = Resume(file_name=name, sha256=f"{i:064d}", language=lang, text=text)
        session.add(r)
        session.flush()
        ids[name] = r.id
    return ids
