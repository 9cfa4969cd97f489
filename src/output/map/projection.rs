//! From (lon, lat) to pixels: an equirectangular projection true to scale at the view's middle
//! latitude — over the few degrees a convoy map covers, distances read off it are within 1%.

use geo::{Coord, Polygon, Rect};

use crate::units::{LonLat, Metres};

/// A lon/lat box, degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl View {
    /// The smallest box holding every point; `None` for no points.
    pub fn around(points: impl IntoIterator<Item = LonLat>) -> Option<View> {
        let mut v: Option<View> = None;
        for p in points {
            if !(p.lon.is_finite() && p.lat.is_finite()) {
                continue;
            }
            v = Some(match v {
                None => View {
                    west: p.lon,
                    south: p.lat,
                    east: p.lon,
                    north: p.lat,
                },
                Some(v) => View {
                    west: v.west.min(p.lon),
                    south: v.south.min(p.lat),
                    east: v.east.max(p.lon),
                    north: v.north.max(p.lat),
                },
            });
        }
        v
    }

    pub fn union(self, other: View) -> View {
        View {
            west: self.west.min(other.west),
            south: self.south.min(other.south),
            east: self.east.max(other.east),
            north: self.north.max(other.north),
        }
    }

    /// Grown by `fraction` of its size on every side, and to at least `min_deg` across.
    pub fn padded(self, fraction: f64, min_deg: f64) -> View {
        let (cx, cy) = (
            (self.west + self.east) / 2.0,
            (self.south + self.north) / 2.0,
        );
        let w = ((self.east - self.west) * (1.0 + 2.0 * fraction)).max(min_deg);
        let h = ((self.north - self.south) * (1.0 + 2.0 * fraction)).max(min_deg * 0.6);
        View {
            west: cx - w / 2.0,
            south: (cy - h / 2.0).max(-85.0),
            east: cx + w / 2.0,
            north: (cy + h / 2.0).min(85.0),
        }
    }

    pub fn rect(&self) -> Rect<f64> {
        Rect::new(
            Coord {
                x: self.west,
                y: self.south,
            },
            Coord {
                x: self.east,
                y: self.north,
            },
        )
    }
}

/// A pixel rectangle on the image: left, top, width, height.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Frame {
    pub fn contains(&self, (x, y): (i32, i32)) -> bool {
        x >= self.x && x < self.x + self.w && y >= self.y && y < self.y + self.h
    }
}

/// Maps a [`View`] onto a [`Frame`], widening the view so that a km is as long east–west as
/// north–south.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    pub view: View,
    pub frame: Frame,
    /// Pixels per degree of longitude and of latitude.
    kx: f64,
    ky: f64,
}

impl Projection {
    pub fn fit(view: View, frame: Frame) -> Projection {
        let mid = ((view.south + view.north) / 2.0).to_radians();
        let shrink = mid.cos().max(0.1);
        let (w_deg, h_deg) = (
            (view.east - view.west).max(1e-6),
            (view.north - view.south).max(1e-6),
        );
        // Degrees of latitude per pixel needed by each dimension; take the larger.
        let per_px = (h_deg / frame.h.max(1) as f64).max(w_deg * shrink / frame.w.max(1) as f64);
        let ky = 1.0 / per_px;
        let kx = ky * shrink;
        let (cx, cy) = (
            (view.west + view.east) / 2.0,
            (view.south + view.north) / 2.0,
        );
        let half_w = frame.w as f64 / kx / 2.0;
        let half_h = frame.h as f64 / ky / 2.0;
        Projection {
            view: View {
                west: cx - half_w,
                east: cx + half_w,
                south: cy - half_h,
                north: cy + half_h,
            },
            frame,
            kx,
            ky,
        }
    }

    /// The pixel of a position (may lie outside the frame).
    pub fn px(&self, p: LonLat) -> (i32, i32) {
        let x = self.frame.x as f64 + (p.lon - self.view.west) * self.kx;
        let y = self.frame.y as f64 + (self.view.north - p.lat) * self.ky;
        (
            x.round().clamp(-1e6, 1e6) as i32,
            y.round().clamp(-1e6, 1e6) as i32,
        )
    }

    pub fn px_coord(&self, c: Coord<f64>) -> (i32, i32) {
        self.px(LonLat::new(c.x, c.y))
    }

    /// Pixels per degree of latitude: the map's scale, larger for a larger map. Unlike
    /// [`Projection::metres_per_px`] it stays true for a frame too small to hold the view.
    pub fn px_per_deg_lat(&self) -> f64 {
        self.ky
    }

    /// How much ground one pixel covers east–west at the middle of the view.
    pub fn metres_per_px(&self) -> Metres {
        let mid = (self.view.south + self.view.north) / 2.0;
        let a = LonLat::new(self.view.west, mid);
        let b = LonLat::new(self.view.east, mid);
        Metres(a.distance(b).0 / self.frame.w.max(1) as f64)
    }

    /// The view as a polygon, for clipping geometry before it is drawn.
    pub fn clip_polygon(&self) -> Polygon<f64> {
        self.view.rect().to_polygon()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_km_square_and_corners_in_place() {
        let view = View {
            west: 38.0,
            south: 34.0,
            east: 41.0,
            north: 35.0,
        };
        let p = Projection::fit(
            view,
            Frame {
                x: 10,
                y: 20,
                w: 1200,
                h: 800,
            },
        );
        // The requested box is inside the fitted one.
        assert!(
            p.view.west <= 38.0
                && p.view.east >= 41.0
                && p.view.south <= 34.0
                && p.view.north >= 35.0
        );
        let (x0, y0) = p.px(LonLat::new(p.view.west, p.view.north));
        assert_eq!((x0, y0), (10, 20));
        // 10 km east and 10 km north come out the same length on screen.
        let c = LonLat::new(39.5, 34.5);
        let east = LonLat::new(39.5 + 10.0 / (111.32 * 34.5f64.to_radians().cos()), 34.5);
        let north = LonLat::new(39.5, 34.5 + 10.0 / 110.57);
        let (cx, cy) = p.px(c);
        let dx = (p.px(east).0 - cx).abs();
        let dy = (p.px(north).1 - cy).abs();
        assert!((dx - dy).abs() <= 1, "{dx} vs {dy}");
    }

    #[test]
    fn padding_gives_a_minimum_size() {
        let v = View::around([LonLat::new(40.0, 34.0)])
            .unwrap()
            .padded(0.1, 1.0);
        assert!((v.east - v.west - 1.0).abs() < 1e-9);
    }
}
