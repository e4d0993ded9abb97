"""Every named TalentMap error. Messages say what was expected, what came, and what to do."""

from __future__ import annotations


class TalentMapError(Exception):
    """Base of all domain errors; front ends show ``str(err)`` and exit non-zero."""

    exit_code = 1


class InputError(TalentMapError):
    """Bad user input: a file, a row or a field. Carries where it happened.

    ``code`` (with ``params``) names the problem for the label catalog (``error.<code>``), so a
    front end can say it in the user's language (``data.reference.labels.error_text``); the
    English ``message`` stays what logs and the CLI print.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        line: int | None = None,
        code: str | None = None,
        params: dict[str, object] | None = None,
    ) -> None:
        self.file, self.row, self.field, self.line = file, row, field, line
        self.message, self.code, self.params = message, code, dict(params or {})
        where = []
        if file:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if line is not None:
            where.append(f"line {line}")
        if field:
            where.append(f"field '{field}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ImportErrors(TalentMapError):
    """Several bad rows in one file; nothing was stored."""

    exit_code = 2

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        rows = {(e.file, e.row, e.line) for e in errors}
        self.bad_rows = len(rows)
        problems = "" if len(errors) == len(rows) else f" ({len(errors)} problems)"
        body = "\n".join(f"  {e}" for e in errors)  # every message: none is cut off
        super().__init__(
            f"{len(rows)} bad row(s){problems}; nothing was imported. Fix them and import "
            f"again:\n{body}"
        )


class NotFoundError(TalentMapError):
    exit_code = 3


class PermissionDenied(TalentMapError):
    exit_code = 4


class AccountDisabled(PermissionDenied):
    """The user's credentials are right, but an admin has disabled the account."""


class ModelError(TalentMapError):
    """A model could not be loaded, trained or served."""

    exit_code = 5


class ArtefactCorrupted(ModelError):
    """A model artefact's checksum does not match the registry."""


class PromotionRefused(TalentMapError):
    exit_code = 6

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("promotion refused: " + "; ".join(reasons))


class RollbackRefused(PromotionRefused):
    """A rollback cannot happen: nothing is active, or no earlier version is intact.

    A rollback promotes the previous version back, so front ends that handle
    ``PromotionRefused`` handle this too; its message says "rollback refused".
    """

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(reasons)
        self.args = ("rollback refused: " + "; ".join(reasons),)


class SchemaError(TalentMapError):
    """The database schema is missing or out of date."""

    exit_code = 7


class StoreNotEmpty(TalentMapError):
    """The store already holds data that an operation would overwrite."""

    exit_code = 8


class WorkerLost(TalentMapError):
    """A distributed run lost a worker more often than its retries allow. What the finished
    batches wrote is kept; running the command again completes the rest."""

    exit_code = 9
