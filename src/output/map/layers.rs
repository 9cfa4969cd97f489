//! The layers inside a map frame, bottom to top — sea, land, zones, borders, rivers, roads, tracks,
//! the ensemble's spread, events, places, end markers, scale bar, north arrow. The pages around
//! the frames are [`super::page`] (`map.png`) and [`super::compare`].

use geo::{
    BooleanOps, Coord, LineString, MultiLineString, MultiPolygon, Polygon, TriangulateEarcut,
};
use jiff::{SignedDuration, Timestamp};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{Area, bold, draw, font, put_text, text_width};
use super::events::{EventMark, draw_labels, draw_symbols, event_marks};
use super::labels::Occupied;
use super::legend::zone_stamp;
use super::places::{Pass, places};
use super::projection::Projection;
use super::style;
use super::{RenderError, Scene, centroid};
use crate::engine::{AgentKind, AgentRun, Status};
use crate::network::RoadClass;
use crate::units::LonLat;

/// The moment a map shows the front lines for: the run's end, inside the zones' coverage.
pub(super) fn zone_time(scene: &Scene<'_>) -> Timestamp {
    let (from, to) = scene.geo.zones.coverage();
    scene
        .result
        .end
        .clamp(from, to - SignedDuration::from_secs(1))
}

fn clip_lines(lines: &MultiLineString<f64>, p: &Projection) -> MultiLineString<f64> {
    p.clip_polygon().clip(lines, false)
}

fn clip_area(mp: &MultiPolygon<f64>, p: &Projection) -> MultiPolygon<f64> {
    mp.intersection(&MultiPolygon::new(vec![p.clip_polygon()]))
}

fn ring_px(ring: &LineString<f64>, p: &Projection) -> Vec<(i32, i32)> {
    ring.coords().map(|&c| p.px_coord(c)).collect()
}

/// Fills a (clipped) polygon; one with holes is filled triangle by triangle.
fn fill_polygon<DB: DrawingBackend>(
    area: &Area<DB>,
    poly: &Polygon<f64>,
    p: &Projection,
    colour: RGBAColor,
) -> Result<(), RenderError> {
    if poly.interiors().is_empty() {
        return draw(
            area,
            plotters::element::Polygon::new(ring_px(poly.exterior(), p), colour.filled()),
        );
    }
    for t in poly.earcut_triangles() {
        let pts = [t.v1(), t.v2(), t.v3()].map(|c: Coord<f64>| p.px_coord(c));
        draw(
            area,
            plotters::element::Polygon::new(pts.to_vec(), colour.filled()),
        )?;
    }
    Ok(())
}

fn stroke_lines<DB: DrawingBackend>(
    area: &Area<DB>,
    lines: &MultiLineString<f64>,
    p: &Projection,
    style: ShapeStyle,
    dashed: bool,
) -> Result<(), RenderError> {
    for line in lines {
        for pts in without_turnbacks(ring_px(line, p)) {
            if dashed {
                draw(area, DashedPathElement::new(pts, 5, 4, style))?;
            } else {
                draw(area, PathElement::new(pts, style))?;
            }
        }
    }
    Ok(())
}

/// A pixel path split wherever it turns back on itself (a vehicle driving back the way it came),
/// repeated points dropped. The bitmap backend joins thick segments with an unlimited miter, and at
/// a turn of nearly 180° the miter runs off as a straight spike across the page (issue #11: the
/// coalition's six buses back from As-Sukhnah toward Palmyra drew a line out of their panel).
fn without_turnbacks(pts: Vec<(i32, i32)>) -> Vec<Vec<(i32, i32)>> {
    let mut paths: Vec<Vec<(i32, i32)>> = Vec::new();
    let mut current: Vec<(i32, i32)> = Vec::new();
    for q in pts {
        if current.last() == Some(&q) {
            continue;
        }
        if let [.., a, b] = current[..] {
            let (u, v) = ((b.0 - a.0, b.1 - a.1), (q.0 - b.0, q.1 - b.1));
            let dot = f64::from(u.0 * v.0 + u.1 * v.1);
            let norms =
                f64::from(u.0 * u.0 + u.1 * u.1).sqrt() * f64::from(v.0 * v.0 + v.1 * v.1).sqrt();
            // Sharper than 150°: end the path here and start the next one from the turn.
            if dot < -0.866 * norms {
                paths.push(std::mem::replace(&mut current, vec![b]));
            }
        }
        current.push(q);
    }
    paths.push(current);
    paths.retain(|p| p.len() >= 2);
    paths
}

/// The ground under the account: land, the zones at the map's time, borders, rivers and roads.
fn ground<DB: DrawingBackend>(
    area: &Area<DB>,
    scene: &Scene<'_>,
    p: &Projection,
) -> Result<(), RenderError> {
    for c in &scene.basemap.countries {
        for poly in &clip_area(&c.geometry, p) {
            fill_polygon(area, poly, p, style::LAND.to_rgba())?;
        }
    }
    let t = zone_time(scene);
    for z in scene.geo.zones.zones().iter().filter(|z| z.is_valid_at(t)) {
        // Blended by hand and drawn opaque: translucent triangles would show their seams.
        let colour = style::zone_fill(scene.geo.zones.holders().info(z.holder)).to_rgba();
        for poly in &clip_area(&z.geometry, p) {
            fill_polygon(area, poly, p, colour)?;
        }
    }
    for c in &scene.basemap.countries {
        let rings: MultiLineString<f64> = c
            .geometry
            .iter()
            .map(|poly| poly.exterior().clone())
            .collect();
        stroke_lines(
            area,
            &clip_lines(&rings, p),
            p,
            style::BORDER.stroke_width(1),
            false,
        )?;
    }
    for r in &scene.basemap.rivers {
        stroke_lines(
            area,
            &clip_lines(&r.geometry, p),
            p,
            style::RIVER.stroke_width(2),
            false,
        )?;
    }
    for class in [
        RoadClass::Track,
        RoadClass::DesertRoad,
        RoadClass::Secondary,
        RoadClass::Main,
        RoadClass::Highway,
    ] {
        let (colour, width, dashed) = style::road_style(class);
        let lines: MultiLineString<f64> = scene
            .geo
            .network
            .roads()
            .filter(|(_, r)| r.class == class)
            .map(|(_, r)| r.geometry.clone())
            .collect();
        stroke_lines(
            area,
            &clip_lines(&lines, p),
            p,
            colour.stroke_width(width),
            dashed,
        )?;
    }
    Ok(())
}

/// How far each front the ensemble draws may lie from the line drawn: for every zone at the map's
/// time whose edge is one of the account's drawn inputs (`zone:<base_id>.edge`, not held fixed), a
/// dashed line in its holder's colour at its outer limit (`edge_km` out) and at its inner one
/// (`edge_in_km` in). The realizations' edges lie between the two.
fn margins<DB: DrawingBackend>(
    area: &Area<DB>,
    scene: &Scene<'_>,
    p: &Projection,
) -> Result<(), RenderError> {
    let inputs = crate::uncertainty::Inputs::of(scene.scenario, scene.geo);
    let drawn = |base: &str| {
        let name = format!("zone:{base}.edge");
        inputs.list.iter().any(|i| i.name == name) && !scene.scenario.fixed.contains(&name)
    };
    let t = zone_time(scene);
    for z in scene.geo.zones.zones().iter().filter(|z| z.is_valid_at(t)) {
        if !drawn(z.base_id()) {
            continue;
        }
        let colour = style::holder_colour(scene.geo.zones.holders().info(z.holder)).stroke_width(1);
        for km in [z.edge_km, -z.edge_in_km()] {
            if km == 0.0 {
                continue;
            }
            let rings: MultiLineString<f64> = (offset_km(&z.geometry, km).iter())
                .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
                .cloned()
                .collect();
            stroke_lines(area, &clip_lines(&rings, p), p, colour, true)?;
        }
    }
    Ok(())
}

/// `mp` (lon, lat degrees) grown by `km` (shrunk when negative), offset in a plane scaled to km
/// at its middle latitude: within a few per cent over the few hundred km of a zone.
fn offset_km(mp: &MultiPolygon<f64>, km: f64) -> MultiPolygon<f64> {
    use geo::{BoundingRect, Buffer, MapCoords};
    let Some(b) = mp.bounding_rect() else {
        return MultiPolygon::new(Vec::new());
    };
    let ky = crate::zones::KM_PER_DEGREE;
    let kx = ky * ((b.min().y + b.max().y) / 2.0).to_radians().cos();
    let plane = mp.map_coords(|c| Coord {
        x: c.x * kx,
        y: c.y * ky,
    });
    plane.buffer(km).map_coords(|c| Coord {
        x: c.x / kx,
        y: c.y / ky,
    })
}

/// Tracks: buses solid, people who left the buses dashed (their ride is the bus's track).
fn tracks<DB: DrawingBackend>(
    area: &Area<DB>,
    scene: &Scene<'_>,
    p: &Projection,
    compact: bool,
) -> Result<(), RenderError> {
    let track_width = if compact { 2 } else { 3 };
    for a in &scene.result.agents {
        // People are drawn from where they left their bus: before that their track is the bus's.
        let from = match &a.kind {
            AgentKind::People {
                left_vehicle: Some(t),
                ..
            } => *t,
            AgentKind::People {
                left_vehicle: None, ..
            } => continue,
            AgentKind::Vehicle { .. } => scene.result.start,
        };
        let line: LineString<f64> = a
            .track
            .iter()
            .filter(|tp| tp.t >= from)
            .map(|tp| tp.at.point())
            .collect();
        let lines = clip_lines(&MultiLineString::new(vec![line]), p);
        match a.kind {
            AgentKind::Vehicle { .. } => stroke_lines(
                area,
                &lines,
                p,
                style::BUS_TRACK.mix(0.55).stroke_width(track_width),
                false,
            )?,
            AgentKind::People { .. } => stroke_lines(
                area,
                &lines,
                p,
                style::PEOPLE_TRACK.mix(0.8).stroke_width(2),
                true,
            )?,
        }
    }
    Ok(())
}

/// Everything inside one map frame.
pub(super) fn panel<DB: DrawingBackend>(
    area: &Area<DB>,
    scene: &Scene<'_>,
    p: &Projection,
    compact: bool,
) -> Result<(), RenderError> {
    let f = p.frame;
    draw(
        area,
        Rectangle::new(
            [(f.x, f.y), (f.x + f.w, f.y + f.h)],
            style::BACKGROUND.filled(),
        ),
    )?;

    ground(area, scene, p)?;
    if scene.ensemble.is_some() {
        margins(area, scene, p)?;
    }
    tracks(area, scene, p, compact)?;

    // Over the tracks, since the ends lie on them; under the markers.
    if let Some(e) = scene.ensemble {
        spread(area, e, p)?;
    }

    let mut occupied = Occupied::default();
    // Keep labels off the north arrow and the scale bar.
    occupied.take((f.x + f.w - 56, f.y, f.x + f.w, f.y + 64));
    occupied.take((f.x, f.y + f.h - 50, f.x + f.w / 3, f.y + f.h));
    // Events stay on their spot; markers of the agents there stand beside them.
    let marks = event_marks(scene, p, compact);
    let obstacles: Vec<_> = marks.iter().map(EventMark::bounds).collect();
    let markers = end_markers(scene, p, compact, &obstacles);
    for b in obstacles.iter().chain(markers.iter().map(|m| &m.bounds)) {
        occupied.take(*b);
    }
    if compact {
        // Panels of a comparison differ in date: each says which front lines it shows.
        stamp(area, &zone_stamp(scene), p, &mut occupied)?;
    }
    draw_symbols(area, &marks)?;
    // Names of the places the account uses first, then the road cut's, then the rest.
    places(area, scene, p, &mut occupied, (compact, Pass::Named))?;
    if !compact {
        draw_labels(area, &marks, p, &mut occupied)?;
    }
    places(area, scene, p, &mut occupied, (compact, Pass::Rest))?;
    for m in &markers {
        m.draw(area)?;
    }
    scale_bar(area, p)?;
    north_arrow(area, p)?;
    draw(
        area,
        Rectangle::new(
            [(f.x, f.y), (f.x + f.w, f.y + f.h)],
            style::BORDER.stroke_width(1),
        ),
    )
}

/// A note in the frame's top left corner, on a pale ground; labels keep off it.
fn stamp<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    p: &Projection,
    occupied: &mut Occupied,
) -> Result<(), RenderError> {
    let f = p.frame;
    let st = bold(12.0).color(&style::MUTED);
    let b = (
        f.x + 1,
        f.y + 1,
        f.x + 12 + text_width(area, text, &st),
        f.y + 21,
    );
    draw(
        area,
        Rectangle::new([(b.0, b.1), (b.2, b.3)], WHITE.mix(0.8).filled()),
    )?;
    put_text(area, text, (f.x + 6, f.y + 5), &st, HPos::Left, VPos::Top)?;
    occupied.take(b);
    Ok(())
}

/// Where an ensemble's buses and people end: a grid cell shaded by how many end there on average,
/// buses in the bus colour and people off the buses in theirs, darker where more end.
fn spread<DB: DrawingBackend>(
    area: &Area<DB>,
    e: &crate::ensemble::Ensemble,
    p: &Projection,
) -> Result<(), RenderError> {
    use crate::{ensemble::CELL_DEG, output::ensemble::cells};
    let cells = cells(e);
    let most = |f: fn(&crate::output::ensemble::Cell) -> f64| {
        cells
            .values()
            .map(f)
            .fold(0.0, f64::max)
            .max(f64::MIN_POSITIVE)
    };
    let (most_buses, most_people) = (most(|c| c.buses), most(|c| c.people_off));
    let f = p.frame;
    for (&(i, j), c) in &cells {
        let (x0, y0) = p.px(LonLat::new(i as f64 * CELL_DEG, (j + 1) as f64 * CELL_DEG));
        let (x1, y1) = p.px(LonLat::new((i + 1) as f64 * CELL_DEG, j as f64 * CELL_DEG));
        // Small maps would make cells specks: never less than MIN_CELL_PX across.
        let grow = |a: i32, b: i32| {
            let short = (MIN_CELL_PX - (b - a)).max(0);
            (a - short / 2, b + short - short / 2)
        };
        let ((x0, x1), (y0, y1)) = (grow(x0, x1), grow(y0, y1));
        let (x0, y0, x1, y1) = (
            x0.max(f.x),
            y0.max(f.y),
            x1.min(f.x + f.w),
            y1.min(f.y + f.h),
        );
        if x0 >= x1 || y0 >= y1 {
            continue;
        }
        for (value, top, colour) in [
            (c.buses, most_buses, style::SPREAD_BUSES),
            (c.people_off, most_people, style::SPREAD_PEOPLE),
        ] {
            if value > 0.0 {
                let alpha = SPREAD_ALPHA.0 + (SPREAD_ALPHA.1 - SPREAD_ALPHA.0) * value / top;
                draw(
                    area,
                    Rectangle::new([(x0, y0), (x1, y1)], colour.mix(alpha).filled()),
                )?;
            }
        }
    }
    Ok(())
}

/// Smallest side of a drawn ensemble cell, px.
const MIN_CELL_PX: i32 = 8;

/// Opacity of the lightest and darkest ensemble cells.
pub(super) const SPREAD_ALPHA: (f64, f64) = (0.35, 0.85);

/// Agents that end in the same few pixels, drawn as one marker with a count.
struct Marker {
    at: (i32, i32),
    /// Where the agents are, when the marker had to stand aside.
    anchor: (i32, i32),
    shape: Shape,
    status: Status,
    radius: i32,
    bounds: (i32, i32, i32, i32),
    label: String,
    /// People still aboard buses in this cluster, written under the marker.
    caption: Option<String>,
}

impl Marker {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>) -> Result<(), RenderError> {
        let (x, y) = self.at;
        let r = self.radius;
        let fill = style::status_colour(self.status);
        if self.anchor != self.at {
            draw(
                area,
                PathElement::new(vec![self.anchor, self.at], style::TEXT.stroke_width(1)),
            )?;
            draw(area, Circle::new(self.anchor, 3, fill.filled()))?;
        }
        match self.shape {
            Shape::Bus => {
                draw(
                    area,
                    Rectangle::new([(x - r, y - r), (x + r, y + r)], fill.filled()),
                )?;
                draw(
                    area,
                    Rectangle::new([(x - r, y - r), (x + r, y + r)], WHITE.stroke_width(2)),
                )?;
            }
            Shape::Vehicle => {
                let d = r + r / 3;
                let corners = vec![(x, y - d), (x + d, y), (x, y + d), (x - d, y)];
                draw(
                    area,
                    plotters::element::Polygon::new(corners.clone(), fill.filled()),
                )?;
                let mut outline = corners;
                outline.push((x, y - d));
                draw(area, PathElement::new(outline, WHITE.stroke_width(2)))?;
            }
            Shape::People => {
                draw(area, Circle::new((x, y), r, fill.filled()))?;
                draw(area, Circle::new((x, y), r, WHITE.stroke_width(2)))?;
            }
        }
        let size = if r >= 12 { 14.0 } else { 11.0 };
        put_text(
            area,
            &self.label,
            (x, y),
            &bold(size).color(&WHITE),
            HPos::Center,
            VPos::Center,
        )?;
        if let Some(c) = &self.caption {
            let colour = style::status_colour(Status::Aboard);
            let st = bold(size - 2.0).color(&colour);
            let w = text_width(area, c, &st);
            let top = y + r + 3;
            draw(
                area,
                Rectangle::new(
                    [
                        (x - w / 2 - 3, top - 1),
                        (x + w / 2 + 3, top + size as i32 + 1),
                    ],
                    WHITE.mix(0.8).filled(),
                ),
            )?;
            put_text(area, c, (x, top), &st, HPos::Center, VPos::Top)?;
        }
        Ok(())
    }
}

fn count_of(a: &AgentRun) -> u64 {
    match a.kind {
        AgentKind::People { count, .. } => count as u64,
        AgentKind::Vehicle { .. } => 1,
    }
}

/// How an end marker is drawn: buses square, other vehicles as diamonds, people round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Bus,
    Vehicle,
    People,
}

impl Shape {
    fn of(kind: &AgentKind) -> Shape {
        match kind {
            AgentKind::Vehicle { .. } if kind.is_bus() => Shape::Bus,
            AgentKind::Vehicle { .. } => Shape::Vehicle,
            AgentKind::People { .. } => Shape::People,
        }
    }
}

/// Buses and people clustered by where they ended: agents of one kind and status within a
/// marker's width of each other share a marker. People still aboard are written under their bus's
/// marker. Markers that would overlap are set side by side.
fn end_markers(
    scene: &Scene<'_>,
    p: &Projection,
    compact: bool,
    obstacles: &[(i32, i32, i32, i32)],
) -> Vec<Marker> {
    struct Cluster {
        /// Agents of one kind: `bus`, `ambulance`… or `people`.
        agent: &'static str,
        shape: Shape,
        status: Status,
        first: (i32, i32),
        points: Vec<LonLat>,
        count: u64,
        aboard: u64,
    }
    let base = if compact { 10 } else { 13 };
    let merge = 2 * base + 2;
    let near =
        |a: (i32, i32), b: (i32, i32)| (a.0 - b.0).abs() <= merge && (a.1 - b.1).abs() <= merge;
    let mut clusters: Vec<Cluster> = Vec::new();
    // Which cluster each vehicle went into, so people aboard are counted on their own
    // vehicle's marker.
    let mut cluster_of_vehicle: Vec<(&str, usize)> = Vec::new();
    let mut aboard: Vec<(&str, u64)> = Vec::new();
    for a in &scene.result.agents {
        let (agent, vehicle) = (a.kind.agent_type(), a.kind.vehicle().is_some());
        let at = p.px(a.end.at);
        // People who never left their vehicle are where it is, whatever became of it.
        if let AgentKind::People {
            vehicle: rides,
            left_vehicle: None,
            ..
        } = &a.kind
        {
            aboard.push((rides.as_str(), count_of(a)));
            continue;
        }
        match clusters
            .iter()
            .position(|c| c.agent == agent && c.status == a.end.status && near(c.first, at))
        {
            Some(k) => {
                let c = &mut clusters[k];
                c.points.push(a.end.at);
                c.count += count_of(a);
                if vehicle {
                    cluster_of_vehicle.push((a.id.as_str(), k));
                }
            }
            None => {
                if vehicle {
                    cluster_of_vehicle.push((a.id.as_str(), clusters.len()));
                }
                clusters.push(Cluster {
                    agent,
                    shape: Shape::of(&a.kind),
                    status: a.end.status,
                    first: at,
                    points: vec![a.end.at],
                    count: count_of(a),
                    aboard: 0,
                })
            }
        }
    }
    for (rides, n) in aboard {
        if let Some(&(_, k)) = cluster_of_vehicle.iter().find(|(id, _)| *id == rides) {
            clusters[k].aboard += n;
        }
    }
    let mut markers: Vec<Marker> = Vec::new();
    for c in clusters {
        let r = base + if c.count >= 100 { 4 } else { 0 };
        let true_at = p.px(centroid(&c.points));
        // Small multiples have no room for captions: the legend says people aboard ride with their bus.
        let caption = (c.aboard > 0 && !compact).then(|| format!("{} aboard", c.aboard));
        let below = if caption.is_some() { 18 } else { 0 };
        // Captions are wider than their marker: ~7 px a character at this size.
        let half = caption
            .as_ref()
            .map_or(r + 1, |c| (r + 1).max(c.chars().count() as i32 * 7 / 2 + 4));
        let bounds = |(x, y): (i32, i32)| (x - half, y - r - 1, x + half, y + r + 1 + below);
        let hit = |b: (i32, i32, i32, i32), o: &(i32, i32, i32, i32)| {
            !(b.2 <= o.0 || b.0 >= o.2 || b.3 <= o.1 || b.1 >= o.3)
        };
        let overlaps = |b: (i32, i32, i32, i32), ms: &[Marker]| {
            ms.iter().any(|m| hit(b, &m.bounds)) || obstacles.iter().any(|o| hit(b, o))
        };
        // On the spot if free, else the nearest free place around it (a leader line shows where),
        // wholly inside the frame.
        let (dx, dy) = (2 * half + 2, 2 * r + below + 4);
        let f = p.frame;
        let inside = |b: (i32, i32, i32, i32)| {
            b.0 >= f.x && b.1 >= f.y && b.2 <= f.x + f.w && b.3 <= f.y + f.h
        };
        let ring = [
            (0, 0),
            (1, 0),
            (-1, 0),
            (0, 1),
            (0, -1),
            (1, 1),
            (-1, 1),
            (1, -1),
            (-1, -1),
            (2, 0),
            (-2, 0),
        ];
        if !p.frame.contains(true_at) {
            continue;
        }
        let (x, y) = ring
            .iter()
            .map(|(i, j)| (true_at.0 + i * dx, true_at.1 + j * dy))
            .find(|&at| inside(bounds(at)) && !overlaps(bounds(at), &markers))
            .unwrap_or(true_at);
        let bounds = bounds((x, y));
        markers.push(Marker {
            at: (x, y),
            anchor: true_at,
            shape: c.shape,
            status: c.status,
            radius: r,
            bounds,
            label: c.count.to_string(),
            caption,
        });
    }
    markers
}

/// A scale bar of a round length, bottom left.
fn scale_bar<DB: DrawingBackend>(area: &Area<DB>, p: &Projection) -> Result<(), RenderError> {
    let f = p.frame;
    let m_per_px = p.metres_per_px().0.max(1e-9);
    let target_km = m_per_px * f.w as f64 / 5.0 / 1000.0;
    let magnitude = 10f64.powf(target_km.log10().floor());
    let km = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|k| k * magnitude)
        .rfind(|&k| k <= target_km)
        .unwrap_or(magnitude);
    let len = (km * 1000.0 / m_per_px).round() as i32;
    let (x0, y0) = (f.x + 18, f.y + f.h - 22);
    draw(
        area,
        Rectangle::new(
            [(x0 - 8, y0 - 24), (x0 + len + 48, y0 + 10)],
            WHITE.mix(0.75).filled(),
        ),
    )?;
    draw(
        area,
        Rectangle::new([(x0, y0 - 4), (x0 + len / 2, y0 + 2)], style::TEXT.filled()),
    )?;
    draw(
        area,
        Rectangle::new([(x0 + len / 2, y0 - 4), (x0 + len, y0 + 2)], WHITE.filled()),
    )?;
    draw(
        area,
        Rectangle::new(
            [(x0, y0 - 4), (x0 + len, y0 + 2)],
            style::TEXT.stroke_width(1),
        ),
    )?;
    put_text(
        area,
        "0",
        (x0, y0 - 7),
        &font(12.0),
        HPos::Center,
        VPos::Bottom,
    )?;
    let label = if km >= 1.0 {
        format!("{km:.0} km")
    } else {
        format!("{:.0} m", km * 1000.0)
    };
    put_text(
        area,
        &label,
        (x0 + len, y0 - 7),
        &font(12.0),
        HPos::Center,
        VPos::Bottom,
    )
}

/// North is up in this projection: an arrow and an N, top right.
fn north_arrow<DB: DrawingBackend>(area: &Area<DB>, p: &Projection) -> Result<(), RenderError> {
    let f = p.frame;
    let (x, y) = (f.x + f.w - 30, f.y + 22);
    draw(area, Circle::new((x, y + 14), 19, WHITE.mix(0.75).filled()))?;
    draw(
        area,
        plotters::element::Polygon::new(
            vec![(x, y), (x + 8, y + 24), (x, y + 18), (x - 8, y + 24)],
            style::TEXT.filled(),
        ),
    )?;
    put_text(area, "N", (x, y + 28), &bold(12.0), HPos::Center, VPos::Top)
}

#[cfg(test)]
mod tests {
    use super::{LineString, MultiPolygon, Polygon, offset_km, without_turnbacks};

    #[test]
    fn a_path_that_turns_back_is_split_at_the_turn_and_a_straight_one_is_not() {
        let there_and_back = vec![(0, 0), (10, 0), (20, 0), (12, 0), (12, 0), (5, 0)];
        assert_eq!(
            without_turnbacks(there_and_back),
            vec![
                vec![(0, 0), (10, 0), (20, 0)],
                vec![(20, 0), (12, 0), (5, 0)]
            ]
        );
        let bend = vec![(0, 0), (10, 0), (10, 10), (0, 12)];
        assert_eq!(without_turnbacks(bend.clone()), vec![bend]);
        assert!(without_turnbacks(vec![(3, 3), (3, 3)]).is_empty());
    }

    #[test]
    fn a_fronts_limits_lie_its_margins_in_km_out_and_in() {
        use geo::BoundingRect;
        let square = MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![(39.0, 34.0), (40.0, 34.0), (40.0, 35.0), (39.0, 35.0)]),
            Vec::new(),
        )]);
        let ky = crate::zones::KM_PER_DEGREE;
        let kx = ky * 34.5f64.to_radians().cos();
        for km in [20.0, -1.5] {
            let b = offset_km(&square, km).bounding_rect().unwrap();
            let (west, north) = ((39.0 - b.min().x) * kx, (b.max().y - 35.0) * ky);
            assert!((west - km).abs() < 0.05 * km.abs(), "{km}: {west} km west");
            assert!(
                (north - km).abs() < 0.05 * km.abs(),
                "{km}: {north} km north"
            );
        }
    }
}
