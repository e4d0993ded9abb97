"""Country shapes for world maps that draw with no internet.

Plotly's built-in maps fetch their topojson from a CDN when drawn, which fails offline. We ship
Natural Earth's 1:110m country boundaries (public domain) as GeoJSON, converted once from the
``world-atlas`` npm package (v2.0.2, ISC licence, Mike Bostock) with :func:`topojson_to_geojson`,
and draw them with ``go.Choropleth(geojson=..., featureidkey="id")`` keyed by ISO 3166-1
numeric codes.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

GEOJSON_PATH = Path(__file__).parent / "data" / "countries-110m.geojson"


def _decode_arcs(topo: dict[str, Any]) -> list[list[list[float]]]:
    transform = topo.get("transform")
    arcs: list[list[list[float]]] = []
    for arc in topo["arcs"]:
        points: list[list[float]] = []
        x = y = 0
        for pos in arc:
            if transform:
                x += pos[0]
                y += pos[1]
                sx, sy = transform["scale"]
                tx, ty = transform["translate"]
                points.append([round(x * sx + tx, 3), round(y * sy + ty, 3)])
            else:
                points.append([float(pos[0]), float(pos[1])])
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list[list[list[float]]]) -> list[list[float]]:
    ring: list[list[float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(arc if not ring else arc[1:])
    return ring


def topojson_to_geojson(topo: dict[str, Any], object_name: str = "countries") -> dict[str, Any]:
    """Convert one TopoJSON object collection to a GeoJSON FeatureCollection.

    Handles quantised, delta-encoded arcs and Polygon/MultiPolygon geometries (all that country
    boundaries use); feature ids are kept as given (world-atlas uses ISO numeric strings).
    """
    if topo.get("type") != "Topology" or object_name not in topo.get("objects", {}):
        raise ValueError(f"expected a TopoJSON Topology with object {object_name!r}")
    arcs = _decode_arcs(topo)
    features = []
    for geom in topo["objects"][object_name]["geometries"]:
        kind = geom.get("type")
        if kind == "Polygon":
            coords: Any = [_ring(r, arcs) for r in geom["arcs"]]
        elif kind == "MultiPolygon":
            coords = [[_ring(r, arcs) for r in poly] for poly in geom["arcs"]]
        else:
            continue
        features.append(
            {
                "type": "Feature",
                "id": str(geom.get("id", "")),
                "properties": dict(geom.get("properties") or {}),
                "geometry": {"type": kind, "coordinates": coords},
            }
        )
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=1)
def world_geojson() -> dict[str, Any]:
    """The bundled country shapes (GeoJSON, ids = ISO 3166-1 numeric, zero-padded to 3)."""
    return json.loads(GEOJSON_PATH.read_text(encoding="utf-8"))


def _numeric_codes() -> dict[str, str]:
    from data.reference import load_countries

    return {c.iso2: c.numeric for c in load_countries().values()}


def iso_numeric(alpha2: str) -> str | None:
    """ISO 3166-1 numeric code (zero-padded) of an alpha-2 code, or None when unknown."""
    return _numeric_codes().get(alpha2.upper())


_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Project degrees to the Equal Earth plane (Šavrič, Patterson & Jenny 2018)."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(math.sqrt(3) / 2 * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = (
        2
        * math.sqrt(3)
        * lam
        * math.cos(theta)
        / (3 * (9 * _A4 * t6 * t2 + 7 * _A3 * t6 + 3 * _A2 * t2 + _A1))
    )
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return round(x, 4), round(y, 4)


def _unwrap(ring: list[list[float]]) -> list[list[float]]:
    """Rings crossing the antimeridian jump from +180 to -180; move them east and clamp."""
    if not any(abs(a[0] - b[0]) > 180 for a, b in zip(ring, ring[1:], strict=False)):
        return ring
    return [[min(lon + 360 if lon < 0 else lon, 180.0), lat] for lon, lat in ring]


@dataclass(frozen=True)
class Shape:
    """One country's outline on the Equal Earth plane; rings separated by ``None``."""

    numeric: str
    name: str
    xs: tuple[float | None, ...]
    ys: tuple[float | None, ...]


@lru_cache(maxsize=1)
def projected_shapes() -> tuple[Shape, ...]:
    """Every bundled country (Antarctica left out) projected for a plain x/y plot.

    Drawing filled x/y polygons needs no map tiles or topojson from a CDN, so the map renders
    offline in the browser and in static exports alike.
    """
    shapes = []
    for feat in world_geojson()["features"]:
        if feat["id"] == "010":
            continue
        geom = feat["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        xs: list[float | None] = []
        ys: list[float | None] = []
        for poly in polys:
            for ring in poly[:1]:  # outer rings only: holes are lakes and enclaves
                for lon, lat in _unwrap(ring):
                    x, y = equal_earth(lon, lat)
                    xs.append(x)
                    ys.append(y)
                xs.append(None)
                ys.append(None)
        shapes.append(Shape(feat["id"], feat["properties"].get("name", ""), tuple(xs), tuple(ys)))
    return tuple(shapes)


def main() -> None:  # pragma: no cover - one-off conversion, kept for provenance
    """Regenerate the bundled GeoJSON: ``python -m analytics.geo path/to/countries-110m.json``."""
    import sys

    topo = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    GEOJSON_PATH.write_text(
        json.dumps(topojson_to_geojson(topo), separators=(",", ":")), encoding="utf-8"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
