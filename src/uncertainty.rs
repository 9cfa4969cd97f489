//! What an account leaves uncertain, as named inputs drawn per realization: a vehicle group's
//! speed and departure where the scenario gives a range (`bus_group[stuck].speed_kmh`), the time
//! of an event the record dates only to a window (`event[2].at`), where on its road a cut or a
//! destination lies within the uncertainty of its place (`hamaymah_road_cut.position`), a head
//! count given as a range (`people_group[fighters].count`), and where a zone's edge lies within
//! its margin (`zone:islamic_state_euphrates_syria.edge`).
//!
//! A realization draws each input from its own stream, seeded by the realization's seed and the
//! input's name, so adding an input leaves the others' draws alone and the same seed gives the
//! same scenario. Drawing is a function from one quantile in `[0, 1)` per input to a concrete
//! [`Scenario`]: the engine never sees a range, and a sensitivity study can set the quantiles
//! itself. A single `run` uses the nominal scenario (every input at its nominal value: an event
//! at the earliest time of its window, a cut or destination at its place's road vertex, a head
//! count at its midpoint rounded down, a zone's edge as drawn); ensembles and `check`
//! draw; an input named in [`Scenario::fixed`] stays nominal everywhere.
//!
//! A group's speed and departure are one input each, drawn once for the group: buses in convoy
//! drive together. A single run draws them per vehicle from the scenario's ranges, as it always
//! has. Where a zone's edge lies (`zone:islamic_state_euphrates_syria.edge`) is one input per zone
//! (`base_id`: its periods move together, by one quantile) whose margin-grown bounds reach the
//! roads and places of the account; the line drawn is the median, with the outward margin
//! (`edge_km`) above it and the inward one (`edge_in_km`) below; nominal is the line as drawn.
//! Every classification of a realization's positions uses its edges (end zones, claims in a
//! zone); bars (`bar_zone`) keep the nominal edges, fixed when the scenario is read.
//! A people group's head count given as a range (`people_group[fighters].count`) is one input,
//! a whole number uniform over the range; nominal is the midpoint rounded down.
//! A place a plan drives or carries people to is drawn as a cut is, by one rule: a point on the
//! road through its vertex within its uncertainty, one input per place (`hamaymah.position`) for
//! its cuts and its drives alike; a drive to it ends partway along the segment.
//! The same point is where walks there go and what claims near it measure from. A place only
//! walked to (`walk_to`) or claimed near (`near`) is drawn on a grid within its uncertainty
//! around its point, one input per place too (`t2_station.position`). A claim of another account
//! near a place this account does not draw measures from the place's point. Drawn destinations
//! among several and stop distances stay per agent, in the engine.

use std::collections::BTreeSet;

use crate::Geography;
use crate::engine::rng::Stream;
use crate::gazetteer::PlaceId;
use crate::network::{RoadPoint, Traveller};
use crate::scenario::{EventKind, Scenario, Site, Span, Step};
use crate::units::{LonLat, Metres};

/// Spacing of the points a cut may be drawn at along its road.
pub const CUT_STEP: Metres = Metres(250.0);

/// One named uncertain input of one account.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    /// `event[2].at`, `hamaymah_road_cut.position`.
    pub name: String,
    /// What it is and over what it ranges, in one line.
    pub what: String,
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// Vehicle group `group`'s speed, one for all its vehicles, within its range.
    GroupSpeed { group: usize },
    /// Vehicle group `group`'s departure, one for all its vehicles, within its window.
    GroupDepart { group: usize },
    /// Event `event`'s time, within its window.
    EventTime { event: usize },
    /// Where one place lies on its road, one of `points`: for every `close_road_at` of it (the
    /// cut) and every plan step that drives or carries there (the drive ends there).
    /// The place's position is `locations[k]` too, for walks there and claims near it.
    Position {
        place: PlaceId,
        events: Vec<usize>,
        steps: Vec<StepAt>,
        points: Vec<RoadPoint>,
        locations: Vec<LonLat>,
    },
    /// Where a place no one drives to lies, one of `points` (lon, lat) around it: for walks there
    /// and claims near it.
    Spot { place: PlaceId, points: Vec<LonLat> },
    /// People group `group`'s head count, a whole number within its range.
    Count { group: usize },
    /// Where one zone's edge lies, in every period of it (`periods`: feature index and margin):
    /// one quantile moves each period's edge by [`Margin::shift`], so a front keeps its place
    /// from one period to the next.
    ZoneEdge { periods: Vec<(usize, Margin)> },
}

/// How far one zone feature's edge may lie from the line drawn, inward and outward.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Margin {
    inward: Metres,
    outward: Metres,
}

impl Margin {
    fn of(zone: &crate::zones::Zone) -> Margin {
        Margin {
            inward: Metres::from_km(zone.edge_in_km()),
            outward: Metres::from_km(zone.edge_km),
        }
    }

    /// The edge's shift at quantile `u` (positive: outward). The line drawn is the median: below
    /// it uniform over the inward margin, above it uniform over the outward one, so that a margin
    /// the same both ways is uniform over ±margin.
    fn shift(self, u: f64) -> Metres {
        let s = 2.0 * u - 1.0;
        Metres(
            s * if s < 0.0 {
                self.inward.0
            } else {
                self.outward.0
            },
        )
    }
}

/// A destination of a plan step: group (vehicle groups, or people groups), step, destination.
#[derive(Clone, Copy, Debug, PartialEq)]
struct StepAt {
    people: bool,
    group: usize,
    step: usize,
    to: usize,
}

/// Every uncertain input of one account, in a stable order (events' times in file order, then
/// cut places in the order they first appear).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inputs {
    pub list: Vec<Input>,
}

impl Inputs {
    /// The uncertain inputs of `scenario`.
    pub fn of(scenario: &Scenario, geo: &Geography) -> Inputs {
        let mut list = group_inputs(scenario);
        list.extend(count_inputs(scenario));
        list.extend(event_time_inputs(scenario));
        list.extend(position_inputs(scenario, geo));
        list.extend(zone_edge_inputs(scenario, geo));
        Inputs { list }
    }

    /// The quantiles realization seed `seed` draws, one per input; `None` for inputs held fixed.
    pub fn draw(&self, seed: u64, fixed: &BTreeSet<String>) -> Vec<Option<f64>> {
        self.list
            .iter()
            .map(|input| {
                (!fixed.contains(&input.name)).then(|| {
                    let mut rng = Stream::joined(seed, &["input:", &input.name]);
                    rng.draw(Span {
                        low: 0.0,
                        high: 1.0,
                    })
                })
            })
            .collect()
    }

    /// `scenario` with each input at quantile `u[i]` of its range, or nominal where `None`.
    pub fn realize(&self, scenario: &Scenario, u: &[Option<f64>]) -> Scenario {
        let mut s = scenario.clone();
        for (input, u) in self.list.iter().zip(u) {
            let Some(u) = *u else { continue };
            let u = u.clamp(0.0, 1.0);
            match &input.kind {
                Kind::GroupSpeed { group } => {
                    let g = &mut s.vehicle_groups[*group];
                    g.speed = Span::fixed(g.speed.low + u * (g.speed.high - g.speed.low));
                }
                Kind::GroupDepart { group } => {
                    let g = &mut s.vehicle_groups[*group];
                    g.depart = Span::fixed(time_at(g.depart, u));
                }
                Kind::EventTime { event } => {
                    s.events[*event].at = time_at(s.events[*event].window, u);
                }
                Kind::Position {
                    place,
                    events,
                    steps,
                    points,
                    locations,
                } => {
                    let k = ((u * points.len() as f64) as usize).min(points.len() - 1);
                    s.places.set(*place, locations[k]);
                    for &e in events {
                        if let EventKind::CloseRoadAt { point, .. } = &mut s.events[e].kind {
                            *point = Some(points[k]);
                        }
                    }
                    for at in steps {
                        let plan = if at.people {
                            &mut s.people_groups[at.group].plan
                        } else {
                            &mut s.vehicle_groups[at.group].plan
                        };
                        if let Some(Step::DriveTo { to, .. } | Step::CarriedTo { to, .. }) =
                            plan.get_mut(at.step)
                            && let Some(site) = to.get_mut(at.to)
                        {
                            site.point = Some(points[k]);
                        }
                    }
                }
                Kind::Spot { place, points } => {
                    let k = ((u * points.len() as f64) as usize).min(points.len() - 1);
                    s.places.set(*place, points[k]);
                }
                Kind::Count { group } => {
                    let g = &mut s.people_groups[*group];
                    g.people = count_at(g.count, u);
                }
                Kind::ZoneEdge { periods } => {
                    for (zone, margin) in periods {
                        s.edges.set(*zone, margin.shift(u));
                    }
                }
            }
        }
        // Drawn times may reorder the events; same-time events keep file order.
        s.events.sort_by_key(|e| e.at);
        s
    }

    /// The scenario realization `seed` of an ensemble runs: drawn, except what is fixed.
    pub fn realization(&self, scenario: &Scenario, seed: u64) -> Scenario {
        if self.list.is_empty() {
            return scenario.clone();
        }
        self.realize(scenario, &self.draw(seed, &scenario.fixed))
    }
}

/// A vehicle group's speed and departure, where the scenario gives a range.
fn group_inputs(scenario: &Scenario) -> Vec<Input> {
    let mut list = Vec::new();
    for (i, g) in scenario.vehicle_groups.iter().enumerate() {
        let table = if g.kind == crate::scenario::VehicleKind::Bus {
            "bus_group"
        } else {
            "vehicle_group"
        };
        if g.speed.is_random() {
            list.push(Input {
                name: format!("{table}[{}].speed_kmh", g.id),
                what: format!(
                    "the {} speed of group {}: {}–{} km/h",
                    g.kind.as_str(),
                    g.id,
                    g.speed.low,
                    g.speed.high
                ),
                kind: Kind::GroupSpeed { group: i },
            });
        }
        if g.depart.is_random() {
            list.push(Input {
                name: format!("{table}[{}].depart", g.id),
                what: format!(
                    "when group {} set off: {} to {}",
                    g.id, g.depart.low, g.depart.high
                ),
                kind: Kind::GroupDepart { group: i },
            });
        }
    }
    list
}

/// People groups' head counts given as a range.
fn count_inputs(scenario: &Scenario) -> Vec<Input> {
    (scenario.people_groups.iter().enumerate())
        .filter(|(_, g)| g.count.is_random())
        .map(|(group, g)| Input {
            name: format!("people_group[{}].count", g.id),
            what: format!(
                "how many {} in group {}: {} (nominal {}, the midpoint rounded down)",
                g.kind.as_str(),
                g.id,
                g.count,
                g.count.nominal()
            ),
            kind: Kind::Count { group },
        })
        .collect()
}

/// The whole number quantile `u` of the way through `range`, each equally likely over `[0, 1)`.
fn count_at(range: Span<u32>, u: f64) -> u32 {
    let width = f64::from(range.high - range.low) + 1.0;
    range.low + ((u * width).floor() as u32).min(range.high - range.low)
}

/// Event times given as a window.
fn event_time_inputs(scenario: &Scenario) -> Vec<Input> {
    let mut list = Vec::new();
    for (i, e) in scenario.events.iter().enumerate() {
        if e.window.is_random() {
            list.push(Input {
                name: format!("event[{}].at", i + 1),
                what: format!(
                    "when event {} happened: {} to {}",
                    i + 1,
                    e.window.low,
                    e.window.high
                ),
                kind: Kind::EventTime { event: i },
            });
        }
    }
    list
}

/// Where each place lies on its road, one input per place: the places the road is cut at
/// (`close_road_at`), in the order they first appear, then the places plans drive or carry people
/// to (`drive_to`, `carried_to`), vehicle groups' then people groups', in plan order. Both follow
/// one rule ([`cut_points`]): a point along the road at the place, within its uncertainty.
fn position_inputs(scenario: &Scenario, geo: &Geography) -> Vec<Input> {
    struct Uses {
        place: PlaceId,
        node: petgraph::graph::NodeIndex,
        events: Vec<usize>,
        steps: Vec<StepAt>,
    }
    let mut places: Vec<Uses> = Vec::new();
    fn uses<'u>(places: &'u mut Vec<Uses>, site: &Site) -> &'u mut Uses {
        let k = match places.iter().position(|u| u.place == site.place) {
            Some(k) => k,
            None => {
                places.push(Uses {
                    place: site.place,
                    node: site.node,
                    events: Vec::new(),
                    steps: Vec::new(),
                });
                places.len() - 1
            }
        };
        &mut places[k]
    }
    for (i, e) in scenario.events.iter().enumerate() {
        if let EventKind::CloseRoadAt { site, .. } = &e.kind {
            uses(&mut places, site).events.push(i);
        }
    }
    let plans = (scenario.vehicle_groups.iter().map(|g| (false, &g.plan)))
        .chain(scenario.people_groups.iter().map(|g| (true, &g.plan)));
    let mut group = [0usize; 2];
    for (people, plan) in plans {
        for (step, s) in plan.iter().enumerate() {
            if let Step::DriveTo { to, .. } | Step::CarriedTo { to, .. } = s {
                for (k, site) in to.iter().enumerate() {
                    uses(&mut places, site).steps.push(StepAt {
                        people,
                        group: group[usize::from(people)],
                        step,
                        to: k,
                    });
                }
            }
        }
        group[usize::from(people)] += 1;
    }
    let on_road: Vec<PlaceId> = places.iter().map(|u| u.place).collect();
    let mut list = Vec::new();
    for u in places {
        let p = geo.gazetteer.get(u.place);
        let points = cut_points(geo, u.node, p.location(), Metres::from_km(p.uncertainty_km));
        if points.len() < 2 {
            continue;
        }
        let what = match (u.events.is_empty(), u.steps.is_empty()) {
            (false, true) => "where the road is cut",
            (true, false) => "where the drive there ends",
            _ => "where the road is cut and the drive there ends",
        };
        list.push(Input {
            name: format!("{}.position", p.id),
            what: format!(
                "{what}: along the road within {} km of {} ({} points {} m apart)",
                p.uncertainty_km,
                p.name,
                points.len(),
                CUT_STEP.0
            ),
            kind: Kind::Position {
                place: u.place,
                events: u.events,
                steps: u.steps,
                locations: points.iter().map(|q| q.location(&geo.network)).collect(),
                points,
            },
        });
    }
    list.extend(spot_inputs(scenario, geo, &on_road));
    list
}

/// Where each place the account walks to (`walk_to`) or claims something near (`near`) lies,
/// for those no drive or cut draws on its road already: one input per place, a point of a square
/// grid within the place's uncertainty around it. In plan order (vehicle groups', then people
/// groups'), then claim order.
fn spot_inputs(scenario: &Scenario, geo: &Geography, on_road: &[PlaceId]) -> Vec<Input> {
    let walks = (scenario.people_groups.iter().flat_map(|g| &g.plan))
        .filter(|s| matches!(s, Step::WalkTo { .. }))
        .flat_map(|s| s.destinations());
    let near = scenario.claims.iter().flat_map(|c| match &c.region {
        crate::scenario::Region::Near { sites, .. } => sites.as_slice(),
        crate::scenario::Region::Zone(_) => &[],
    });
    // Each place, and whether it is walked to and claimed near.
    let mut places: Vec<(PlaceId, [bool; 2])> = Vec::new();
    let uses = (walks.map(|s| (s, 0))).chain(near.map(|s| (s, 1)));
    for (site, how) in uses {
        if on_road.contains(&site.place) {
            continue;
        }
        match places.iter_mut().find(|(p, _)| *p == site.place) {
            Some((_, used)) => used[how] = true,
            None => {
                let mut used = [false; 2];
                used[how] = true;
                places.push((site.place, used));
            }
        }
    }
    let mut list = Vec::new();
    for (place, used) in places {
        let why = match used {
            [true, true] => "for walks there and claims near it",
            [true, false] => "for walks there",
            _ => "for claims near it",
        };
        let p = geo.gazetteer.get(place);
        let (points, step) = spot_points(p.location(), Metres::from_km(p.uncertainty_km));
        if points.len() < 2 {
            continue;
        }
        list.push(Input {
            name: format!("{}.position", p.id),
            what: format!(
                "where {} lies, {why}: within {} km of its point ({} points {} m apart)",
                p.name,
                p.uncertainty_km,
                points.len(),
                step.0.round()
            ),
            kind: Kind::Spot { place, points },
        });
    }
    list
}

/// Most points across a spot's grid: a 20 km radius is drawn every 1 km.
const SPOT_ACROSS: f64 = 40.0;

/// The points of a square grid within `radius` of `centre` (lon, lat), `centre` among them, and
/// their spacing: [`CUT_STEP`], or wider so that at most [`SPOT_ACROSS`] fit across the circle.
/// South to north, then west to east.
///
/// # Units
/// (lon, lat) degrees in and out; the grid is laid in a local equirectangular plane around
/// `centre`.
fn spot_points(centre: LonLat, radius: Metres) -> (Vec<LonLat>, Metres) {
    use crate::zones::KM_PER_DEGREE;
    let step = Metres(CUT_STEP.0.max(2.0 * radius.0 / SPOT_ACROSS));
    let n = (radius.0 / step.0).floor() as i64;
    let kx = KM_PER_DEGREE * centre.lat.to_radians().cos();
    let mut points = Vec::new();
    for j in -n..=n {
        for i in -n..=n {
            let (x, y) = (i as f64 * step.km(), j as f64 * step.km());
            if x.hypot(y) <= radius.km() {
                points.push(LonLat::new(
                    centre.lon + x / kx,
                    centre.lat + y / KM_PER_DEGREE,
                ));
            }
        }
    }
    (points, step)
}

/// Where each zone's edge lies: one input per zone (`base_id`: all its periods), for the periods
/// that hold ground at some time of the run, have a margin, and whose bounds grown by their
/// outward margin reach the account's [`Footprint`] — a zone that cannot reach any place the
/// account's agents or claims can be never changes a classification. In the zones' file order.
fn zone_edge_inputs(scenario: &Scenario, geo: &Geography) -> Vec<Input> {
    let footprint = Footprint::of(scenario, geo);
    let mut fronts: Vec<(&crate::zones::Zone, Vec<(usize, Margin)>)> = Vec::new();
    for (i, z) in geo.zones.zones().iter().enumerate() {
        let margin = Margin::of(z);
        let in_force = z.valid_from <= scenario.end && z.valid_to > scenario.start;
        if !in_force
            || (margin.inward.0 == 0.0 && margin.outward.0 == 0.0)
            || !footprint.reached_by(z, margin.outward)
        {
            continue;
        }
        match fronts.iter_mut().find(|(f, _)| f.base_id() == z.base_id()) {
            Some((_, periods)) => periods.push((i, margin)),
            None => fronts.push((z, vec![(i, margin)])),
        }
    }
    (fronts.into_iter())
        .map(|(z, periods)| {
            let widest = |m: fn(&Margin) -> Metres| {
                (periods.iter().map(|(_, g)| m(g).km())).fold(0.0, f64::max)
            };
            let (inward, outward) = (widest(|m| m.inward), widest(|m| m.outward));
            let spread = if periods.len() > 1 {
                format!(" (one draw for its {} periods)", periods.len())
            } else {
                String::new()
            };
            Input {
                name: format!("zone:{}.edge", z.base_id()),
                what: format!(
                    "where the edge of {} ground ({}) lies: up to {inward} km inside and \
                     {outward} km outside the line drawn{spread}",
                    z.holder,
                    z.base_id()
                ),
                kind: Kind::ZoneEdge { periods },
            }
        })
        .collect()
}

/// Where an account's agents and claims can be, as boxes (lon, lat degrees): each road segment its
/// vehicles may use (bus roads; tracks too if it has pick-ups or trucks or carries people), as
/// agents move on the straight line between its ends, and each place it names, its uncertainty
/// wide (where a drawn position can put it). People who walk go straight across country from
/// wherever they are: an account with walks has instead the one box holding all of those, which
/// holds every straight line between two of its points.
struct Footprint {
    boxes: Vec<geo::Rect<f64>>,
}

impl Footprint {
    fn of(scenario: &Scenario, geo: &Geography) -> Footprint {
        use geo::Rect;
        let net = &geo.network;
        let plans = || {
            (scenario.vehicle_groups.iter().flat_map(|g| &g.plan))
                .chain(scenario.people_groups.iter().flat_map(|g| &g.plan))
        };
        let tracks = (scenario.vehicle_groups.iter())
            .any(|g| g.kind.traveller() == Traveller::Track)
            || plans().any(|s| matches!(s, Step::CarriedTo { .. }));
        let walks = plans().any(|s| matches!(s, Step::WalkTo { .. }));
        let mut boxes: Vec<Rect<f64>> = (net.graph().edge_indices())
            .filter(|&e| {
                net.open_to(Traveller::Road, e) || (tracks && net.open_to(Traveller::Track, e))
            })
            .filter_map(|e| net.graph().edge_endpoints(e))
            .map(|(a, b)| {
                let (a, b) = (net.node(a), net.node(b));
                Rect::new((a.lon, a.lat), (b.lon, b.lat))
            })
            .collect();
        let mut sites: Vec<&Site> = vec![&scenario.convoy.origin];
        sites.extend(plans().flat_map(|s| s.destinations()));
        for e in &scenario.events {
            match &e.kind {
                EventKind::CloseRoadAt { site, .. } | EventKind::StrikeNear { site } => {
                    sites.push(site)
                }
                EventKind::CloseRoad { from, to, .. } => sites.extend([from, to]),
                _ => {}
            }
        }
        for c in &scenario.claims {
            if let crate::scenario::Region::Near { sites: near, .. } = &c.region {
                sites.extend(near);
            }
        }
        boxes.extend(sites.iter().map(|s| place_box(geo, s.place)));
        if walks && let Some(first) = boxes.first().copied() {
            let all = boxes.iter().fold(first, |a, b| {
                Rect::new(
                    (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
                    (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
                )
            });
            boxes = vec![all];
        }
        Footprint { boxes }
    }

    /// Whether any of `zone`'s polygons, its bounds grown by `outward`, meets the footprint.
    fn reached_by(&self, zone: &crate::zones::Zone, outward: Metres) -> bool {
        use geo::Intersects;
        zone.part_bounds().any(|b| {
            let b = grown(b, outward);
            self.boxes.iter().any(|f| f.intersects(&b))
        })
    }
}

/// `place`'s box (lon, lat degrees): its point and its uncertainty around it.
fn place_box(geo: &Geography, place: PlaceId) -> geo::Rect<f64> {
    let p = geo.gazetteer.get(place);
    let at = p.location();
    grown(
        geo::Rect::new((at.lon, at.lat), (at.lon, at.lat)),
        Metres::from_km(p.uncertainty_km),
    )
}

/// `b` (lon, lat degrees) grown by `by` on every side: by its width in degrees at the box's
/// latitude furthest from the equator, where a degree of longitude is shortest.
fn grown(b: geo::Rect<f64>, by: Metres) -> geo::Rect<f64> {
    use crate::zones::KM_PER_DEGREE;
    let lat = b.min().y.abs().max(b.max().y.abs()).min(89.0);
    let dlat = by.km() / KM_PER_DEGREE;
    let dlon = by.km() / (KM_PER_DEGREE * lat.to_radians().cos());
    geo::Rect::new(
        (b.min().x - dlon, b.min().y - dlat),
        (b.max().x + dlon, b.max().y + dlat),
    )
}

/// The time a fraction `u` of the way through `window`, to the second.
fn time_at(window: Span<jiff::Timestamp>, u: f64) -> jiff::Timestamp {
    let span = window.low.duration_until(window.high).as_secs() as f64;
    window.low + jiff::SignedDuration::from_secs((u * span).floor() as i64)
}

/// Points every [`CUT_STEP`] along the bus-road segments that meet at `node` — the road between
/// the place's neighbouring vertices, "between Hamaymah and Al Bukamal" for the crater — that lie
/// within `radius` of `centre` (lon, lat): where a cut named after a place may be. A cut further
/// along would be past a named place, which the scenario would have named instead. In segment
/// order, then along.
fn cut_points(
    geo: &Geography,
    node: petgraph::graph::NodeIndex,
    centre: crate::units::LonLat,
    radius: Metres,
) -> Vec<RoadPoint> {
    use petgraph::visit::EdgeRef;
    let net = &geo.network;
    let mut segments: Vec<_> = net
        .graph()
        .edges(node)
        .filter(|e| net.open_to(Traveller::Road, e.id()))
        .map(|e| e.id())
        .collect();
    segments.sort();
    segments.dedup();
    let mut points = Vec::new();
    for e in segments {
        let steps = (net.segment(e).length.0 / CUT_STEP.0).floor() as usize;
        for k in 0..=steps {
            let p = RoadPoint {
                edge: e,
                along: Metres(k as f64 * CUT_STEP.0),
            };
            if p.location(net).distance(centre).0 <= radius.0 {
                points.push(p);
            }
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    const ACCOUNT: &str = include_str!("../tests/scenarios/impossible_claim.toml");

    fn setup(text: &str) -> (Geography, Scenario) {
        let geo = Geography::embedded().unwrap();
        let s = Scenario::from_toml(text, "t", "t", &geo).unwrap();
        (geo, s)
    }

    fn cut_of(s: &Scenario) -> Option<RoadPoint> {
        s.events.iter().find_map(|e| match &e.kind {
            EventKind::CloseRoadAt { point, .. } => *point,
            _ => None,
        })
    }

    #[test]
    fn a_cut_is_drawn_along_its_road_within_its_place_radius_and_nominal_when_fixed() {
        let (geo, s) = setup(ACCOUNT);
        let inputs = Inputs::of(&s, &geo);
        let names: Vec<&str> = inputs.list.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(
            names[..4],
            [
                "bus_group[convoy].speed_kmh",
                "hamaymah_road_cut.position",
                "hamaymah.position",
                "al_bukamal.position"
            ]
        );
        // Then Rawa, which the account's claim is near, then the edge of every zone in force
        // during the run that gives a margin and can reach the account.
        assert_eq!(names[4], "rawa.position");
        assert!(
            names[5..]
                .iter()
                .all(|n| n.starts_with("zone:") && n.ends_with(".edge"))
        );
        assert!(names.contains(&"zone:syrian_government_central_desert.edge"));
        let place = geo.gazetteer.lookup("Hamaymah road cut").unwrap().place;
        let radius = Metres::from_km(place.uncertainty_km);
        for u in [0.0, 0.25, 0.5, 0.999_999] {
            let r = inputs.realize(&s, &[None, Some(u)]);
            let p = cut_of(&r).expect("a drawn cut");
            assert!(p.location(&geo.network).distance(place.location()).0 <= radius.0 + 1.0);
            assert!(geo.network.open_to(Traveller::Road, p.edge));
        }
        let (first, last) = (
            inputs.realize(&s, &[None, Some(0.0)]),
            inputs.realize(&s, &[None, Some(0.999_999)]),
        );
        assert_ne!(cut_of(&first), cut_of(&last), "the draw moves the cut");
        // Nominal: the place's road vertex, as a single run has it.
        assert_eq!(cut_of(&inputs.realize(&s, &[None, None])), None);
        let mut fixed = s.clone();
        fixed.fixed = ["hamaymah_road_cut.position".to_string()].into();
        assert_eq!(cut_of(&inputs.realization(&fixed, 7)), None);
    }

    #[test]
    fn a_groups_speed_is_drawn_once_for_all_its_vehicles_within_its_range() {
        let (geo, s) = setup(ACCOUNT);
        let inputs = Inputs::of(&s, &geo);
        for (u, want) in [(0.0, 40.0), (0.5, 50.0)] {
            let r = inputs.realize(&s, &[Some(u), None]);
            assert_eq!(r.vehicle_groups[0].speed, Span::fixed(want));
        }
        assert_eq!(
            inputs.realize(&s, &[None, None]).vehicle_groups[0].speed,
            s.vehicle_groups[0].speed
        );
    }

    #[test]
    fn an_event_window_is_drawn_within_it_the_same_for_the_same_seed() {
        let text = ACCOUNT.replace(
            "at = 2017-08-30T06:00:00Z\nclose_road_at",
            "at = [2017-08-30T00:00:00Z, 2017-08-30T12:00:00Z]\nclose_road_at",
        );
        let (geo, s) = setup(&text);
        assert_eq!(
            s.events[0].at, s.events[0].window.low,
            "nominal: the earliest"
        );
        let inputs = Inputs::of(&s, &geo);
        assert!(inputs.list.iter().any(|i| i.name == "event[1].at"));
        let times: Vec<_> = (0..50)
            .map(|seed| inputs.realization(&s, seed).events[0].at)
            .collect();
        let w = s.events[0].window;
        assert!(times.iter().all(|t| *t >= w.low && *t <= w.high));
        assert!(times.iter().any(|t| *t != times[0]), "the draws differ");
        let again: Vec<_> = (0..50)
            .map(|seed| inputs.realization(&s, seed).events[0].at)
            .collect();
        assert_eq!(times, again);
    }

    #[test]
    fn a_destination_is_drawn_on_its_road_within_its_radius_and_the_drive_ends_there() {
        let (geo, s) = setup(ACCOUNT);
        let inputs = Inputs::of(&s, &geo);
        let k = (inputs.list.iter())
            .position(|i| i.name == "hamaymah.position")
            .expect("the destination is an input");
        assert!(inputs.list[k].what.contains("where the drive there ends"));
        let place = geo.gazetteer.lookup("Hamaymah").unwrap().place;
        let node = s.vehicle_groups[0].plan[0].destinations()[0].node;
        let radius = Metres::from_km(place.uncertainty_km);
        let waiting = jiff::Timestamp::from_second(1_504_072_800).unwrap(); // 30 Aug 06:00Z
        let mut seen = Vec::new();
        for u in [0.0, 0.3, 0.6, 0.999_999] {
            let mut q = vec![None; inputs.list.len()];
            q[k] = Some(u);
            let drawn = inputs.realize(&s, &q);
            let p = drawn.vehicle_groups[0].plan[0].destinations()[0]
                .point
                .expect("a drawn point");
            let at = p.location(&geo.network);
            assert!(
                at.distance(place.location()).0 <= radius.0 + 1.0,
                "{u}: {at}"
            );
            assert!(
                geo.network.open_to(Traveller::Road, p.edge),
                "on a bus road"
            );
            let (a, b) = geo.network.graph().edge_endpoints(p.edge).unwrap();
            assert!(
                a == node || b == node,
                "on a road through the place's vertex"
            );
            // The buses wait where the drive ended: at the drawn point.
            let r = crate::engine::run(&drawn, &geo);
            for bus in r.buses() {
                let end = bus.position_at(waiting);
                assert!(end.distance(at).0 < 2.0, "{u}: {end} is not {at}");
            }
            seen.push(at);
        }
        assert!(seen.windows(2).any(|w| w[0] != w[1]), "the draw moves it");
        // Nominal: the place's vertex.
        let nominal = inputs.realize(&s, &vec![None; inputs.list.len()]);
        assert_eq!(
            nominal.vehicle_groups[0].plan[0].destinations()[0].point,
            None
        );
    }

    #[test]
    fn a_margin_puts_the_line_drawn_at_the_median_and_each_side_its_own_width() {
        let m = Margin {
            inward: Metres::from_km(2.0),
            outward: Metres::from_km(10.0),
        };
        let km = |u: f64| (m.shift(u).km() * 1e6).round() / 1e6;
        assert_eq!(
            [km(0.0), km(0.25), km(0.5), km(0.75), km(1.0)],
            [-2.0, -1.0, 0.0, 5.0, 10.0]
        );
    }

    #[test]
    fn a_zone_is_one_input_across_its_periods_and_drawn_inward_keeps_what_was_surely_held() {
        // Run to 13 Sep, across the ISIS line's periods (it moves on 2, 4, 5, 9 and 10 Sep).
        let long = ACCOUNT.replace("end = 2017-08-30T12:00:00Z", "end = 2017-09-13T00:00:00Z");
        let (geo, s) = setup(&long);
        let inputs = Inputs::of(&s, &geo);
        let k = (inputs.list.iter())
            .position(|i| i.name == "zone:islamic_state_euphrates_syria.edge")
            .expect("the ISIS front is one input");
        let Kind::ZoneEdge { periods } = &inputs.list[k].kind else {
            panic!("not a zone edge")
        };
        assert!(periods.len() > 1, "{periods:?}");
        assert!(
            !(inputs.list.iter()).any(|i| i.name.contains("_0827T0000")),
            "no input per period"
        );
        // Every edge at its innermost: the places the record says were held stay held.
        let mut q = vec![None; inputs.list.len()];
        for (i, input) in inputs.list.iter().enumerate() {
            if let Kind::ZoneEdge { .. } = input.kind {
                q[i] = Some(0.0);
            }
        }
        let innermost = inputs.realize(&s, &q);
        for (zone, _) in periods {
            let (shift, inward) = (
                innermost.edges.of(*zone),
                Margin::of(&geo.zones.zones()[*zone]).inward,
            );
            assert_eq!(shift.0, -inward.0, "one quantile moves every period alike");
        }
        let at = |t: &str| crate::units::parse_utc(t).unwrap();
        let held = [
            ("Palmyra", "syrian_government"),
            ("As-Sukhnah", "syrian_government"),
            ("Hamaymah", "syrian_government"),
            ("T2", "islamic_state"),
            ("Al Bukamal", "islamic_state"),
        ];
        for t in ["2017-08-30T12:00:00Z", "2017-09-12T12:00:00Z"] {
            for (place, holder) in held {
                let p = geo.gazetteer.lookup(place).unwrap().place.location();
                let got = (geo.zones.holder_at_shifted(p, at(t), &innermost.edges)).unwrap();
                assert_eq!(got.holder.as_str(), holder, "{place} at {t}");
            }
        }
    }

    #[test]
    fn a_zone_that_cannot_reach_the_accounts_roads_or_places_is_no_input() {
        let (geo, s) = setup(ACCOUNT);
        let inputs = Inputs::of(&s, &geo);
        let names: Vec<&str> = inputs.list.iter().map(|i| i.name.as_str()).collect();
        for far in [
            "kurdistan_region",
            "sdf_jazira",
            "islamic_state_raqqa_centre",
        ] {
            assert!(
                !names.contains(&format!("zone:{far}.edge").as_str()),
                "{far}"
            );
        }
        assert!(names.contains(&"zone:syrian_government_central_desert.edge"));
        // The rule is sound: every zone in force left out, grown to its outer margin, changes the
        // holder of no point along any bus road.
        let drawn: BTreeSet<usize> = (inputs.list.iter())
            .flat_map(|i| match &i.kind {
                Kind::ZoneEdge { periods } => periods.iter().map(|(z, _)| *z).collect(),
                _ => Vec::new(),
            })
            .collect();
        let mut grown = crate::zones::EdgeShifts::nominal();
        let mut left_out = 0;
        for (i, z) in geo.zones.zones().iter().enumerate() {
            if !drawn.contains(&i) && z.edge_km > 0.0 {
                grown.set(i, Metres::from_km(z.edge_km));
                left_out += 1;
            }
        }
        assert!(left_out > 0);
        let t = crate::units::parse_utc("2017-09-01T12:00:00Z").unwrap();
        let net = &geo.network;
        for e in net.graph().edge_indices() {
            if !net.open_to(Traveller::Road, e) {
                continue;
            }
            let steps = (net.segment(e).length.0 / 2000.0).ceil() as usize;
            for k in 0..=steps {
                let along = Metres(net.segment(e).length.0 * k as f64 / steps.max(1) as f64);
                let p = RoadPoint { edge: e, along }.location(net);
                let plain = geo.zones.holder_at(p, t).unwrap().holder;
                let moved = geo.zones.holder_at_shifted(p, t, &grown).unwrap().holder;
                assert_eq!(plain, moved, "{p}");
            }
        }
    }

    #[test]
    fn a_spot_grid_lies_within_its_radius_centred_on_the_place_and_thins_out_when_wide() {
        let centre = LonLat::new(40.1524, 34.3905);
        let (points, step) = spot_points(centre, Metres::from_km(5.0));
        assert_eq!(step, CUT_STEP);
        assert!(points.contains(&centre));
        assert!(
            points
                .iter()
                .all(|p| p.distance(centre).0 <= 5_000.0 * 1.01)
        );
        // A 2 km step on a 40 km radius: as many points across as a 5 km radius at 250 m.
        let (wide, step) = spot_points(centre, Metres::from_km(40.0));
        assert_eq!((step, wide.len()), (Metres(2_000.0), points.len()));
        assert!(wide.iter().any(|p| p.distance(centre).0 > 38_000.0));
        assert_eq!(spot_points(centre, Metres::ZERO).0, vec![centre]);
    }

    #[test]
    fn a_walk_destination_is_drawn_within_its_radius_and_the_walkers_go_there() {
        // The fighters leave the buses on 30 Aug and walk to T2 (±5 km, no road drive there).
        let text = ACCOUNT.replace(
            "aboard = \"convoy\"\n",
            "aboard = \"convoy\"\nplan = [{ ride_until = 2017-08-29T20:00:00Z }, \
             { walk_to = \"T2\", speed_kmh = 5 }]\n",
        );
        let (geo, s) = setup(&text);
        let inputs = Inputs::of(&s, &geo);
        let k = (inputs.list.iter())
            .position(|i| i.name == "t2_station.position")
            .unwrap_or_else(|| panic!("{:?}", inputs.list));
        assert!(
            inputs.list[k].what.contains("for walks there"),
            "{}",
            inputs.list[k].what
        );
        let t2 = geo.gazetteer.lookup("T2").unwrap();
        let centre = t2.place.location();
        let mut ends = Vec::new();
        for u in [0.0, 0.5, 0.999_999] {
            let mut q = vec![None; inputs.list.len()];
            q[k] = Some(u);
            let drawn = inputs.realize(&s, &q);
            let at = drawn.places.location(&geo.gazetteer, t2.id);
            assert!(at.distance(centre).0 <= Metres::from_km(t2.place.uncertainty_km).0 + 1.0);
            let r = crate::engine::run(&drawn, &geo);
            let walker = (r.agents.iter())
                .find(|a| matches!(a.kind, crate::engine::AgentKind::People { .. }))
                .unwrap();
            let end = walker.position_at(r.end);
            assert!(
                end.distance(at).0 < 10.0,
                "{u}: the walk ends at {end}, not {at}"
            );
            ends.push(end);
        }
        assert_ne!(ends[0], ends[2], "the draw moves where they walk to");
        assert_eq!(
            ends[1].distance(centre).0.round(),
            0.0,
            "the median is the point itself"
        );
    }

    /// The test account with its 300 fighters given as `range` (in the convoy and the group).
    fn with_fighters(range: &str) -> String {
        ACCOUNT.replace("count = 300", &format!("count = {range}"))
    }

    #[test]
    fn a_head_count_range_is_drawn_as_a_whole_number_within_it_and_nominal_is_the_midpoint() {
        let (geo, s) = setup(&with_fighters("[200, 301]"));
        assert_eq!(
            s.people_groups[0].count,
            Span {
                low: 200,
                high: 301
            }
        );
        assert_eq!(
            s.people_groups[0].count.nominal(),
            250,
            "midpoint rounded down"
        );
        let inputs = Inputs::of(&s, &geo);
        let k = (inputs.list.iter())
            .position(|i| i.name == "people_group[fighters].count")
            .expect("the count is an input");
        assert!(
            inputs.list[k].what.contains("200–301"),
            "{}",
            inputs.list[k].what
        );
        let at = |u: f64| {
            let mut q = vec![None; inputs.list.len()];
            q[k] = Some(u);
            inputs.realize(&s, &q).people_groups[0].people
        };
        assert_eq!((at(0.0), at(0.999_999), at(1.0)), (200, 301, 301));
        // Every whole number equally likely: 102 of them, the draw at the centre of each slot.
        let drawn: Vec<u32> = (0..102).map(|j| at((j as f64 + 0.5) / 102.0)).collect();
        assert_eq!(drawn, (200..=301).collect::<Vec<u32>>());
        // Nominal: the range stays for the engine to take its midpoint.
        let mut q = vec![None; inputs.list.len()];
        q[k] = None;
        assert_eq!(
            inputs.realize(&s, &q).people_groups[0].count,
            s.people_groups[0].count
        );
        let (geo, one) = setup(&with_fighters("300"));
        let names: Vec<String> = Inputs::of(&one, &geo)
            .list
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert!(!names.iter().any(|n| n.ends_with(".count")), "{names:?}");
    }

    #[test]
    fn a_head_count_range_that_runs_backwards_or_past_the_limit_is_refused_with_its_key_and_line() {
        let geo = Geography::embedded().unwrap();
        let refused = |text: &str| {
            Scenario::from_toml(text, "t.toml", "t", &geo)
                .unwrap_err()
                .to_string()
        };
        let backwards = refused(&with_fighters("[300, 200]"));
        assert!(
            backwards.contains("people_group[fighters].count"),
            "{backwards}"
        );
        assert!(backwards.contains("runs backwards"), "{backwards}");
        assert!(backwards.contains("t.toml:"), "{backwards}");
        let huge = refused(&with_fighters("[200, 100001]"));
        assert!(huge.contains("too many: at most 100000"), "{huge}");
        let three = refused(&with_fighters("[1, 2, 3]"));
        assert!(three.contains("two counts [low, high], not 3"), "{three}");
        // The groups must add up to the convoy's range, lows and highs alike.
        let apart = ACCOUNT
            .replacen("count = 300", "count = [250, 350]", 1)
            .replacen("count = 300", "count = [250, 300]", 1);
        let apart = refused(&apart);
        assert!(
            apart
                .contains("the convoy carries 250–350 fighters but the people groups hold 250–300"),
            "{apart}"
        );
    }
}
