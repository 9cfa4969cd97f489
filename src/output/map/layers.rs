//! The layers of a map, bottom to top — sea, land, zones, borders, rivers, roads, tracks, events,
//! places, end markers, scale bar, north arrow — and the frames around them: title, legend, footer.

use geo::{
    BooleanOps, Coord, LineString, MultiLineString, MultiPolygon, Polygon, TriangulateEarcut,
};
use jiff::{SignedDuration, Timestamp};
use plotters::coord::Shift;
use plotters::element::{DashedPathElement, Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::projection::{Frame, Projection, View};
use super::style::{self, holder_colour};
use super::{RenderError, Scene, Size, centroid};
use crate::engine::{AgentKind, AgentRun, SimEventKind, Status};
use crate::network::RoadClass;
use crate::scenario::VehicleKind;
use crate::units::LonLat;
use crate::zones::Holder;

type Area<DB> = DrawingArea<DB, Shift>;

fn font(size: f64) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&style::TEXT)
}

fn bold(size: f64) -> TextStyle<'static> {
    ("sans-serif", size, FontStyle::Bold)
        .into_font()
        .color(&style::TEXT)
}

fn draw<DB: DrawingBackend, E>(area: &Area<DB>, element: E) -> Result<(), RenderError>
where
    for<'b> &'b E: PointCollection<'b, (i32, i32)>,
    E: Drawable<DB>,
{
    area.draw(&element).map_err(RenderError::from)
}

fn text_width<DB: DrawingBackend>(area: &Area<DB>, text: &str, style: &TextStyle<'_>) -> i32 {
    area.estimate_text_size(text, style)
        .map_or(text.len() as i32 * 8, |(w, _)| w as i32)
}

/// `text`, cut with an ellipsis to fit `max_w` pixels.
fn fit_text<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle<'_>,
    max_w: i32,
) -> String {
    if text_width(area, text, style) <= max_w {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if text_width(area, &candidate, style) <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    chars[..lo].iter().collect::<String>() + "…"
}

fn put_text<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    at: (i32, i32),
    style: &TextStyle<'_>,
    h: HPos,
    v: VPos,
) -> Result<(), RenderError> {
    let style = style.pos(Pos::new(h, v));
    area.draw(&Text::new(text.to_string(), at, style))
        .map_err(RenderError::from)
}

/// Pixel boxes already taken by labels and markers, so later labels go elsewhere or not at all.
#[derive(Default)]
struct Occupied {
    boxes: Vec<(i32, i32, i32, i32)>,
}

impl Occupied {
    fn free(&self, b: (i32, i32, i32, i32), frame: Frame) -> bool {
        let inside = b.0 >= frame.x
            && b.1 >= frame.y
            && b.2 <= frame.x + frame.w
            && b.3 <= frame.y + frame.h;
        inside
            && self
                .boxes
                .iter()
                .all(|o| b.2 <= o.0 || b.0 >= o.2 || b.3 <= o.1 || b.1 >= o.3)
    }

    fn take(&mut self, b: (i32, i32, i32, i32)) {
        self.boxes.push(b);
    }
}

/// The moment a map shows the front lines for: the run's end, inside the zones' coverage.
fn zone_time(scene: &Scene<'_>) -> Timestamp {
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
        let pts = ring_px(line, p);
        if pts.len() < 2 {
            continue;
        }
        if dashed {
            draw(area, DashedPathElement::new(pts, 5, 4, style))?;
        } else {
            draw(area, PathElement::new(pts, style))?;
        }
    }
    Ok(())
}

/// Everything inside one map frame.
fn panel<DB: DrawingBackend>(
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

    for c in &scene.basemap.countries {
        for poly in &clip_area(&c.geometry, p) {
            fill_polygon(area, poly, p, style::LAND.to_rgba())?;
        }
    }
    let t = zone_time(scene);
    for z in scene.geo.zones.zones().iter().filter(|z| z.is_valid_at(t)) {
        // Blended by hand and drawn opaque: translucent triangles would show their seams.
        let colour = style::zone_fill(z.holder).to_rgba();
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

    // Tracks: buses solid, people who left the buses dashed (their ride is the bus's track).
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
    draw_events(area, &marks, p, &mut occupied, compact)?;
    places(area, scene, p, &mut occupied, compact)?;
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
const SPREAD_ALPHA: (f64, f64) = (0.35, 0.85);

/// A road cut or strike to draw: where, when, and the half-size of its symbol.
struct EventMark {
    kind: SimEventKind,
    at: (i32, i32),
    t: Timestamp,
    half: i32,
}

impl EventMark {
    fn bounds(&self) -> (i32, i32, i32, i32) {
        let (x, y, s) = (self.at.0, self.at.1, self.half);
        (x - s, y - s, x + s, y + s)
    }
}

/// Road cuts and strikes in the frame, each once per place.
fn event_marks(scene: &Scene<'_>, p: &Projection, compact: bool) -> Vec<EventMark> {
    let mut marks: Vec<EventMark> = Vec::new();
    for e in &scene.result.events {
        if !matches!(e.kind(), SimEventKind::RoadClosed | SimEventKind::Strike) {
            continue;
        }
        let at = p.px(e.at);
        if p.frame.contains(at) && !marks.iter().any(|m| m.kind == e.kind() && m.at == at) {
            marks.push(EventMark {
                kind: e.kind(),
                at,
                t: e.t,
                half: if compact { 7 } else { 9 },
            });
        }
    }
    marks
}

fn draw_events<DB: DrawingBackend>(
    area: &Area<DB>,
    marks: &[EventMark],
    p: &Projection,
    occupied: &mut Occupied,
    compact: bool,
) -> Result<(), RenderError> {
    for m in marks {
        let ((x, y), s) = (m.at, m.half);
        if m.kind == SimEventKind::RoadClosed {
            let st = style::ROAD_CUT.stroke_width(4);
            draw(
                area,
                PathElement::new(vec![(x - s, y - s), (x + s, y + s)], st),
            )?;
            draw(
                area,
                PathElement::new(vec![(x - s, y + s), (x + s, y - s)], st),
            )?;
            if !compact {
                let label = format!("road cut {}", m.t.strftime("%-d %b %H:%M"));
                let st = bold(13.0).color(&style::ROAD_CUT);
                label_at(area, &label, (x, y), s + 3, &st, p.frame, occupied)?;
            }
        } else {
            let pts = vec![(x, y - s), (x + s, y + s / 2), (x - s, y + s / 2)];
            draw(
                area,
                plotters::element::Polygon::new(pts, style::STRIKE.filled()),
            )?;
        }
    }
    Ok(())
}

/// Place dots and names; report places and places the account uses first, then the rest where
/// their labels fit.
fn places<DB: DrawingBackend>(
    area: &Area<DB>,
    scene: &Scene<'_>,
    p: &Projection,
    occupied: &mut Occupied,
    compact: bool,
) -> Result<(), RenderError> {
    let gaz = &scene.geo.gazetteer;
    let used: Vec<_> = scene
        .scenario
        .destinations()
        .map(|site| site.place)
        .collect();
    let mut order: Vec<_> = gaz
        .places()
        .filter(|(_, pl)| pl.kind != "strike_site")
        .collect();
    order.sort_by_key(|(id, pl)| {
        let rank = if used.contains(id) {
            0
        } else if !pl.in_reports.is_empty() {
            1
        } else if matches!(pl.kind.as_str(), "city" | "town") {
            2
        } else {
            3
        };
        (rank, id.0)
    });
    let size = if compact { 11.0 } else { 13.0 };
    for (id, pl) in order {
        let (x, y) = p.px(pl.location());
        if !p.frame.contains((x, y)) {
            continue;
        }
        let important = used.contains(&id) || !pl.in_reports.is_empty();
        if compact && !important {
            continue;
        }
        let dot = (x - 3, y - 3, x + 3, y + 3);
        if !occupied.free(dot, p.frame) && !important {
            continue;
        }
        let label_style = if important {
            bold(size)
        } else {
            font(size - 1.0).color(&style::MUTED)
        };
        let name = if pl.uncertainty_km >= 10.0 && !compact {
            format!("{} (±{} km)", pl.name, pl.uncertainty_km)
        } else {
            pl.name.clone()
        };
        let placed = label_at(area, &name, (x, y), 5, &label_style, p.frame, occupied)?;
        if placed || important {
            draw(area, Circle::new((x, y), 3, style::TEXT.filled()))?;
            occupied.take(dot);
        }
    }
    Ok(())
}

/// Writes `text` beside `at` where it collides with nothing drawn so far; false if nowhere fits.
fn label_at<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    at: (i32, i32),
    gap: i32,
    style: &TextStyle<'_>,
    frame: Frame,
    occupied: &mut Occupied,
) -> Result<bool, RenderError> {
    let (w, h) = area
        .estimate_text_size(text, style)
        .map(|(w, h)| (w as i32, h as i32))
        .unwrap_or((text.len() as i32 * 7, 14));
    let (x, y) = at;
    // Close beside the point first; further out where a marker stands on it.
    let candidates = [gap, gap + 20].into_iter().flat_map(|gap| {
        [
            (x + gap, y - h / 2),
            (x - gap - w, y - h / 2),
            (x - w / 2, y - gap - h),
            (x - w / 2, y + gap),
            (x + gap, y - h - gap / 2),
            (x + gap, y + gap / 2),
        ]
    });
    for (cx, cy) in candidates {
        let b = (cx - 2, cy - 1, cx + w + 2, cy + h + 1);
        if occupied.free(b, frame) {
            // A pale halo keeps names readable over tracks and zones.
            draw(
                area,
                Rectangle::new([(b.0, b.1), (b.2, b.3)], WHITE.mix(0.6).filled()),
            )?;
            put_text(area, text, (cx, cy), style, HPos::Left, VPos::Top)?;
            occupied.take(b);
            return Ok(true);
        }
    }
    Ok(false)
}

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

/// What a legend line shows beside its text.
enum Key {
    Heading,
    Zone(Holder),
    Line(RGBColor, u32, bool),
    Cell(RGBColor),
    BusMarker(RGBColor),
    VehicleMarker(RGBColor),
    PeopleMarker(RGBColor),
    Cut,
    Strike,
    Place,
    Note,
}

/// Legend: zones in view at the map's time, roads, tracks, markers by status, events. Compact
/// legends (for the comparison) set their entries in two columns. Returns the y below it.
fn legend<DB: DrawingBackend>(
    area: &Area<DB>,
    scenes: &[Scene<'_>],
    p: &Projection,
    (x, y, w): (i32, i32, i32),
    bottom: i32,
    compact: bool,
) -> Result<i32, RenderError> {
    let Some(first) = scenes.first() else {
        return Ok(y);
    };
    let t = zone_time(first);
    let view = p.clip_polygon();
    let mut holders: Vec<Holder> = first
        .geo
        .zones
        .zones()
        .iter()
        .filter(|z| z.is_valid_at(t) && geo::Intersects::intersects(&z.geometry, &view))
        .map(|z| z.holder)
        .collect();
    holders.sort();
    holders.dedup();
    let mut statuses: Vec<Status> = scenes
        .iter()
        .flat_map(|s| s.result.agents.iter().map(|a| a.end.status))
        .collect();
    statuses.sort();
    statuses.dedup();

    let mut entries: Vec<(Key, String)> = vec![(
        Key::Heading,
        format!("Who held the ground, {}", t.strftime("%-d %b %Y")),
    )];
    entries.extend(
        holders
            .into_iter()
            .map(|h| (Key::Zone(h), style::holder_label(h).to_string())),
    );
    entries.push((Key::Note, "blank: no holder in the data".into()));
    entries.push((Key::Heading, "Roads and tracks".into()));
    for class in [
        RoadClass::Highway,
        RoadClass::Main,
        RoadClass::DesertRoad,
        RoadClass::Track,
    ] {
        let (colour, width, dashed) = style::road_style(class);
        entries.push((
            Key::Line(colour, width, dashed),
            style::road_label(class).into(),
        ));
    }
    entries.push((Key::Line(style::BUS_TRACK, 3, false), "bus track".into()));
    entries.push((
        Key::Line(style::PEOPLE_TRACK, 2, true),
        "people off the buses".into(),
    ));
    entries.push((Key::Heading, "Where they ended (number = count)".into()));
    entries.push((Key::BusMarker(style::MUTED), "buses".into()));
    for kind in VehicleKind::ALL.into_iter().filter(|&k| {
        k != VehicleKind::Bus
            && scenes
                .iter()
                .any(|s| s.result.vehicles().any(|a| a.kind.vehicle() == Some(k)))
    }) {
        entries.push((Key::VehicleMarker(style::MUTED), kind.plural().into()));
    }
    entries.push((
        Key::PeopleMarker(style::MUTED),
        "people off the buses".into(),
    ));
    for s in statuses {
        let note = match s {
            Status::Aboard => "people aboard (under their bus)",
            Status::Stalled => "stalled by a closed road",
            Status::Halted => "halted",
            Status::Unaccounted => "unaccounted for (last known point)",
            Status::Arrived => "arrived",
            Status::Moving => "still moving",
            Status::Waiting => "not yet set off",
        };
        entries.push((Key::BusMarker(style::status_colour(s)), note.into()));
    }
    if let Some(runs) = scenes.iter().find_map(|s| s.ensemble.map(|e| e.runs)) {
        entries.push((
            Key::Heading,
            format!("Where they end in {runs} realizations"),
        ));
        entries.push((
            Key::Cell(style::SPREAD_BUSES),
            "buses (stronger: more often)".into(),
        ));
        entries.push((
            Key::Cell(style::SPREAD_PEOPLE),
            "people off the buses".into(),
        ));
    }
    entries.push((Key::Heading, "Events and places".into()));
    let happened = |k: SimEventKind| {
        scenes
            .iter()
            .any(|s| s.result.events.iter().any(|e| e.kind() == k))
    };
    if happened(SimEventKind::RoadClosed) {
        entries.push((Key::Cut, "road cut".into()));
    }
    if happened(SimEventKind::Strike) {
        entries.push((Key::Strike, "strike on vehicles nearing the convoy".into()));
    }
    entries.push((Key::Place, "place (±km: inferred position)".into()));

    let (row, head, item) = if compact {
        (19, bold(14.0), font(12.0))
    } else {
        (24, bold(16.0), font(14.0))
    };
    let columns = if compact { 2 } else { 1 };
    let col_w = w / columns;
    let (mut y, mut col) = (y, 0);
    for (key, text) in entries {
        // What does not fit above `bottom` is left out rather than drawn over the footer.
        if y + row > bottom {
            break;
        }
        if let Key::Heading = key {
            if col > 0 {
                y += row;
                col = 0;
            }
            y += if y > 0 { 6 } else { 0 };
            put_text(
                area,
                &fit_text(area, &text, &head, w),
                (x, y),
                &head,
                HPos::Left,
                VPos::Top,
            )?;
            y += row + 2;
            continue;
        }
        let (kx, ky) = (x + col * col_w, y);
        match key {
            Key::Heading => {}
            Key::Zone(h) => {
                draw(
                    area,
                    Rectangle::new([(kx, ky), (kx + 24, ky + 14)], style::zone_fill(h).filled()),
                )?;
                draw(
                    area,
                    Rectangle::new(
                        [(kx, ky), (kx + 24, ky + 14)],
                        holder_colour(h).stroke_width(1),
                    ),
                )?;
            }
            Key::Line(colour, width, dashed) => {
                let pts = vec![(kx, ky + 7), (kx + 24, ky + 7)];
                if dashed {
                    draw(
                        area,
                        DashedPathElement::new(pts, 5, 4, colour.stroke_width(width)),
                    )?;
                } else {
                    draw(area, PathElement::new(pts, colour.stroke_width(width)))?;
                }
            }
            Key::Cell(c) => {
                for (k, alpha) in [SPREAD_ALPHA.0, SPREAD_ALPHA.1].into_iter().enumerate() {
                    let x = kx + k as i32 * 12;
                    draw(
                        area,
                        Rectangle::new([(x, ky), (x + 12, ky + 14)], c.mix(alpha).filled()),
                    )?;
                }
            }
            Key::BusMarker(c) => draw(
                area,
                Rectangle::new([(kx + 4, ky), (kx + 18, ky + 14)], c.filled()),
            )?,
            Key::VehicleMarker(c) => draw(
                area,
                plotters::element::Polygon::new(
                    vec![
                        (kx + 11, ky - 1),
                        (kx + 19, ky + 7),
                        (kx + 11, ky + 15),
                        (kx + 3, ky + 7),
                    ],
                    c.filled(),
                ),
            )?,
            Key::PeopleMarker(c) => draw(area, Circle::new((kx + 11, ky + 7), 7, c.filled()))?,
            Key::Cut => {
                let st = style::ROAD_CUT.stroke_width(3);
                draw(
                    area,
                    PathElement::new(vec![(kx + 5, ky), (kx + 18, ky + 13)], st),
                )?;
                draw(
                    area,
                    PathElement::new(vec![(kx + 5, ky + 13), (kx + 18, ky)], st),
                )?;
            }
            Key::Strike => draw(
                area,
                plotters::element::Polygon::new(
                    vec![(kx + 11, ky), (kx + 19, ky + 13), (kx + 3, ky + 13)],
                    style::STRIKE.filled(),
                ),
            )?,
            Key::Place => draw(
                area,
                Circle::new((kx + 11, ky + 7), 3, style::TEXT.filled()),
            )?,
            Key::Note => {}
        }
        let style = if matches!(key, Key::Note) {
            font(12.0).color(&style::MUTED)
        } else {
            item.clone()
        };
        let label = fit_text(area, &text, &style, col_w - 36);
        put_text(
            area,
            &label,
            (kx + 32, ky + 7),
            &style,
            HPos::Left,
            VPos::Center,
        )?;
        col += 1;
        if col == columns {
            col = 0;
            y += row;
        }
    }
    Ok(if col > 0 { y + row } else { y })
}

const ATTRIBUTION: &str = "Data: GeoNames (CC BY 4.0), OurAirports, Natural Earth, GSHHG; roads and zones: convoy-sim contributors (CC BY 4.0), approximate.";

fn citation(scene: &Scene<'_>) -> String {
    let c = &scene.scenario.account.cite;
    format!("Source: {}, {}: “{}”", c.outlet, c.date, c.quote)
}

/// Where the map frame of `map.png` starts: below the title, in from the left edge.
pub(super) const TITLE_HEIGHT: i32 = 78;
pub(super) const MAP_LEFT: i32 = 12;

/// `map.png`: title, map, legend, footer.
pub(super) fn run_map<DB: DrawingBackend>(
    root: &Area<DB>,
    scene: &Scene<'_>,
    view: View,
    size: Size,
) -> Result<(), RenderError> {
    root.fill(&WHITE).map_err(RenderError::from)?;
    let (w, h) = (size.width as i32, size.height as i32);
    let (title_h, footer_h) = (TITLE_HEIGHT, 58);
    let legend_w = (w / 5).clamp(250, 380);
    let frame = Frame {
        x: MAP_LEFT,
        y: title_h,
        w: w - legend_w - 24,
        h: h - title_h - footer_h,
    };
    let p = Projection::fit(view, frame);
    panel(root, scene, &p, false)?;

    let account = &scene.scenario.account;
    let title = fit_text(root, &account.title, &bold(28.0), w - 24);
    put_text(root, &title, (12, 12), &bold(28.0), HPos::Left, VPos::Top)?;
    let sub = format!(
        "{} — as of {} UTC",
        account.source,
        account.as_of.strftime("%-d %B %Y, %H:%M")
    );
    let sub = fit_text(root, &sub, &font(17.0), w - 24);
    put_text(
        root,
        &sub,
        (12, 48),
        &font(17.0).color(&style::MUTED),
        HPos::Left,
        VPos::Top,
    )?;

    let small = h < 800;
    legend(
        root,
        std::slice::from_ref(scene),
        &p,
        (frame.x + frame.w + 16, title_h, legend_w - 8),
        frame.y + frame.h,
        small,
    )?;

    let foot = font(13.0).color(&style::MUTED);
    let cite = fit_text(root, &citation(scene), &foot, w - 24);
    put_text(
        root,
        &cite,
        (12, h - footer_h + 10),
        &foot,
        HPos::Left,
        VPos::Top,
    )?;
    let meta = format!(
        "{ATTRIBUTION} Scenario {} · seed {} · convoy-sim {}",
        scene.scenario.name,
        scene.result.seed,
        env!("CARGO_PKG_VERSION")
    );
    let meta = fit_text(root, &meta, &foot, w - 24);
    put_text(
        root,
        &meta,
        (12, h - footer_h + 32),
        &foot,
        HPos::Left,
        VPos::Top,
    )
}

/// `compare.png`: a panel per account on one grid, same view and scale, and one legend cell.
pub(super) fn compare<DB: DrawingBackend>(
    root: &Area<DB>,
    scenes: &[Scene<'_>],
    view: View,
    size: Size,
) -> Result<(), RenderError> {
    root.fill(&WHITE).map_err(RenderError::from)?;
    let (w, h) = (size.width as i32, size.height as i32);
    let title_h = 64;
    let cells = scenes.len() + 1;
    let cols = if cells <= 3 { cells } else { cells.div_ceil(2) } as i32;
    let rows = (cells as i32 + cols - 1) / cols;
    let (cell_w, cell_h) = ((w - 12) / cols, (h - title_h - 8) / rows);
    let head_h = 46;
    let title = format!(
        "Where did the convoy end up? {} accounts, one map each",
        scenes.len()
    );
    put_text(
        root,
        &fit_text(root, &title, &bold(28.0), w - 24),
        (12, 12),
        &bold(28.0),
        HPos::Left,
        VPos::Top,
    )?;

    let mut projection = None;
    for (i, scene) in scenes.iter().enumerate() {
        let (c, r) = (i as i32 % cols, i as i32 / cols);
        let (x, y) = (12 + c * cell_w, title_h + r * cell_h);
        let frame = Frame {
            x,
            y: y + head_h,
            w: cell_w - 12,
            h: cell_h - head_h - 8,
        };
        let p = Projection::fit(view, frame);
        panel(root, scene, &p, true)?;
        let a = &scene.scenario.account;
        let line1 = fit_text(root, &a.source, &bold(16.0), frame.w);
        put_text(root, &line1, (x, y + 2), &bold(16.0), HPos::Left, VPos::Top)?;
        let line2 = format!(
            "{}, {} · as of {}",
            a.cite.outlet,
            a.cite.date,
            a.as_of.strftime("%-d %b %H:%M UTC")
        );
        let line2 = fit_text(root, &line2, &font(13.0), frame.w);
        put_text(
            root,
            &line2,
            (x, y + 23),
            &font(13.0).color(&style::MUTED),
            HPos::Left,
            VPos::Top,
        )?;
        projection.get_or_insert(p);
    }
    let i = scenes.len() as i32;
    let (x, y) = (12 + (i % cols) * cell_w, title_h + (i / cols) * cell_h);
    if let Some(p) = projection {
        let bottom = legend(
            root,
            scenes,
            &p,
            (x + 8, y, cell_w - 24),
            y + cell_h - 40,
            true,
        )?;
        let foot = font(12.0).color(&style::MUTED);
        let meta = format!(
            "Same extent and scale in every panel. {ATTRIBUTION} convoy-sim {}",
            env!("CARGO_PKG_VERSION")
        );
        let mut line_y = bottom + 6;
        for line in wrap(root, &meta, &foot, cell_w - 24) {
            if line_y + 16 > y + cell_h {
                break;
            }
            put_text(root, &line, (x + 8, line_y), &foot, HPos::Left, VPos::Top)?;
            line_y += 16;
        }
    }
    Ok(())
}

/// Greedy word wrap to `max_w` pixels.
fn wrap<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle<'_>,
    max_w: i32,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(area, &candidate, style) > max_w && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
