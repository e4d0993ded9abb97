"""Workforce-planning files from the user: the headcount plan (requisitions), pay bands, pay
surveys, FX rates, mobility costs and channel costs, each as CSV or YAML.

One small schema per kind (``SPECS``) drives reading and checking, so every file is checked the
same way: all-or-nothing, every bad cell reported with its file, row (CSV: the header is row 1;
YAML: the line of the item) and field, nothing stored until the whole file is clean. Importing a
file again updates the rows it names (by their natural key). Formats: ``docs/planning-formats.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import ImportErrors, InputError
from data.reference import SOURCE_CHANNELS, load_countries
from data.reference.pay import PERIODS, load_locations
from data.store.audit import record
from data.store.models import (
    Application,
    ChannelCost,
    FxRate,
    MobilityCost,
    PayBand,
    PaySurveyRow,
    Requisition,
    Role,
)
from data.text.csv_rows import csv_rows
from data.text.decoding import decode_text

STATUSES: tuple[str, ...] = ("open", "on_hold", "filled", "cancelled")
"""A requisition's status: ``open`` (being hired for), ``on_hold``, ``filled``, ``cancelled``."""

QUARTER_RE = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text | key | int | money | date | quarter | currency | country | channel
    # | role | status | period
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class Spec:
    kind: str
    label: str
    fields: tuple[Field, ...]
    yaml_keys: tuple[str, ...]  # accepted top-level keys holding the list in a YAML file

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


SPECS: dict[str, Spec] = {
    "plan": Spec(
        "plan",
        "requisitions",
        (
            Field("key", "key", help="the requisition's id; default ROLE-LOCATION-QUARTER"),
            Field("role", "role", True, "a stored role key (talentmap roles list)"),
            Field("location", "text", True, "a location key (data/reference/locations.yaml) "),
            Field("country", "country", help="ISO 3166-1 alpha-2; needed for unknown locations"),
            Field("quarter", "quarter", help="e.g. 2026Q2; default: the target start's quarter"),
            Field("headcount", "int", True, "seats to fill, at least 1"),
            Field("target_start", "date", help="YYYY-MM-DD; default: the quarter's last day"),
            Field("status", "status", help="open (default), on_hold, filled or cancelled"),
            Field("opened_at", "date", help="YYYY-MM-DD the requisition opened"),
        ),
        ("requisitions", "plan"),
    ),
    "bands": Spec(
        "bands",
        "pay bands",
        (
            Field("role", "role", True, "a stored role key"),
            Field("level", "text", help="empty = every level of the role"),
            Field("location", "text", True, "a location key"),
            Field("currency", "currency", True, "ISO 4217, e.g. CNY, USD"),
            Field("period", "period", help="year (default), month or hour; stored yearly"),
            Field("minimum", "money", True),
            Field("midpoint", "money", help="default: halfway between minimum and maximum"),
            Field("maximum", "money", True),
        ),
        ("bands", "pay_bands"),
    ),
    "survey": Spec(
        "survey",
        "pay survey rows",
        (
            Field("survey", "text", help="the survey's name; default: the file name"),
            Field("role", "role", True, "a stored role key"),
            Field("level", "text"),
            Field("location", "text", True, "a location key"),
            Field("currency", "currency", True),
            Field("period", "period", help="year (default), month or hour"),
            Field("p25", "money"),
            Field("p50", "money", True, "the market median"),
            Field("p75", "money"),
            Field("year", "int"),
        ),
        ("survey", "rows"),
    ),
    "fx": Spec(
        "fx",
        "FX rates",
        (
            Field("currency", "currency", True),
            Field("per_usd", "money", True, "units of the currency per one US dollar"),
            Field("as_of", "date"),
        ),
        ("fx", "rates"),
    ),
    "mobility": Spec(
        "mobility",
        "mobility costs",
        (
            Field("country", "country", True, "the hire's source country"),
            Field("visa_cost", "money", True),
            Field("relocation_cost", "money", True),
            Field("currency", "currency", help="default USD"),
            Field("lead_time_days", "int", True, "visa and relocation lead time in days"),
        ),
        ("mobility", "countries"),
    ),
    "channels": Spec(
        "channels",
        "channel costs",
        (
            Field("channel", "channel", True, ", ".join(SOURCE_CHANNELS)),
            Field("cost_per_hire", "money", True),
            Field("currency", "currency", help="default USD"),
        ),
        ("channels",),
    ),
}


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_end(quarter: str) -> dt.date:
    m = QUARTER_RE.match(quarter)
    if not m:
        raise ValueError(quarter)
    year, q = int(m.group(1)), int(m.group(2))
    nxt = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return nxt - dt.timedelta(days=1)


# --- reading -------------------------------------------------------------------------------


def _csv_records(text: str, name: str, spec: Spec) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv_rows(text, name, dialect)
    header = next(reader, None)
    if not header:
        raise InputError(f"empty file: expected a header row ({', '.join(spec.names)})", file=name)
    columns = [h.strip().lower() for h in header]
    unknown = [c for c in columns if c and c not in spec.names]
    if unknown:
        raise InputError(
            f"unknown column(s) {', '.join(map(repr, unknown))}: the columns are "
            f"{', '.join(spec.names)}",
            file=name,
            row=1,
            field=unknown[0],
        )
    missing = [f.name for f in spec.fields if f.required and f.name not in columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}: add them to the header",
            file=name,
            row=1,
            field=missing[0],
        )
    for row_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns):
            raise InputError(
                f"{len(cells)} cells but {len(columns)} columns: quote cells that contain "
                "the delimiter",
                file=name,
                row=row_no,
            )
        yield row_no, {c: v for c, v in zip(columns, cells, strict=False) if c}


def _yaml_records(text: str, name: str, spec: Spec) -> Iterator[tuple[int, Any]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(
            f"not valid YAML ({getattr(err, 'problem', err)}): check indentation and quotes",
            file=name,
            line=mark.line + 1 if mark else None,
        ) from None
    if isinstance(data, dict):
        key = next((k for k in spec.yaml_keys if k in data), None)
        if key is None:
            raise InputError(
                f"expected a list of {spec.label} (or `{spec.yaml_keys[0]}:` followed by a list)",
                file=name,
            )
        data = data[key]
        node = next(v for k, v in node.value if k.value == key)  # type: ignore[union-attr]
    if not isinstance(data, list):
        raise InputError(f"expected a list of {spec.label}", file=name)
    for item, item_node in zip(data, node.value, strict=True):  # type: ignore[union-attr]
        yield item_node.start_mark.line + 1, item


class _Row:
    def __init__(self, name: str, number: int, is_yaml: bool, errors: list[InputError]) -> None:
        self.name, self.number, self.is_yaml, self.errors = name, number, is_yaml, errors

    def error(self, message: str, fld: str | None = None) -> None:
        where: dict[str, Any] = {"line": self.number} if self.is_yaml else {"row": self.number}
        self.errors.append(InputError(message, file=self.name, field=fld, **where))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _parse(value: Any, f: Field, row: _Row, roles: dict[str, int]) -> Any:
    """The checked value of one cell, or None (with an error recorded when it is bad)."""
    raw = _text(value)
    if not raw:
        if f.required:
            row.error(f"empty: {f.help or 'a value is required'}", f.name)
        return None
    kind = f.kind
    if kind in ("text", "key"):
        if len(raw) > (80 if kind == "key" else 120):
            row.error(f"{len(raw)} characters is too long: shorten it", f.name)
            return None
        return raw
    if kind == "int":
        try:
            number = int(raw)
        except ValueError:
            row.error(f"{raw!r} is not a whole number", f.name)
            return None
        if number < (1 if f.name == "headcount" else 0):
            row.error(f"{number} is out of range: use a positive whole number", f.name)
            return None
        return number
    if kind == "money":
        try:
            amount = float(raw.replace(",", "").replace("_", ""))
        except ValueError:
            row.error(f"{raw!r} is not a number: write it as 185000 or 185,000.50", f.name)
            return None
        if amount < 0 or amount != amount or amount == float("inf"):
            row.error(f"{raw!r} is negative or not finite: amounts are >= 0", f.name)
            return None
        if f.name == "per_usd" and amount == 0:
            row.error("an exchange rate cannot be 0", f.name)
            return None
        return amount
    if kind == "date":
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            row.error(f"{raw!r} is not a date: use YYYY-MM-DD", f.name)
            return None
    if kind == "quarter":
        m = QUARTER_RE.match(raw)
        if not m:
            row.error(f"{raw!r} is not a quarter: use YYYYQn, e.g. 2026Q2", f.name)
            return None
        return f"{m.group(1)}Q{m.group(2)}"
    if kind == "currency":
        code = raw.upper()
        if not CURRENCY_RE.match(code):
            row.error(f"{raw!r} is not an ISO 4217 currency code (e.g. USD, CNY, SGD)", f.name)
            return None
        return code
    if kind == "country":
        code = raw.upper()
        if code not in load_countries():
            row.error(f"{raw!r} is not a known ISO 3166-1 alpha-2 country code (e.g. CN)", f.name)
            return None
        return code
    if kind == "channel":
        if raw not in SOURCE_CHANNELS:
            row.error(f"unknown channel {raw!r}: use one of {', '.join(SOURCE_CHANNELS)}", f.name)
            return None
        return raw
    if kind == "status":
        if raw.lower() not in STATUSES:
            row.error(f"unknown status {raw!r}: use one of {', '.join(STATUSES)}", f.name)
            return None
        return raw.lower()
    if kind == "period":
        if raw.lower() not in PERIODS:
            row.error(f"unknown period {raw!r}: use year, month or hour", f.name)
            return None
        return raw.lower()
    if kind == "role":
        if raw not in roles:
            row.error(
                f"unknown role {raw!r}: import it first (talentmap roles import) or use a "
                "stored role key",
                f.name,
            )
            return None
        return roles[raw]
    raise AssertionError(kind)  # pragma: no cover


def _complete(kind: str, rec: dict[str, Any], row: _Row, source_name: str) -> None:
    """Cross-field checks and defaults of one kind (adds errors to ``row``)."""
    locations = load_locations()
    if kind == "plan":
        loc = rec.get("location")
        if loc is not None:
            known = locations.get(loc)
            if rec.get("country") is None:
                if known is None:
                    row.error(
                        f"unknown location {loc!r}: add its country (ISO code) or use one of "
                        f"{', '.join(locations)}",
                        "country",
                    )
                else:
                    rec["country"] = known.country
            elif known is not None and known.country != rec["country"]:
                row.error(f"{loc!r} is in {known.country}, not {rec['country']}", "country")
        if rec.get("target_start") is None and rec.get("quarter") is None:
            row.error("give target_start (YYYY-MM-DD) or quarter (YYYYQn)", "target_start")
        elif rec.get("target_start") is None:
            rec["target_start"] = quarter_end(rec["quarter"])
        elif rec.get("quarter") is None:
            rec["quarter"] = quarter_of(rec["target_start"])
        rec["status"] = rec.get("status") or "open"
        opened, target = rec.get("opened_at"), rec.get("target_start")
        if opened and target and opened > target:
            row.error("opened_at is after target_start", "opened_at")
    elif kind == "bands":
        lo, hi = rec.get("minimum"), rec.get("maximum")
        if lo is not None and hi is not None:
            if lo > hi:
                row.error(f"minimum {lo:g} is above maximum {hi:g}", "minimum")
            mid = rec.get("midpoint")
            if mid is None:
                rec["midpoint"] = (lo + hi) / 2
            elif not lo <= mid <= hi:
                row.error(f"midpoint {mid:g} is outside {lo:g}–{hi:g}", "midpoint")
        factor = PERIODS[rec.get("period") or "year"]
        for k in ("minimum", "midpoint", "maximum"):
            if rec.get(k) is not None:
                rec[k] = rec[k] * factor
        rec.pop("period", None)
        rec["level"] = rec.get("level") or ""
    elif kind == "survey":
        rec["survey"] = rec.get("survey") or source_name
        rec["period"] = rec.get("period") or "year"
        rec["level"] = rec.get("level") or ""
        p25, p50, p75 = rec.get("p25"), rec.get("p50"), rec.get("p75")
        if p50 is not None and ((p25 is not None and p25 > p50) or (p75 is not None and p75 < p50)):
            row.error("percentiles out of order: need p25 <= p50 <= p75", "p50")
    elif kind in ("mobility", "channels"):
        rec["currency"] = rec.get("currency") or "USD"


def _natural_key(kind: str, rec: dict[str, Any]) -> tuple[Any, ...]:
    fields: dict[str, tuple[str, ...]] = {
        "plan": ("key",),
        "bands": ("role", "level", "location"),
        "survey": ("survey", "role", "level", "location"),
        "fx": ("currency",),
        "mobility": ("country",),
        "channels": ("channel",),
    }
    return tuple(rec.get(f) for f in fields[kind])


def read_table(
    path: Path, kind: str, *, roles: dict[str, int], role_keys: dict[int, str] | None = None
) -> list[dict[str, Any]]:
    """Read and check a ``kind`` file (``.csv``/``.yaml``/``.yml``); returns checked records.

    ``roles`` maps stored role keys to ids (role fields come back as ids). Raises
    ``InputError`` for a file that cannot be read and ``ImportErrors`` listing every bad row.
    """
    spec = SPECS[kind]
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise InputError(
            f"unsupported file type {suffix or '(none)'!r}: use .csv, .yaml or .yml", file=name
        )
    try:
        text = decode_text(path.read_bytes(), name, fix="save it as UTF-8 CSV or YAML").text
    except OSError as err:
        raise InputError(
            f"cannot read the file ({err.strerror or err}): check the path", file=name
        ) from None
    if not text.strip():
        raise InputError(
            f"empty file: expected {spec.label} (see docs/planning-formats.md)", file=name
        )
    is_yaml = suffix != ".csv"
    records = _yaml_records(text, name, spec) if is_yaml else _csv_records(text, name, spec)
    errors: list[InputError] = []
    out: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    keys = role_keys or {v: k for k, v in roles.items()}
    for number, raw in records:
        row = _Row(name, number, is_yaml, errors)
        if not isinstance(raw, dict):
            row.error(f"expected a mapping of fields, got {type(raw).__name__}")
            continue
        raw = {str(k).strip().lower(): v for k, v in raw.items()}
        if is_yaml:
            unknown = sorted(set(raw) - set(spec.names))
            if unknown:
                row.error(
                    f"unknown field(s) {', '.join(unknown)}: the fields are {', '.join(spec.names)}",
                    unknown[0],
                )
        before = len(errors)
        rec = {f.name: _parse(raw.get(f.name), f, row, roles) for f in spec.fields}
        if len(errors) == before:
            _complete(kind, rec, row, path.stem)
        if len(errors) > before:
            continue
        if kind == "plan" and not rec.get("key"):
            rec["key"] = f"{keys[rec['role']]}-{rec['location']}-{rec['quarter']}"
        nk = _natural_key(kind, rec)
        if nk in seen:
            where = "line" if is_yaml else "row"
            row.error(
                f"the same {spec.label[:-1] if spec.label.endswith('s') else spec.label} as "
                f"{where} {seen[nk]}: keep one",
                spec.fields[0].name,
            )
            continue
        seen[nk] = number
        rec["_row"] = number
        out.append(rec)
    if errors:
        raise ImportErrors(errors)
    if not out:
        raise InputError(f"no {spec.label} in the file: see docs/planning-formats.md", file=name)
    return out


# --- storing -------------------------------------------------------------------------------


@dataclass
class ImportResult:
    file: str
    kind: str
    created: int = 0
    updated: int = 0
    linked: int = 0


def role_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Role.key, Role.id)).tuples().all())


_MODELS: dict[str, Any] = {
    "plan": Requisition,
    "bands": PayBand,
    "survey": PaySurveyRow,
    "fx": FxRate,
    "mobility": MobilityCost,
    "channels": ChannelCost,
}


def _lookup(session: Session, kind: str, rec: dict[str, Any]) -> Any:
    model = _MODELS[kind]
    conds: dict[str, Callable[[], Any]] = {
        "plan": lambda: select(Requisition).where(Requisition.key == rec["key"]),
        "bands": lambda: select(PayBand).where(
            PayBand.role_id == rec["role"],
            PayBand.level == rec["level"],
            PayBand.location == rec["location"],
        ),
        "survey": lambda: select(PaySurveyRow).where(
            PaySurveyRow.survey == rec["survey"],
            PaySurveyRow.role_id == rec["role"],
            PaySurveyRow.level == rec["level"],
            PaySurveyRow.location == rec["location"],
        ),
        "fx": lambda: select(FxRate).where(FxRate.currency == rec["currency"]),
        "mobility": lambda: select(MobilityCost).where(MobilityCost.country == rec["country"]),
        "channels": lambda: select(ChannelCost).where(ChannelCost.channel == rec["channel"]),
    }
    del model
    return session.scalar(conds[kind]())


def import_table(
    session: Session, path: Path, kind: str, *, actor: str, source: str = "import"
) -> ImportResult:
    """Check every row of ``path`` then upsert them all; the caller commits. One audit row."""
    records = read_table(path, kind, roles=role_ids(session))
    result = ImportResult(file=Path(path).name, kind=kind)
    model = _MODELS[kind]
    for rec in records:
        values = {k: v for k, v in rec.items() if not k.startswith("_")}
        if "role" in values:
            values["role_id"] = values.pop("role")
        if kind == "plan":
            values["source"] = source
        row = _lookup(session, kind, rec)
        if row is None:
            session.add(model(**values))
            result.created += 1
        else:
            for k, v in values.items():
                if k == "source":
                    continue
                setattr(row, k, v)
            result.updated += 1
    session.flush()
    if kind == "plan":
        result.linked = link_applications(session)
    record(
        session,
        actor,
        f"planning.import_{kind}",
        target_type="file",
        target=result.file[:64],
        detail={"created": result.created, "updated": result.updated, "linked": result.linked},
    )
    return result


def link_applications(session: Session) -> int:
    """Link applications that have no requisition to one of their role: the requisition of the
    same role whose target start is the earliest on or after the application date (open or on
    hold first), else the latest before it. Returns how many were linked. Imported
    applications carry no location, so among a role's requisitions with the same target date
    the one with the most seats wins."""
    reqs = session.execute(
        select(
            Requisition.id,
            Requisition.role_id,
            Requisition.target_start,
            Requisition.headcount,
            Requisition.status,
        ).order_by(Requisition.role_id, Requisition.target_start, Requisition.headcount.desc())
    ).all()
    by_role: dict[int, list[Any]] = {}
    for r in reqs:
        if r.status != "cancelled":
            by_role.setdefault(r.role_id, []).append(r)
    if not by_role:
        return 0
    apps = session.execute(
        select(Application.id, Application.role_id, Application.applied_at).where(
            Application.requisition_id.is_(None), Application.role_id.in_(list(by_role))
        )
    ).all()
    updates = []
    for a in apps:
        options = by_role[a.role_id]
        day = a.applied_at.date()
        after = [r for r in options if r.target_start >= day]
        pick = after[0] if after else options[-1]
        updates.append({"id": a.id, "requisition_id": pick.id})
    if updates:
        from sqlalchemy import update

        session.execute(update(Application), updates)
    return len(updates)
