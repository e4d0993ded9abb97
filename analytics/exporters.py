"""Write a ``HiringReport`` as XLSX, CSV, HTML or PDF.

Every writer lays out the same ``HiringReport.tables()``, so the formats agree cell for cell.

- **XLSX** (openpyxl): one sheet per section, styled header row frozen, column widths fitted,
  number formats per column kind (counts, days, percentages, scores).
- **CSV**: a ZIP holding one UTF-8 (with BOM, so Excel reads Chinese) CSV per section, named
  ``NN_<section>.csv`` in report order — the sections have different columns, and a ZIP of
  tidy tables is what spreadsheet and BI tools import. Rates are fractions (0.25 = 25 %).
- **HTML**: one self-contained file: inline CSS, charts as inline PNG (``data:`` URIs), no
  script, no CDN, a Content-Security-Policy that forbids scripts; every value HTML-escaped.
- **PDF**: the HTML rendered by WeasyPrint with the Noto CJK font (``lang="zh-CN"`` for
  simplified glyphs), charts as images; fonts are embedded, so Chinese text reads back.

Injection safety: any text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage
return is prefixed with ``'`` in XLSX and CSV, so no spreadsheet runs it as a formula.
Files are written to a temporary name and moved into place: never half-written.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import os
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import plotly.graph_objects as go

from analytics import charts
from analytics.fairness import dimension_name, group_name
from analytics.reports import Column, HiringReport, Table
from data.errors import InputError, TalentMapError
from data.reference import labels

Format = Literal["xlsx", "csv", "html", "pdf"]
FORMATS: tuple[str, ...] = ("xlsx", "csv", "html", "pdf")
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")

NUMBER_FORMATS = {"int": "#,##0", "float": "0.0", "pct": "0.0%", "score": "0.000"}


def safe_cell(value: Any) -> Any:
    """A cell value a spreadsheet will not run: text starting with = + - @ TAB CR gets a ``'``."""
    if isinstance(value, str) and value.startswith(_DANGEROUS_START):
        return "'" + value
    return value


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only on success."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path} is a folder: give a file name for the report", field="out")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# --- charts --------------------------------------------------------------------------------


def report_figures(report: HiringReport) -> dict[str, go.Figure]:
    """The report's charts by section key: funnel, channels, countries, audit impact ratios."""
    t = report.t
    figs: dict[str, go.Figure] = {}
    if report.funnel:
        figs["funnel"] = charts.funnel_figure(
            [report.stage_label(s) for s, _ in report.funnel],
            [n for _, n in report.funnel],
            title=t("funnel_chart"),
        )
    if report.channels:
        figs["channels"] = charts.bar_figure(
            [labels.channel_name(k, report.lang) for k, _ in report.channels],
            [n for _, n in report.channels],
            title=t("channels_chart"),
        )
    if report.countries:
        figs["countries"] = charts.bar_figure(
            [labels.country_name(k, report.lang) for k, _ in report.countries[:15]],
            [n for _, n in report.countries[:15]],
            title=t("countries_chart"),
            color=charts.PALETTE[2],
        )
    if report.audit is not None:
        rows = [
            r
            for r in report.audit.rows
            if r.impact_ratio is not None and r.dimension != "intersectional"
        ]
        if rows:
            figs["audit_groups"] = charts.impact_ratio_figure(
                [
                    f"{dimension_name(r.dimension, report.lang)}: "
                    f"{group_name(r.dimension, r.group, report.lang)}"
                    for r in rows
                ],
                [r.impact_ratio or 0.0 for r in rows],
                title=t("audit_chart"),
                threshold_label=t("threshold"),
            )
    return figs


def render_pngs(figs: list[go.Figure], *, scale: float = 2.0) -> list[bytes]:
    """PNG bytes of each figure, rendered in one kaleido (headless Chromium) session."""
    if not figs:
        return []
    import plotly.io as pio

    with tempfile.TemporaryDirectory(prefix="tm-charts-") as tmp:
        paths = [Path(tmp) / f"chart{i}.png" for i in range(len(figs))]
        try:
            pio.write_images(
                figs,
                paths,
                format="png",
                scale=scale,
                width=[f.layout.width or 760 for f in figs],
                height=[f.layout.height or 360 for f in figs],
            )
        except Exception as err:  # kaleido raises plain exceptions when Chromium is missing
            raise TalentMapError(
                f"could not draw the report's charts ({type(err).__name__}: {err}); install "
                "Chromium (`make sysdeps`) or export without charts"
            ) from err
        return [p.read_bytes() for p in paths]


# --- XLSX ----------------------------------------------------------------------------------


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'")[:31] or "Sheet"
    base, k = name, 2
    while name in used:
        name = f"{base[:28]} {k}"
        k += 1
    used.add(name)
    return name


def to_xlsx(report: HiringReport, path: str | Path) -> Path:
    """One formatted sheet per section (header styled and frozen, widths fitted)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="3B5BDB")
    for table in report.tables():
        ws = wb.create_sheet(_sheet_name(table.title, used))
        widths = [_display_width(c.label) for c in table.columns]
        for j, col in enumerate(table.columns, start=1):
            cell = ws.cell(row=1, column=j, value=safe_cell(col.label))
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        for i, row in enumerate(table.rows, start=2):
            for j, (col, value) in enumerate(zip(table.columns, row), start=1):
                cell = ws.cell(row=i, column=j, value=safe_cell(value))
                if isinstance(value, str):
                    cell.data_type = "s"
                fmt = _number_format(col, value)
                if fmt:
                    cell.number_format = fmt
                widths[j - 1] = max(widths[j - 1], _display_width(_text(value, col)))
        if table.note:
            ws.cell(row=len(table.rows) + 3, column=1, value=safe_cell(table.note)).font = Font(
                italic=True
            )
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = min(60, w + 2)
        ws.freeze_panes = "A2"
    with _atomic(Path(path)) as tmp:
        wb.save(tmp)
    return Path(path)


def _number_format(col: Column, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if col.kind == "auto":
        return NUMBER_FORMATS["int"] if isinstance(value, int) else "0.00##"
    return NUMBER_FORMATS.get(col.kind)


def _text(value: Any, col: Column) -> str:
    """A value as it reads in CSV, HTML and PDF."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if col.kind == "pct":
            return f"{value:.1%}"
        if col.kind == "score":
            return f"{value:.3f}" if value >= 0.001 or value == 0 else f"{value:.2e}"
        if col.kind in ("float", "auto"):
            return f"{value:.1f}" if col.kind == "float" else f"{value:g}"
    if isinstance(value, int) and col.kind in ("int", "auto"):
        return f"{value:,}" if col.kind == "int" else str(value)
    return str(value)


# --- CSV -----------------------------------------------------------------------------------


def to_csv(report: HiringReport, path: str | Path) -> Path:
    """A ZIP of one CSV per section (``01_summary.csv`` …), UTF-8 with BOM, rates as fractions."""
    with _atomic(Path(path)) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, table in enumerate(report.tables(), start=1):
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\r\n")
            writer.writerow([safe_cell(c.label) for c in table.columns])
            for row in table.rows:
                writer.writerow(["" if v is None else safe_cell(v) for v in row])
            zf.writestr(f"{k:02d}_{table.key}.csv", "\ufeff" + buf.getvalue())
    return Path(path)


# --- HTML and PDF --------------------------------------------------------------------------

_CSS = """
body { font-family: "Noto Sans CJK SC", "Noto Sans", Arial, sans-serif; color: #212529;
       margin: 24px; font-size: 12px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 16px; margin-top: 22px;
     border-bottom: 2px solid #3b5bdb; padding-bottom: 2px; }
table { border-collapse: collapse; margin: 8px 0; width: 100%; }
th { background: #3b5bdb; color: #fff; text-align: left; padding: 4px 6px; }
td { border-bottom: 1px solid #dee2e6; padding: 3px 6px; vertical-align: top;
     overflow-wrap: break-word; }
th, td { font-size: 10.5px; }
td.num { text-align: right; white-space: nowrap; }
p.note { color: #868e96; font-style: italic; }
p.meta { color: #495057; }
img.chart { width: 170mm; max-width: 100%; margin: 8px 0; page-break-inside: avoid; }
.fail { color: #c92a2a; font-weight: bold; } .pass { color: #2b8a3e; font-weight: bold; }
@page { size: A4 landscape; margin: 12mm; }
"""


def to_html_string(report: HiringReport, *, charts: bool = True) -> str:
    """The report as one self-contained HTML document (every value escaped), each chart as an
    inline PNG in its section."""
    esc = html.escape
    t = report.t
    figs = report_figures(report) if charts else {}
    pngs = dict(zip(figs, render_pngs(list(figs.values()))))
    lang = "zh-CN" if report.lang == "zh" else "en"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">",
        f"<title>{esc(t('title'))}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(t('title'))}</h1>",
        f'<p class="meta">{esc(t("period"))}: {esc(report.start.isoformat())} – '
        f"{esc(report.end.isoformat())} · {esc(t('generated'))}: "
        f"{esc(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}</p>",
    ]
    for table in report.tables():
        parts.append(_html_table(table, report, pngs.get(table.key)))
    parts.append("</body></html>")
    return "\n".join(parts)


def _html_table(table: Table, report: HiringReport, png: bytes | None = None) -> str:
    esc = html.escape
    out = [f'<section id="{esc(table.key)}"><h2>{esc(table.title)}</h2>']
    if table.note:
        out.append(f'<p class="note">{esc(table.note)}</p>')
    if png:
        out.append(
            '<img class="chart" alt="" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode("ascii")}">'
        )
    if table.rows:
        out.append("<table><thead><tr>")
        out.extend(f"<th>{esc(c.label)}</th>" for c in table.columns)
        out.append("</tr></thead><tbody>")
        for row in table.rows:
            out.append("<tr>")
            for col, value in zip(table.columns, row):
                numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
                cls = ' class="num"' if numeric else ""
                text = _text(value, col)
                if (
                    table.key == "audit"
                    and col.key == "value"
                    and value in (report.t("yes"), report.t("no"))
                    and row[0] == report.t("passed")
                ):
                    cls = ' class="pass"' if value == report.t("yes") else ' class="fail"'
                out.append(f"<td{cls}>{esc(text)}</td>")
            out.append("</tr>")
        out.append("</tbody></table>")
    out.append("</section>")
    return "".join(out)


def to_html(report: HiringReport, path: str | Path, *, charts: bool = True) -> Path:
    """A self-contained HTML file (inline CSS and PNG charts, no script, no CDN)."""
    doc = to_html_string(report, charts=charts)
    with _atomic(Path(path)) as tmp:
        tmp.write_text(doc, encoding="utf-8")
    return Path(path)


def to_pdf(report: HiringReport, path: str | Path, *, charts: bool = True) -> Path:
    """A PDF rendered from the HTML by WeasyPrint, Noto CJK embedded, charts as images."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as err:
        raise TalentMapError(
            f"PDF export needs WeasyPrint and Pango ({err}): install them with "
            "`make install sysdeps`"
        ) from err
    doc = to_html_string(report, charts=charts)
    with _atomic(Path(path)) as tmp:
        HTML(string=doc).write_pdf(tmp)
    return Path(path)


WRITERS: dict[str, Callable[..., Path]] = {
    "xlsx": to_xlsx,
    "csv": to_csv,
    "html": to_html,
    "pdf": to_pdf,
}


def export(report: HiringReport, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``report`` in ``fmt`` (default: from the file's suffix); returns the path written.

    The CSV format is a ZIP of one CSV per section, so ``report.csv`` becomes ``report.zip``.
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt == "zip":
        fmt = "csv"
    if fmt not in WRITERS:
        raise InputError(
            f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}", field="format"
        )
    if fmt == "csv" and path.suffix.lower() != ".zip":
        path = path.with_suffix(".zip")
    return WRITERS[fmt](report, path)
