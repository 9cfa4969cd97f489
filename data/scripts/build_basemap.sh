#!/usr/bin/env bash
# Build the convoy-sim basemap:
#   data/basemap/countries.geojson  Natural Earth 1:50m admin-0 countries (via npm world-atlas@2.0.2)
#   data/basemap/rivers.geojson     Euphrates (+ lower Khabur) from GSHHG 2.3.7 / WDBII rivers (via GMT)
#
# Needs: npm (registry access), gdal-bin (ogr2ogr with the SQLite/SpatiaLite SQL dialect),
#        gmt + its GSHHG coast files (Debian bookworm: apt-get install gdal-bin gmt gmt-gshhg-low;
#        gmt-common 6.4.0+dfsg-2 already ships the full-resolution binned_river_f.nc used here).
# Usage:  bash data/scripts/build_basemap.sh        (from any directory; idempotent, overwrites outputs)
# Also prints the distance from a few Euphrates towns to the river line (sanity check of the course).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/data/basemap"
mkdir -p "$OUT"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# GDAL 3.6's GeoJSON writer in RFC7946 mode turns a one-part MultiPolygon/MultiLineString back into
# Polygon/LineString even with -nlt MULTI*. QGIS wants one geometry type per file, so re-wrap
# single parts (python3 standard library only; same one-feature-per-line layout as GDAL).
force_multi() { # file
  python3 - "$1" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    fc = json.load(f)
for feat in fc["features"]:
    g = feat["geometry"]
    if g["type"] in ("Polygon", "LineString"):
        feat["geometry"] = {"type": "Multi" + g["type"], "coordinates": [g["coordinates"]]}
head = {k: v for k, v in fc.items() if k != "features"}
lines = ["{"] + ['"%s": %s,' % (k, json.dumps(v)) for k, v in head.items()] + ['"features": [']
feats = [json.dumps(feat, ensure_ascii=False) for feat in fc["features"]]
lines += [s + ("," if i < len(feats) - 1 else "") for i, s in enumerate(feats)]
lines += ["]", "}"]
with open(path, "w") as f:
    f.write("\n".join(lines) + "\n")
PY
}

for tool in npm ogr2ogr ogrinfo gmt awk sha1sum python3; do
  command -v "$tool" >/dev/null || { echo "build_basemap.sh: missing tool: $tool" >&2; exit 1; }
done

# ---------------------------------------------------------------------------
# 1. Countries: Natural Earth 4.1.0 admin-0, 1:50m, as TopoJSON in npm world-atlas@2.0.2
# ---------------------------------------------------------------------------
WA_VERSION=2.0.2
WA_SHA1=4bca4a578f3a413bd409c3f07f2054fe7375824f   # dist.shasum of world-atlas@2.0.2 on npm
(cd "$TMP" && npm pack "world-atlas@$WA_VERSION" --silent >/dev/null 2>&1)
echo "$WA_SHA1  $TMP/world-atlas-$WA_VERSION.tgz" | sha1sum -c --quiet -
tar -xzf "$TMP/world-atlas-$WA_VERSION.tgz" -C "$TMP"
TOPO="$TMP/package/countries-50m.json"

# Countries kept. The five named in the brief (Syria, Iraq, Lebanon, Jordan, Turkey) plus the
# neighbours that a map of lon 35-45 / lat 31-38 shows as holes without them: Israel and Palestine
# (the SW corner; Palestine = West Bank, otherwise a hole between Israel and Jordan), Saudi Arabia
# (south of Jordan/Iraq below ~32N) and Iran (east of Iraq, lon 44-45).
# NB Natural Earth 1:50m puts the Golan Heights inside the Israel polygon (de-facto line).
# world-atlas only carries name + ISO 3166-1 numeric id, so iso_a3 comes from this fixed mapping.
NE_SOURCE="Natural Earth 4.1.0 Admin 0 countries 1:50m (https://www.naturalearthdata.com/), via npm world-atlas@2.0.2 countries-50m.json"
ogr2ogr -f GeoJSON "$TMP/countries.geojson" "$TOPO" -a_srs EPSG:4326 \
  -lco RFC7946=YES -lco COORDINATE_PRECISION=5 -lco WRITE_NAME=NO \
  -nlt MULTIPOLYGON -nln countries \
  -dialect SQLite -sql "
    SELECT name,
           CASE id WHEN '760' THEN 'SYR' WHEN '368' THEN 'IRQ' WHEN '422' THEN 'LBN'
                   WHEN '400' THEN 'JOR' WHEN '792' THEN 'TUR' WHEN '376' THEN 'ISR'
                   WHEN '275' THEN 'PSE' WHEN '682' THEN 'SAU' WHEN '364' THEN 'IRN' END AS iso_a3,
           '$NE_SOURCE' AS source,
           'public domain (Natural Earth)' AS licence,
           ST_Multi(geometry) AS geometry
    FROM countries
    WHERE id IN ('760','368','422','400','792','376','275','682','364')
    ORDER BY iso_a3"
n=$(ogrinfo -ro -so -al "$TMP/countries.geojson" | awk -F': ' '/Feature Count/{print $2}')
[ "$n" = 9 ] || { echo "expected 9 countries, got $n" >&2; exit 1; }
force_multi "$TMP/countries.geojson"
mv "$TMP/countries.geojson" "$OUT/countries.geojson"

# ---------------------------------------------------------------------------
# 2. Rivers: GSHHG 2.3.7 WDBII rivers through GMT (no names in the data: picked by location)
# ---------------------------------------------------------------------------
# Resolution: -Df (full). Compared c/l/i/h/f: c and l miss the course by up to 5-7 km at
# Al Bukamal/Rawa; i, h and f agree within ~0.5 km; f is the only one whose bin pieces merge
# without gaps, and after the 0.001 deg simplification below it is still small.
# River classes: -I1 = permanent major rivers (Euphrates, Tigris, Murat ...), -I3 = additional major
# rivers (carries the lower Khabur, Hasakah -> Busayrah).
RES=f
SIMPLIFY_DEG=0.001      # ogr2ogr -simplify tolerance in degrees (~0.1 km); keeps the file small
CLIP="36 32.5 44.5 37.5" # study-area clip: lon 36-44.5, lat 32.5-37.5 (drops the Gulf/Tigris-side bits)
GSHHG_SOURCE="GSHHG 2.3.7 (2017-06-15) WDBII rivers, full resolution, extracted with GMT 6.4 (gmt coast -D$RES -I1 -I3) (Debian bookworm gmt-common 6.4.0+dfsg-2 / gmt-gshhg-low 2.3.7-6); https://www.soest.hawaii.edu/pwessel/gshhg/"
GSHHG_LICENCE="LGPL-3.0-or-later (GSHHG/WDBII via Debian gmt packages)"

# GMT multisegment text -> CSV with one WKT LINESTRING per bin segment.
gmt_to_csv() {
  awk 'BEGIN { print "id,WKT"; n = 0 }
       /^>/  { if (pts != "") printf "%d,\"LINESTRING (%s)\"\n", n, pts; n++; pts = ""; next }
       NF>=2 { pts = (pts == "" ? "" : pts ", ") $1 " " $2 }
       END   { if (pts != "") printf "%d,\"LINESTRING (%s)\"\n", n, pts }'
}
gmt coast -R35/49/29/41 -D$RES -I1 -M | gmt_to_csv > "$TMP/class1.csv"
gmt coast -R35/49/29/41 -D$RES -I3 -M | gmt_to_csv > "$TMP/class3.csv"

# Merge the bin pieces into connected lines (one feature per connected line).
merge_lines() { # in.csv out.geojson
  ogr2ogr -f GeoJSON "$2" "$1" -oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:4326 \
    -dialect SQLite -sql "SELECT LineMerge(ST_Collect(geometry)) AS geometry FROM \"$(basename "$1" .csv)\"" \
    -explodecollections -nlt LINESTRING -nln "$(basename "$2" .geojson)"
}
merge_lines "$TMP/class1.csv" "$TMP/class1_merged.geojson"
merge_lines "$TMP/class3.csv" "$TMP/class3_merged.geojson"

# Euphrates = the merged class-1 lines passing within 0.1 deg of a town on its banks (Jarabulus,
# Deir ez-Zor, Al Bukamal, Haditha, Ramadi, Fallujah, Musayyib). The Tigris pieces never come that close.
# Khabur (lower course) = class-3 lines touching the Euphrates confluence near Busayrah, cut at
# Hasakah (36.52N): upstream of Hasakah the WDBII class-3 line heads NE, not to the Ras al-Ain
# source, so that part is not trusted.
read -r X0 Y0 X1 Y1 <<<"$CLIP"
ogr2ogr -f GeoJSON "$TMP/rivers_raw.geojson" "$TMP/class1_merged.geojson" \
  -nlt MULTILINESTRING -nln rivers -simplify "$SIMPLIFY_DEG" \
  -dialect SQLite -sql "
    SELECT 'Euphrates' AS name, '$GSHHG_SOURCE' AS source, '$GSHHG_LICENCE' AS licence,
           ST_Multi(LineMerge(ST_Intersection(ST_Collect(geometry), BuildMbr($X0,$Y0,$X1,$Y1,4326)))) AS geometry
    FROM class1_merged
    WHERE ST_Distance(geometry, MakePoint(38.0113,36.8172,4326)) < 0.1
       OR ST_Distance(geometry, MakePoint(40.1408,35.3359,4326)) < 0.1
       OR ST_Distance(geometry, MakePoint(40.9185,34.4523,4326)) < 0.1
       OR ST_Distance(geometry, MakePoint(42.3773,34.1366,4326)) < 0.1
       OR ST_Distance(geometry, MakePoint(43.3015,33.4206,4326)) < 0.1
       OR ST_Distance(geometry, MakePoint(43.7797,33.3493,4326)) < 0.1
       OR ST_Distance(geometry, MakePoint(44.2903,32.7787,4326)) < 0.1"
ogr2ogr -f GeoJSON -append "$TMP/rivers_raw.geojson" "$TMP/class3_merged.geojson" \
  -nlt MULTILINESTRING -nln rivers -simplify "$SIMPLIFY_DEG" \
  -dialect SQLite -sql "
    SELECT 'Khabur' AS name, '$GSHHG_SOURCE' AS source, '$GSHHG_LICENCE' AS licence,
           ST_Multi(LineMerge(ST_Intersection(ST_Collect(geometry), BuildMbr(40.2,35.0,41.2,36.52,4326)))) AS geometry
    FROM class3_merged
    WHERE ST_Distance(geometry, MakePoint(40.4300,35.1500,4326)) < 0.05"
ogr2ogr -f GeoJSON "$TMP/rivers.geojson" "$TMP/rivers_raw.geojson" \
  -lco RFC7946=YES -lco COORDINATE_PRECISION=5 -lco WRITE_NAME=NO -nlt MULTILINESTRING -nln rivers
force_multi "$TMP/rivers.geojson"
mv "$TMP/rivers.geojson" "$OUT/rivers.geojson"

# ---------------------------------------------------------------------------
# 3. Checks: feature counts, and distance (km, local equirectangular) from towns to the Euphrates
# ---------------------------------------------------------------------------
ogrinfo -ro -so -al "$OUT/countries.geojson" | grep -E '^(Geometry|Feature Count)'
ogrinfo -ro -so -al "$OUT/rivers.geojson" | grep -E '^(Geometry|Feature Count)'
echo "distance from town to Euphrates line (km; expect < ~3, Anah is a known exception, see data/notes/basemap.md):"
while read -r name lon lat; do
  d=$(ogrinfo -ro -q "$OUT/rivers.geojson" -dialect SQLite -sql "
        SELECT ST_Distance(
                 ScaleCoords(ShiftCoords(geometry, -$lon, -$lat), 111.195*cos(radians($lat)), 111.195),
                 MakePoint(0,0)) AS km
        FROM rivers WHERE name = 'Euphrates'" | awk -F'= ' '/km \(Real\)/{printf "%.2f", $2}')
  printf '  %-12s %9.4f %8.4f  %6s km\n' "$name" "$lon" "$lat" "$d"
done <<'EOF'
DeirEzZor 40.1408 35.3359
Mayadin 40.4515 35.0198
AlBukamal 40.9185 34.4523
Rawa 41.9190 34.4823
Anah 41.9819 34.3686
Haditha 42.3773 34.1366
EOF
ls -l "$OUT/countries.geojson" "$OUT/rivers.geojson"
