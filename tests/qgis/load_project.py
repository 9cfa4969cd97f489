"""Loads a run's run.qgs in a real QGIS, headless, and checks what the integration suite cannot:
that QGIS itself finds every layer valid, styled and temporal as designed, reads the project's CRS
and time range, and draws a frame. CI has no QGIS; run it by hand after changing src/output/qgs.rs:

    apt-get install -y --no-install-recommends qgis python3-qgis
    convoy-sim run scenarios/us_military.toml --out /tmp/out
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis/load_project.py /tmp/out/us_military [FRAME.png]

Prints what QGIS read, and saves the frame it drew if given a PNG path (not in the run folder:
convoy-sim replaces only folders holding nothing but what it wrote). Exits non-zero on the first
thing that is not as designed.
"""

import json
import sys
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsDateTimeRange,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
)
from qgis.PyQt.QtCore import QDateTime, QSize, Qt

DRAW_ORDER = ["events", "end_state", "track_points", "tracks"]
# A run with --runs also has the ensemble's grid, under the points and over the tracks.
WITH_ENSEMBLE = ["events", "end_state", "track_points", "ensemble", "tracks"]
# Under them, the ground the run moved over and the basemap (issue #13).
UNDER = ["places", "roads", "zones", "rivers", "countries"]
RENDERER = {
    "ensemble": "RuleRenderer",
    "places": "singleSymbol",
    "rivers": "singleSymbol",
    "countries": "singleSymbol",
}
TEMPORAL = {
    "zones": ("valid_from", "valid_to"),
    "events": ("event_time", ""),
    "track_points": ("event_time", ""),
    "tracks": ("start_time", "end_time"),
}


def iso(t):
    return t.toUTC().toString(Qt.ISODate)


def main(folder, frame):
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    assert project.read(str(folder / "run.qgs")), project.error()
    print("title:", project.title())
    assert project.crs().authid() == "EPSG:4326", project.crs().authid()

    tree = [l.name() for l in project.layerTreeRoot().findLayers()]
    print("layer tree:", tree)
    order = WITH_ENSEMBLE if (folder / "ensemble.geojson").exists() else DRAW_ORDER
    assert tree == order + UNDER, tree
    for node in project.layerTreeRoot().findLayers():
        layer = node.layer()
        props = layer.temporalProperties()
        print(
            f"  {layer.name()}: valid={layer.isValid()} features={layer.featureCount()} "
            f"source={layer.source()} crs={layer.crs().authid()} "
            f"renderer={layer.renderer().type()} "
            f"temporal={props.isActive()} {props.startField()!r} {props.endField()!r}"
        )
        assert layer.isValid(), layer.name()
        assert Path(layer.source().split("|")[0]).parent == folder.resolve(), layer.source()
        assert layer.crs().authid() == "EPSG:4326"
        assert layer.renderer().type() == RENDERER.get(layer.name(), "categorizedSymbol")
        want = TEMPORAL.get(layer.name())
        assert props.isActive() == (want is not None)
        if want:
            assert (props.startField(), props.endField()) == want

    summary = json.loads((folder / "summary.json").read_text())
    r = project.timeSettings().temporalRange()
    print("time range:", iso(r.begin()), iso(r.end()), "step", project.timeSettings().timeStep())
    assert (iso(r.begin()), iso(r.end())) == (summary["start"], summary["end"])

    # One frame, halfway through the run, as the Temporal Controller would draw it.
    settings = QgsMapSettings()
    settings.setLayers([n.layer() for n in project.layerTreeRoot().findLayers()])
    settings.setDestinationCrs(project.crs())
    settings.setExtent(project.viewSettings().defaultViewExtent())
    settings.setOutputSize(QSize(800, 400))
    middle = r.begin().addSecs(r.begin().secsTo(r.end()) // 2)
    settings.setIsTemporal(True)
    settings.setTemporalRange(QgsDateTimeRange(middle, middle.addSecs(3600)))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    assert not job.errors(), [e.message for e in job.errors()]
    print("drew a frame at", iso(middle))
    if frame:
        job.renderedImage().save(frame)
    app.exitQgis()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
