//! The few ends that can be the farthest from a point not known yet: the corners of their convex
//! hull. An agent's largest distance from its mean end is then exact without keeping every end,
//! though the mean is known only once the last realization is in.
//!
//! The hull is taken in the plane of longitude and latitude. The engine moves agents along
//! straight lines in that plane (road segments, walking legs), so the ends along one stretch are
//! in line and only its two extremes can be corners: the corners are among the bends of the roads
//! used and the extremes of each stretch, a number bounded by the map and the plan, not by the
//! number of realizations. And at the map's latitudes, every set of points within some
//! great-circle distance of a point is convex in that plane (a spherical cap of up to 10° between
//! 25° and 45° N; a test checks it), so an end inside the hull is no farther from the mean than
//! some corner and is dropped as it comes. So are ends within [`ON_EDGE_DEG`] of an edge, lest
//! the rounding of points along a stretch make corners of them: the largest distance is exact to
//! well under a metre.

use crate::units::{LonLat, Metres};

/// Ends added since the hull was last taken, beyond twice its corners, before it is taken again:
/// memory stays within three times the corners plus this, and each end is sorted a few times at
/// most.
const BATCH: usize = 256;

/// How close to an edge of the hull an end counts as on it, degrees (about 0.1 mm).
const ON_EDGE_DEG: f64 = 1e-9;

/// The corners of the hull of the ends so far, then the ends added since it was taken.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outline {
    points: Vec<LonLat>,
    corners: usize,
}

impl Outline {
    /// Adds one end (lon, lat).
    pub fn add(&mut self, at: LonLat) {
        self.points.push(at);
        if self.points.len() >= 2 * self.corners + BATCH {
            self.points = convex_hull(std::mem::take(&mut self.points));
            self.corners = self.points.len();
        }
    }

    /// The corners of the hull taken last and the ends added since: what a shard keeps of them.
    pub fn points(&self) -> &[LonLat] {
        &self.points
    }

    /// The largest great-circle distance from `from` (lon, lat) of any end added; 0 if none.
    pub fn farthest_from(&self, from: LonLat) -> Metres {
        Metres(
            self.points
                .iter()
                .map(|p| p.distance(from).0)
                .fold(0.0, f64::max),
        )
    }
}

/// Corners of the convex hull of `points` (lon, lat) in the plane of longitude and latitude,
/// anticlockwise (Andrew's monotone chain); points on an edge are not corners. Fewer than three
/// distinct points are all kept.
fn convex_hull(mut points: Vec<LonLat>) -> Vec<LonLat> {
    points.sort_by(|a, b| a.lon.total_cmp(&b.lon).then(a.lat.total_cmp(&b.lat)));
    points.dedup();
    if points.len() < 3 {
        return points;
    }
    let mut hull = Vec::with_capacity(points.len() + 1);
    // The lower chain left to right, then the upper chain back to the start.
    for &p in &points {
        push_turning_left(&mut hull, p, 2);
    }
    let lower = hull.len() + 1;
    for &p in points.iter().rev().skip(1) {
        push_turning_left(&mut hull, p, lower);
    }
    // The upper chain ends where the lower began.
    hull.pop();
    hull
}

/// Pushes `p` on a chain, first dropping its last point (while `floor` points or more are on it)
/// as long as that point is not a left turn on the way to `p`.
fn push_turning_left(chain: &mut Vec<LonLat>, p: LonLat, floor: usize) {
    while let [.., a, b] = chain[..]
        && chain.len() >= floor
        && bulge(a, b, p) <= ON_EDGE_DEG
    {
        chain.pop();
    }
    chain.push(p);
}

/// How far `b` stands out to the right of the line from `a` to `c`, degrees: positive when the
/// chain from `a` through `b` to `c` turns left at `b`.
fn bulge(a: LonLat, b: LonLat, c: LonLat) -> f64 {
    let (ab, ac) = (
        (b.lon - a.lon, b.lat - a.lat),
        (c.lon - a.lon, c.lat - a.lat),
    );
    (ab.0 * ac.1 - ab.1 * ac.0) / ac.0.hypot(ac.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed scatter (no RNG): a third on a bent road east of Palmyra, the rest over a disc
    /// 60 km across around it.
    fn scatter(n: u32) -> Vec<LonLat> {
        (0..n)
            .map(|i| {
                let f = (i as f64 * 0.618_034) % 1.0;
                if i % 3 == 0 {
                    LonLat::new(38.3 + f, 34.6 + (f - 0.5).abs() * 0.4)
                } else {
                    let (r, a) = (f.sqrt() * 0.3, i as f64 * 2.399_963);
                    LonLat::new(38.3 + r * a.cos(), 34.6 + r * a.sin())
                }
            })
            .collect()
    }

    #[test]
    fn the_farthest_end_from_any_point_is_kept() {
        let ends = scatter(5000);
        let mut outline = Outline::default();
        for &e in &ends {
            outline.add(e);
        }
        assert!(outline.points.len() < 1000, "{}", outline.points.len());
        for from in [
            LonLat::new(38.3, 34.6),
            LonLat::new(38.55, 34.65),
            LonLat::new(40.9, 34.45),
            LonLat::new(36.3, 33.5),
        ] {
            let direct = ends.iter().map(|e| e.distance(from).0).fold(0.0, f64::max);
            let kept = outline.farthest_from(from).0;
            assert!(
                (kept - direct).abs() < 1e-3,
                "from {from:?}: {kept} m, not {direct} m"
            );
        }
    }

    #[test]
    fn ends_along_a_bent_road_keep_only_its_bends_however_many() {
        // Palmyra → Arak → T3 → As Sukhnah, as straight stretches in longitude and latitude.
        let road = [
            (38.27, 34.56),
            (38.54, 34.60),
            (38.69, 34.55),
            (38.87, 34.88),
        ];
        let mut outline = Outline::default();
        for i in 0..100_000u32 {
            let leg = (i % 3) as usize;
            let f = (i as f64 * 0.618_034) % 1.0;
            let ((x0, y0), (x1, y1)) = (road[leg], road[leg + 1]);
            outline.add(LonLat::new(x0 + f * (x1 - x0), y0 + f * (y1 - y0)));
        }
        let corners = convex_hull(outline.points.clone()).len();
        assert!(corners <= 2 * road.len(), "{corners} corners");
        assert!(outline.points.len() < 3 * corners + BATCH);
    }

    #[test]
    fn a_square_with_points_inside_and_on_its_edges_keeps_its_corners() {
        let square = [(38.0, 34.0), (38.2, 34.0), (38.2, 34.2), (38.0, 34.2)];
        let mut points: Vec<LonLat> = [(38.1, 34.1), (38.1, 34.0), (38.0, 34.05), (38.03, 34.17)]
            .into_iter()
            .chain(square)
            .chain([square[0]])
            .map(|(lon, lat)| LonLat::new(lon, lat))
            .collect();
        points.reverse();
        let corners: Vec<(f64, f64)> = convex_hull(points).iter().map(|p| (p.lon, p.lat)).collect();
        assert_eq!(corners, square);
    }

    #[test]
    fn near_the_map_every_disc_is_convex_in_longitude_and_latitude() {
        // For points a and b and any point between them (straight in lon, lat), the great-circle
        // distance from a centre is at most the larger of a's and b's.
        let grid = |lat: f64| (0..5).map(move |i| LonLat::new(36.0 + i as f64 * 1.5, lat));
        for centre in (25..=45).step_by(5).flat_map(|lat| grid(lat as f64)) {
            for a in grid(centre.lat - 4.0).chain(grid(centre.lat + 3.0)) {
                for b in grid(centre.lat + 4.0).chain(grid(centre.lat - 1.0)) {
                    let ends = a.distance(centre).0.max(b.distance(centre).0);
                    for k in 1..100 {
                        let f = k as f64 / 100.0;
                        let p =
                            LonLat::new(a.lon + f * (b.lon - a.lon), a.lat + f * (b.lat - a.lat));
                        let d = p.distance(centre).0;
                        assert!(
                            d <= ends + 1e-6,
                            "{p:?} is {d} m from {centre:?}, {a:?} {b:?}"
                        );
                    }
                }
            }
        }
    }
}
