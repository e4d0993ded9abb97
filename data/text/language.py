"""Which language a text is written in: one rule for resumes, documents and everything else."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["en", "zh", "mixed"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CODE_BLOCK = re.compile(r"```.*?```", re.DOTALL)

ZH_SHARE = 0.6
"""Chinese characters' share of the text (an English word weighing two characters) from
which it is Chinese; up to ``EN_SHARE`` it is English, in between mixed."""
EN_SHARE = 0.05
MIN_CJK = 5
"""Fewer Chinese characters than this (a name, a city) leave an English text English."""


def detect_language(text: str) -> Language:
    """``zh`` when Chinese dominates, ``en`` when there is (almost) none, else ``mixed``.

    Fenced code blocks are left out; one English word weighs as much as two Chinese
    characters (a Chinese word is about two characters long).
    """
    prose = _CODE_BLOCK.sub(" ", text)
    cjk = len(_CJK.findall(prose))
    if cjk < MIN_CJK:
        return "en"
    share = cjk / (cjk + 2 * len(_LATIN_WORD.findall(prose)))
    if share >= ZH_SHARE:
        return "zh"
    if share <= EN_SHARE:
        return "en"
    return "mixed"


_SENTENCE = re.compile(r"[^.!?。！？]+[.!?。！？]*\s*")


def in_language(text: str, language: str) -> str:
    """The sentences of a bilingual text ("Designs flows. 设计流程。") that are in
    ``language``: with Chinese ones, those holding Chinese characters; with English, the
    others. A text in one language only is returned whole."""
    parts = [p for p in _SENTENCE.findall(text) if p.strip()]
    zh = [p for p in parts if _CJK.search(p)]
    en = [p for p in parts if not _CJK.search(p)]
    if not zh or not en:
        return text
    return "".join(zh if language == "zh" else en).strip()
