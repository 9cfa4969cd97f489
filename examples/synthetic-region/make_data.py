#!/usr/bin/env python3
"""Writes the invented region's data folder (data/places.csv, data/holders.toml,
data/road_classes.toml, data/*.geojson) from the tables below.

Everything here is INVENTED: Meridia, its towns, roads and front line do not exist. The region is
placed in the open South Atlantic (about 30°W, 44.6°S), where there is no land, so that no reader
can mistake it for a real place. Standard library only; run from anywhere:

    python3 examples/synthetic-region/make_data.py
"""
import csv
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent / "data"
LICENCE = "CC0-1.0 (invented for convoy-sim's worked example)"
SOURCE = "INVENTED: convoy-sim's synthetic worked example (examples/synthetic-region/make_data.py); no such place exists"

# id, name, aliases (Latin, Cyrillic, Greek), kind, lon, lat, uncertainty_km
PLACES = [
    ("port_selden", "Port Selden", ["Selden", "Порт-Селден"], "town", -30.90, -44.60, 1),
    ("varno", "Varno", ["Warno", "Варно", "Βάρνο"], "town", -30.40, -44.50, 1),
    ("halden", "Halden", ["Халден"], "village", -29.95, -44.45, 2),
    ("halden_bridge", "Halden bridge", ["Мост Халден"], "bridge", -29.70, -44.50, 0.5),
    ("oru", "Oru", ["Ору", "Όρου"], "town", -29.40, -44.60, 1),
    ("kestrel_pass", "Kestrel Pass", ["Перевал Кестрел"], "pass", -30.30, -44.80, 3),
    ("tamsk", "Tamsk", ["Тамск"], "village", -29.85, -44.85, 2),
]
AT = {p[0]: (p[4], p[5]) for p in PLACES}

# id, name, ref, class, speed_kmh, waypoints (place ids or (lon, lat) bends)
ROADS = [
    ("coast_highway", "Coast highway (Port Selden–Varno)", "M1", "highway", 90,
     ["port_selden", (-30.65, -44.58), "varno"]),
    ("halden_highway", "Halden highway (Varno–Halden)", "M1", "highway", 90,
     ["varno", (-30.18, -44.44), "halden"]),
    ("bridge_road", "Bridge road (Halden–Halden bridge)", "M1", "main", 70,
     ["halden", "halden_bridge"]),
    ("oru_road", "Oru road (Halden bridge–Oru)", "M1", "main", 70,
     ["halden_bridge", (-29.55, -44.52), "oru"]),
    ("pass_road", "Pass road (Varno–Kestrel Pass)", "R4", "secondary", 50,
     ["varno", (-30.38, -44.65), "kestrel_pass"]),
    ("hill_road", "Hill road (Kestrel Pass–Tamsk)", None, "desert_road", 40,
     ["kestrel_pass", (-30.05, -44.88), "tamsk"]),
    ("tamsk_road", "Tamsk road (Tamsk–Oru)", "R4", "secondary", 50,
     ["tamsk", (-29.60, -44.75), "oru"]),
    ("shepherds_track", "Shepherds' track (Halden–Tamsk)", None, "track", 20,
     ["halden", (-29.92, -44.65), "tamsk"]),
]

# The front line runs north–south at 29.8°W; Halden bridge and Oru lie east of it.
FRONT = -29.8
WEST = [[-31.3, -44.2], [FRONT, -44.2], [FRONT, -45.1], [-31.3, -45.1], [-31.3, -44.2]]
EAST = [[FRONT, -44.2], [-29.0, -44.2], [-29.0, -45.1], [FRONT, -45.1], [FRONT, -44.2]]
# Who holds ground here (data/README.md, "Holders"): id, legend label, short label, colour.
HOLDERS = [
    ("coastal_authority", "Coastal Authority (invented)", "Authority", "#2b6cb0"),
    ("hill_federation", "Hill Federation (invented)", "Federation", "#b7791f"),
]
# What the maps, the report and the QGIS style call each class of road (data/README.md, "Road
# classes"): Meridia's hills have gravel roads and shepherds' tracks, not desert ones.
ROAD_CLASSES = [
    ("highway", "highway"),
    ("main", "main road"),
    ("secondary", "secondary road"),
    ("desert_road", "gravel road"),
    ("track", "shepherds' track"),
]
ZONES = [
    ("authority_west", "coastal_authority", "Coastal Authority (invented), west of the 29.8°W line", WEST, 5.0),
    ("federation_east", "hill_federation", "Hill Federation (invented), east of the 29.8°W line", EAST, 5.0),
]
VALID = ("2031-04-28T00:00:00Z", "2031-05-10T00:00:00Z")

ISLAND = [[-31.2, -44.25], [-29.1, -44.25], [-29.05, -44.6], [-29.2, -45.05], [-31.1, -45.05],
          [-31.25, -44.65], [-31.2, -44.25]]
RIVER = [[-30.55, -44.28], [-30.5, -44.45], [-30.45, -44.7], [-30.5, -45.0]]


def fc(features):
    return {"type": "FeatureCollection", "features": features}


def feature(geometry, properties):
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def write(name, value):
    """One feature a line, so that a diff shows which feature changed."""
    lines = [json.dumps(f, ensure_ascii=False) for f in value["features"]]
    text = '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"
    (HERE / name).write_text(text, encoding="utf-8")


def main():
    HERE.mkdir(exist_ok=True)
    # Places as a CSV table (data/README.md, "places.csv"), aliases separated by ";".
    with open(HERE / "places.csv", "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["id", "name", "aliases", "lon", "lat", "uncertainty_km", "country", "kind",
                      "position", "source", "licence"])
        for pid, name, aliases, kind, lon, lat, unc in PLACES:
            out.writerow([pid, name, ";".join(aliases), lon, lat, unc, "Meridia (invented)", kind,
                          "inferred", SOURCE, LICENCE])
    holders = ["# Who holds ground in Meridia (INVENTED). Written by make_data.py; format in data/README.md.\n"]
    for hid, label, short, colour in HOLDERS:
        holders.append(f'\n[[holder]]\nid = "{hid}"\nlabel = "{label}"\nshort = "{short}"\ncolour = "{colour}"\n')
    (HERE / "holders.toml").write_text("".join(holders), encoding="utf-8")
    classes = ["# What Meridia's roads are called on the maps (INVENTED). Written by make_data.py; format in\n"
               "# data/README.md.\n\n"]
    classes += [f'{cls} = "{label}"\n' for cls, label in ROAD_CLASSES]
    (HERE / "road_classes.toml").write_text("".join(classes), encoding="utf-8")
    roads = []
    for rid, name, ref, cls, speed, waypoints in ROADS:
        coords = [list(AT[w]) if isinstance(w, str) else list(w) for w in waypoints]
        roads.append(feature({"type": "LineString", "coordinates": coords}, {
            "id": rid, "name": name, "ref": ref, "class": cls, "speed_kmh": speed,
            "from": waypoints[0], "to": waypoints[-1], "source": SOURCE, "licence": LICENCE,
        }))
    write("roads.geojson", fc(roads))
    write("zones.geojson", fc([
        feature({"type": "MultiPolygon", "coordinates": [[ring]]}, {
            "id": zid, "holder": holder, "label": label, "valid_from": VALID[0],
            "valid_to": VALID[1], "edge_km": edge, "source": SOURCE, "licence": LICENCE,
        })
        for zid, holder, label, ring, edge in ZONES
    ]))
    write("countries.geojson", fc([feature(
        {"type": "MultiPolygon", "coordinates": [[ISLAND]]},
        {"name": "Meridia (invented)", "source": SOURCE, "licence": LICENCE})]))
    write("rivers.geojson", fc([feature(
        {"type": "MultiLineString", "coordinates": [RIVER]},
        {"name": "Selde (invented)", "source": SOURCE, "licence": LICENCE})]))


if __name__ == "__main__":
    main()
