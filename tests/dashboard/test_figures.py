"""Figures and the bundled map shapes."""

from __future__ import annotations

import pytest

from analytics.geo import iso_numeric, projected_shapes, topojson_to_geojson, world_geojson
from dashboard import figures


@pytest.mark.parametrize(
    "values",
    [[3, 1, 2], [0, 0, 0], [1, 1, 1], [27452, 6528, 6516]],
    ids=["rounds-above-one", "zeros", "equal", "demo-sized"],
)
def test_world_map_colours_every_country_with_data(values):
    # 0.2 + 0.8 * 3 / 3 == 1.0000000000000002: sampling the colour scale there raised IndexError
    # (a bug the 100k demo benchmark found)
    fig = figures.world_map(["CN", "IN", "US"], values, ["China", "India", "USA"], "t", "c")
    filled = [tr for tr in fig.data if getattr(tr, "hoveron", None) == "fills"]
    assert len(filled) == 3
    assert all(tr.fillcolor.startswith("rgb") for tr in filled)


def test_world_map_ignores_unknown_codes():
    fig = figures.world_map(["CN", "??", ""], [5, 3, 1], ["a", "b", "c"], "t", "c")
    assert len([tr for tr in fig.data if getattr(tr, "hoveron", None) == "fills"]) == 1


def test_bundled_shapes_cover_the_countries_we_key_by():
    ids = {f["id"] for f in world_geojson()["features"]}
    for code in ("CN", "US", "IN", "DE", "BR", "AU", "JP", "KR", "SG"):
        num = iso_numeric(code)
        assert num is not None
        if code != "SG":  # Singapore is below the 1:110m resolution
            assert num in ids, code
    assert len(projected_shapes()) > 150
    xs = [x for s in projected_shapes() for x in s.xs if x is not None]
    assert min(xs) > -3.0 and max(xs) < 3.0  # Equal Earth plane, antimeridian unwrapped


def test_topojson_conversion_decodes_quantised_delta_arcs():
    topo = {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [[[0, 0], [2, 0], [0, 2], [-2, 0], [0, -2]]],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {
                        "type": "Polygon",
                        "id": "001",
                        "arcs": [[0]],
                        "properties": {"name": "Square"},
                    },
                    {"type": "Polygon", "id": "002", "arcs": [[-1]]},
                ],
            }
        },
    }
    gj = topojson_to_geojson(topo)
    first, second = gj["features"]
    assert first["id"] == "001" and first["properties"] == {"name": "Square"}
    assert first["geometry"]["coordinates"] == [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]
    assert second["geometry"]["coordinates"][0] == first["geometry"]["coordinates"][0][::-1]
    with pytest.raises(ValueError, match="expected a TopoJSON Topology"):
        topojson_to_geojson({"type": "FeatureCollection"})


def _months(n: int, partial: set[int]):
    import pandas as pd

    return pd.DataFrame(
        {
            "month": [f"2025-{m:02d}" for m in range(1, n + 1)],
            "applications": [10 * (m + 1) for m in range(n)],
            "partial": [m in partial for m in range(n)],
        }
    )


def test_trend_dotted_pieces_join_each_partial_month_to_its_neighbour_only():
    # a window that starts and ends mid-month: the screenshot showed one dotted line from the
    # first month straight across the chart to the last
    df = _months(6, {0, 5})
    fig = figures.trend(df, "applications", "Monthly trend", "Applications")
    dotted = [tr for tr in fig.data if tr.line.dash == "dot"]
    assert len(dotted) == 1
    xs = list(dotted[0].x)
    # pieces separated by a gap: (Jan, Feb) and (May, Jun), nothing from Jan to Jun
    assert xs == ["2025-01", "2025-02", None, "2025-05", "2025-06", None]
    # no "trace 0" / "trace 1" legend: every trace that would show is named
    assert all(tr.showlegend is False or tr.name for tr in fig.data)


def test_partial_segments_by_hand():
    import pandas as pd

    df = _months(4, {3})
    assert figures.partial_segments(df.index, df["partial"]) == [(2, 3)]
    df = _months(4, {0})
    assert figures.partial_segments(df.index, df["partial"]) == [(0, 1)]
    df = _months(3, set())
    assert figures.partial_segments(df.index, pd.Series(False, index=df.index)) == []


def test_fan_chart_writes_dates_in_the_language_given():
    # the Chinese Plan page showed "Oct 4 2026": plotly's own month names are English only
    import pandas as pd

    from dashboard.i18n import tr

    df = pd.DataFrame(
        {
            "target_start": pd.to_datetime(["2026-10-04", "2026-12-27"]),
            "plan": [1, 2],
            "expected": [0.5, 1.0],
            "low": [0, 1],
            "high": [1, 2],
        }
    )
    labels = {"band": "b", "expected": "e", "plan": "p", "y": "y"}
    zh = figures.fan_chart(df, labels, "t", date_format=tr("zh", "chart.day_format"))
    assert zh.layout.xaxis.tickformat == "%Y年%-m月%-d日"
    assert zh.layout.xaxis.hoverformat == zh.layout.xaxis.tickformat
    # d3's %b is the only English piece a format could hold: none in the Chinese one
    assert "%b" not in zh.layout.xaxis.tickformat and "%B" not in zh.layout.xaxis.tickformat
