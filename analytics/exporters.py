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

Injection safety, invisibly: a text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or
carriage return is written to XLSX as a string cell with Excel's own "quote prefix" style flag
(the cell shows ``+1 555 1000``, never runs as a formula, and shows no apostrophe), and to CSV
behind a WORD JOINER (U+2060, zero width: nothing shows, and the cell no longer starts with a
formula character). p-values print in scientific notation (``9.0 × 10⁻¹¹⁸``), never ``0.000``.
Files are written to a temporary name and moved into place: never half-written.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import plotly.graph_objects as go

from analytics import charts
from analytics.fairness import group_name
from analytics.reports import Column, HiringReport, Share, Table
from data.errors import InputError, TalentMapError

Format = Literal["xlsx", "csv", "html", "pdf"]
FORMATS: tuple[str, ...] = ("xlsx", "csv", "html", "pdf")
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")

NUMBER_FORMATS = {"int": "#,##0", "float": "0.0", "pct": "0.0%", "score": "0.000"}


INVISIBLE_GUARD = "\u2060"  # WORD JOINER: zero width, not whitespace (no reader trims it)


def is_dangerous(value: Any) -> bool:
    """Whether a spreadsheet would read ``value`` as a formula (= + - @ TAB CR first)."""
    return isinstance(value, str) and value.startswith(_DANGEROUS_START)


def safe_cell(value: Any) -> Any:
    """A CSV cell value a spreadsheet will not run: text starting with = + - @ TAB CR gets an
    invisible word joiner in front (see the module docstring; XLSX uses the quote-prefix flag)."""
    if is_dangerous(value):
        return INVISIBLE_GUARD + value
    return value


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_p(p: float | None) -> str:
    """A p-value a reader can tell from zero: ``0.032``, ``4.1 × 10⁻⁵``, ``9.0 × 10⁻¹¹⁸``."""
    if p is None:
        return ""
    if p == 0:
        return "< 1.0 × 10⁻³⁰⁰"
    if p >= 0.001:
        return f"{p:.3f}"
    mantissa, exp = f"{p:.1e}".split("e")
    return f"{mantissa} × 10{str(int(exp)).translate(_SUPERSCRIPT)}"


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
            [report.channel_label(k) for k, _ in report.channels],
            [n for _, n in report.channels],
            title=t("channels_chart"),
        )
    if report.countries:
        figs["top_countries"] = charts.bar_figure(
            [report.country_label(k) for k, _ in report.countries[:10]],
            [n for _, n in report.countries[:10]],
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
                    f"{t('dim_' + r.dimension)}: {group_name(r.dimension, r.group, report.lang)}"
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
            cell = _xlsx_cell(ws, 1, j, col.label)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        for i, row in enumerate(table.rows, start=2):
            for j, (col, value) in enumerate(zip(table.columns, row), start=1):
                if col.kind == "pvalue" and isinstance(value, float):
                    cell = ws.cell(row=i, column=j, value=value)
                    cell.number_format = "0.000" if value >= 0.001 else "0.0E+00"
                    widths[j - 1] = max(widths[j - 1], 9)
                    continue
                cell = _xlsx_cell(ws, i, j, value)
                fmt = _number_format(col, value)
                if fmt:
                    cell.number_format = fmt
                widths[j - 1] = max(widths[j - 1], _display_width(_text(value, col)))
        if table.note:
            _xlsx_cell(ws, len(table.rows) + 3, 1, table.note).font = Font(italic=True)
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = min(60, w + 2)
        ws.freeze_panes = "A2"
    with _atomic(Path(path)) as tmp:
        wb.save(tmp)
    return Path(path)


def _xlsx_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write one cell; text is always a string cell (never a formula), and text a
    spreadsheet would read as a formula carries the invisible quote-prefix flag."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if is_dangerous(value):
            cell.quotePrefix = True
    return cell


def _number_format(col: Column, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, Share):
        return NUMBER_FORMATS["pct"]
    if col.kind == "auto":
        return NUMBER_FORMATS["int"] if isinstance(value, int) else "0.0##"
    return NUMBER_FORMATS.get(col.kind)


def _text(value: Any, col: Column) -> str:
    """A value as it reads in CSV, HTML and PDF."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if col.kind == "pvalue" and isinstance(value, (int, float)):
        return format_p(float(value))
    if isinstance(value, Share):
        return f"{value:.1%}"
    if isinstance(value, float):
        if col.kind == "pct":
            return f"{value:.1%}"
        if col.kind == "score":
            return f"{value:.3f}" if value >= 0.001 or value == 0 else f"{value:.2e}"
        if col.kind in ("float", "auto"):
            return f"{value:.1f}" if col.kind == "float" else f"{value:g}"
    if isinstance(value, int) and col.kind in ("int", "auto"):
        return f"{value:,}"
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
                writer.writerow(
                    [
                        "" if v is None else (f"{v:.3g}" if c.kind == "pvalue" else safe_cell(v))
                        for c, v in zip(table.columns, row, strict=False)
                    ]
                )
            name = (  # a Chinese report names its files in Chinese
                table.key if report.lang == "en" else re.sub(r'[\\/:*?"<>|\s]+', "_", table.title)
            )
            zf.writestr(f"{k:02d}_{name}.csv", "\ufeff" + buf.getvalue())
    return Path(path)


# --- HTML and PDF --------------------------------------------------------------------------

_CSS = """
body { font-family: "Noto Sans CJK SC", "Noto Sans", Arial, sans-serif; color: #212529;
       margin: 0; font-size: 10.5px; line-height: 1.35; }
:lang(zh) { line-break: strict; word-break: normal; }
h1 { font-size: 20px; margin: 0 0 4px 0; }
h2 { font-size: 14px; margin: 14px 0 4px 0; border-bottom: 2px solid #3b5bdb;
     padding-bottom: 2px; break-after: avoid; }
h2.part { font-size: 17px; border: none; margin-top: 0; }
section.first { break-before: page; }
section.appendix th, section.appendix td { font-size: 8.5px; padding: 1px 4px;
                                           line-height: 1.2; }
tr.group td { font-weight: 600; background: #edf2ff; border-bottom: 1px solid #bac8ff; }
tr.group { break-after: avoid; }
table { border-collapse: collapse; margin: 4px 0 6px 0; width: 100%; table-layout: fixed; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th { background: #3b5bdb; color: #fff; text-align: left; padding: 3px 5px;
     font-weight: 600; vertical-align: bottom; }
td { border-bottom: 1px solid #dee2e6; padding: 2px 5px; vertical-align: top;
     overflow-wrap: anywhere; }
th, td { font-size: 9.5px; }
td.num, th.num { text-align: right; }
td.num, td.nw { white-space: nowrap; }
p.note { color: #6c757d; font-style: italic; margin: 2px 0; }
p.meta { color: #495057; margin: 0 0 6px 0; }
img.chart { width: 150mm; max-width: 100%; margin: 2px 0; break-inside: avoid; }
section { break-inside: auto; }
section.keep { break-inside: avoid; }
section.wide { page: wide; }
dl.defs { font-size: 9px; color: #495057; margin: 4px 0; }
dl.defs dt { font-weight: 600; float: left; clear: left; width: 38mm; }
dl.defs dd { margin: 0 0 3px 40mm; }
.fail { color: #c92a2a; font-weight: bold; } .pass { color: #2b8a3e; font-weight: bold; }
@page { size: A4; margin: 14mm 12mm 16mm 12mm;
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 8px;
                        color: #868e96; } }
@page wide { size: A4 landscape; margin: 10mm 10mm 14mm 10mm; }
"""

_ZH_SPACE = "\u200b"


def _zh_breaks(text: str) -> str:
    """Chinese text with zero-width spaces between words (jieba), so lines break between
    words, not inside them; other text as it is."""
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return text
    try:
        import jieba
    except ImportError:  # pragma: no cover - jieba is a dependency; plain text still prints
        return text
    jieba.setLogLevel(60)
    return _ZH_SPACE.join(jieba.cut(text))


def to_html_string(report: HiringReport, *, charts: bool = True) -> str:
    """The report as one self-contained HTML document (every value escaped), each chart as an
    inline PNG in its section: the summary, then the appendix the user chose."""
    esc = html.escape
    t = report.t
    figs = report_figures(report) if charts else {}
    pngs = dict(zip(figs, render_pngs(list(figs.values())), strict=True))
    lang = "zh-CN" if report.lang == "zh" else "en"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">",
        f"<title>{esc(t('title'))}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(t('title'))}</h1>",
        f'<p class="meta">{esc(report.scope_text())} · {esc(t("generated"))}: '
        f"{esc(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}</p>",
    ]
    in_appendix = False
    for table in report.tables():
        heading = ""
        if table.part == "appendix" and not in_appendix:
            heading = f'<h2 class="part">{esc(t("appendix"))}</h2>'
            in_appendix = True
        if table.key == "definitions":
            parts.append(_html_definitions(table, report))
            continue
        parts.append(_html_table(table, report, pngs.get(table.key), heading=heading))
    parts.append("</body></html>")
    return "\n".join(parts)


def _html_definitions(table: Table, report: HiringReport) -> str:
    esc = html.escape
    items = "".join(
        f"<dt>{esc(_zh_breaks(str(n)))}</dt><dd>{esc(_zh_breaks(str(d)))}</dd>"
        for n, d in table.rows
    )
    return (
        f'<section id="definitions" class="keep"><h2>{esc(table.title)}</h2>'
        f'<dl class="defs">{items}</dl></section>'
    )


def _html_table(
    table: Table, report: HiringReport, png: bytes | None = None, *, heading: str = ""
) -> str:
    """One section; ``heading`` (the appendix title) opens it, so it starts the same page."""
    esc = html.escape
    classes = ["wide"] if table.wide else []
    if len(table.rows) <= 16:
        classes.append("keep")
    if table.part == "appendix":
        classes.append("appendix")
        if heading:
            classes.append("first")
    cls_attr = f' class="{" ".join(classes)}"' if classes else ""
    out = [f'<section id="{esc(table.key)}"{cls_attr}>{heading}<h2>{esc(table.title)}</h2>']
    if table.note:
        out.append(f'<p class="note">{esc(_zh_breaks(table.note))}</p>')
    if png:
        out.append(
            '<img class="chart" alt="" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode("ascii")}">'
        )
    if table.rows:
        group_i = next((i for i, c in enumerate(table.columns) if c.key == table.group_col), None)
        shown = [(i, c) for i, c in enumerate(table.columns) if i != group_i]
        total = sum(c.width for _, c in shown) or 1.0
        out.append("<table><colgroup>")
        out.extend(f'<col style="width:{100 * c.width / total:.1f}%">' for _, c in shown)
        out.append("</colgroup><thead><tr>")
        numeric_cols = {
            c.key for c in table.columns if c.kind in ("int", "float", "pct", "score", "pvalue")
        }
        num_th = ' class="num"'
        out.extend(
            f"<th{num_th if c.key in numeric_cols else ''}>{esc(_zh_breaks(c.label))}</th>"
            for _, c in shown
        )
        out.append("</tr></thead><tbody>")
        group: object = object()
        for row in table.rows:
            if group_i is not None and row[group_i] != group:
                group = row[group_i]
                out.append(
                    f'<tr class="group"><td colspan="{len(shown)}">'
                    f"{esc(_zh_breaks(str(group)))}</td></tr>"
                )
            out.append("<tr>")
            for i, col in shown:
                value = row[i] if i < len(row) else None
                numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
                cls = ' class="num"' if numeric else (' class="nw"' if col.nowrap else "")
                text = _text(value, col)
                if (
                    table.key == "audit"
                    and col.key == "value"
                    and value in (report.t("yes"), report.t("no"))
                    and row[0] == report.t("passed")
                ):
                    cls = ' class="pass"' if value == report.t("yes") else ' class="fail"'
                out.append(f"<td{cls}>{esc(text if numeric else _zh_breaks(text))}</td>")
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
