"""The one pseudonym format: ``C-`` and 16 lower-case hex digits, e.g. ``C-3f9a1b2c4d5e6f70``.

A candidate is named by pseudonym wherever people or logs must not see who it is (the audit
log, shortlists, the dashboard). Importers draw a random one; the demo derives one from its
seed so a demo world is reproducible. Both look the same.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.store.models import Candidate

PREFIX = "C-"
HEX_DIGITS = 16
PATTERN = re.compile(rf"^{PREFIX}[0-9a-f]{{{HEX_DIGITS}}}$")


def new_pseudonym(session: Session | None = None) -> str:
    """A random pseudonym; with a ``session``, one no stored candidate has yet."""
    while True:
        pseudonym = PREFIX + secrets.token_hex(HEX_DIGITS // 2)
        if session is None or (
            session.scalar(select(Candidate.id).where(Candidate.pseudonym == pseudonym)) is None
        ):
            return pseudonym


def derived_pseudonym(*parts: object) -> str:
    """A pseudonym derived from ``parts`` (the demo's seed and index): same parts, same name."""
    key = ":".join(map(str, parts)).encode()
    return PREFIX + hashlib.blake2s(key, digest_size=HEX_DIGITS // 2).hexdigest()
