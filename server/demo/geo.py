"""Hanoi's 126 wards and communes of 1 July 2025 (shared_schema/geo/hanoi-2025/, see its
SOURCE.md), and which one contains a point: ray casting over the GeoJSON rings, after a
bounding-box test, so a few hundred demo markets are placed in milliseconds."""

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

GEO_DIR = Path(__file__).resolve().parents[2] / "shared_schema" / "geo" / "hanoi-2025"


@dataclass
class Ward:
    code: str  # official 5-digit code, as text
    name: str
    level: str  # ward (phường) | commune (xã)
    inside: tuple[float, float]  # (lat, lon) of a point inside
    polygons: list  # [[ring of (lon, lat)], …] per polygon: outer ring first, then holes
    box: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def load_wards() -> list[Ward]:
    with (GEO_DIR / "wards.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["code"]: row for row in csv.DictReader(handle)}
    shapes = json.loads((GEO_DIR / "wards.geojson").read_text(encoding="utf-8"))
    wards = []
    for feature in shapes["features"]:
        row = rows[feature["properties"]["code"]]
        geometry = feature["geometry"]
        polygons = (geometry["coordinates"] if geometry["type"] == "MultiPolygon"
                    else [geometry["coordinates"]])
        points = [p for polygon in polygons for p in polygon[0]]
        box = (min(p[0] for p in points), min(p[1] for p in points),
               max(p[0] for p in points), max(p[1] for p in points))
        wards.append(Ward(row["code"], row["name"], row["level"],
                          (float(row["inside_lat"]), float(row["inside_lon"])), polygons, box))
    return sorted(wards, key=lambda w: w.code)


def _in_ring(lon: float, lat: float, ring: list) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains(ward: Ward, lat: float, lon: float) -> bool:
    west, south, east, north = ward.box
    if not (west <= lon <= east and south <= lat <= north):
        return False
    return any(_in_ring(lon, lat, polygon[0])
               and not any(_in_ring(lon, lat, hole) for hole in polygon[1:])
               for polygon in ward.polygons)


def ward_at(wards: list[Ward], lat: float, lon: float) -> Ward:
    """The unit whose boundary contains the point; outside them all (the simplified outlines
    leave slivers), the unit whose inside point is nearest."""
    for ward in wards:
        if contains(ward, lat, lon):
            return ward
    scale = math.cos(math.radians(lat))
    return min(wards, key=lambda w: (w.inside[0] - lat) ** 2
               + ((w.inside[1] - lon) * scale) ** 2)
