//! The marker icons inside every KMZ, so that Google Earth draws them offline: a KMZ that points
//! at icons on the web shows empty boxes to a reader without a connection.
//!
//! Each icon is white with a dark rim, as Google Earth's own are: a style's `<color>` tints it
//! to the map's colour for that status. Drawn here, with no clock and no randomness, so the
//! same KMZ has the same bytes.

/// The shape of a marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Buses, people, end positions.
    Circle,
    /// Places.
    Square,
    /// Strikes and other events.
    Star,
}

impl Shape {
    pub const ALL: [Shape; 3] = [Shape::Circle, Shape::Square, Shape::Star];

    /// Where the icon sits in the KMZ, relative to `doc.kml`.
    pub fn path(self) -> &'static str {
        match self {
            Shape::Circle => "files/circle.png",
            Shape::Square => "files/square.png",
            Shape::Star => "files/star.png",
        }
    }

    /// Whether a point of the unit square (centre 0.5, 0.5) lies inside the shape grown by
    /// `grow` (in icon widths).
    fn contains(self, x: f64, y: f64, grow: f64) -> bool {
        let (dx, dy) = (x - 0.5, y - 0.5);
        match self {
            Shape::Circle => dx.hypot(dy) <= 0.36 + grow,
            Shape::Square => dx.abs().max(dy.abs()) <= 0.30 + grow,
            Shape::Star => {
                // A five-pointed star: inside if within the radius its outline has at this angle.
                let angle = dy.atan2(dx) + std::f64::consts::FRAC_PI_2;
                let sector = std::f64::consts::TAU / 10.0;
                let t = (angle.rem_euclid(2.0 * sector) - sector).abs() / sector;
                let (outer, inner) = (0.42 + grow, 0.18 + grow);
                dx.hypot(dy) <= inner + (outer - inner) * (1.0 - t)
            }
        }
    }
}

/// Icon width and height, pixels.
const SIZE: u32 = 32;
/// Samples per pixel side, for smooth edges.
const SUBSAMPLES: u32 = 4;
/// The rim's width, in icon widths.
const RIM: f64 = 0.05;

/// The icon as a PNG: white inside, a dark rim, transparent outside.
pub fn png(shape: Shape) -> Vec<u8> {
    let mut rgba = Vec::with_capacity((SIZE * SIZE * 4) as usize);
    let n = f64::from(SIZE * SUBSAMPLES);
    for py in 0..SIZE {
        for px in 0..SIZE {
            let (mut fill, mut rim) = (0u32, 0u32);
            for sy in 0..SUBSAMPLES {
                for sx in 0..SUBSAMPLES {
                    let x = (f64::from(px * SUBSAMPLES + sx) + 0.5) / n;
                    let y = (f64::from(py * SUBSAMPLES + sy) + 0.5) / n;
                    if shape.contains(x, y, 0.0) {
                        fill += 1;
                    } else if shape.contains(x, y, RIM) {
                        rim += 1;
                    }
                }
            }
            let all = SUBSAMPLES * SUBSAMPLES;
            let covered = fill + rim;
            // White where filled, dark grey on the rim, mixed by coverage.
            let grey = (255 * fill + 60 * rim).checked_div(covered).unwrap_or(0);
            let alpha = 255 * covered / all;
            rgba.extend([grey as u8, grey as u8, grey as u8, alpha as u8]);
        }
    }
    encode(&rgba)
}

fn encode(rgba: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, SIZE, SIZE);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    // Writing a correct buffer into memory cannot fail.
    if let Ok(mut w) = encoder.write_header() {
        let _ = w.write_image_data(rgba);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Shape, png};

    #[test]
    fn each_icon_is_a_32_px_png_with_a_white_middle_and_clear_corners() {
        for shape in Shape::ALL {
            let bytes = png(shape);
            let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
            let mut reader = decoder.read_info().unwrap();
            let mut buf = vec![0; reader.output_buffer_size()];
            let info = reader.next_frame(&mut buf).unwrap();
            assert_eq!((info.width, info.height), (32, 32));
            let at = |x: usize, y: usize| &buf[(y * 32 + x) * 4..(y * 32 + x) * 4 + 4];
            assert_eq!(at(16, 16), [255, 255, 255, 255], "{shape:?} middle");
            assert_eq!(at(0, 0)[3], 0, "{shape:?} corner");
            assert_eq!(png(shape), bytes, "same bytes every time");
        }
    }
}
