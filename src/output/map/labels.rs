//! Where labels go: each beside its point where it collides with nothing drawn so far. A label that
//! must be shown (a place the account uses, a road cut) is moved further out, with a leader line,
//! and at worst set over other labels — never dropped; the others are left out where nothing fits.

use super::projection::Frame;

/// A pixel box: left, top, right, bottom.
pub(super) type PxBox = (i32, i32, i32, i32);

/// Pixel boxes already taken by labels and markers, so later labels go elsewhere or not at all.
#[derive(Default)]
pub(super) struct Occupied {
    boxes: Vec<PxBox>,
}

impl Occupied {
    fn inside(b: PxBox, frame: Frame) -> bool {
        b.0 >= frame.x && b.1 >= frame.y && b.2 <= frame.x + frame.w && b.3 <= frame.y + frame.h
    }

    pub(super) fn free(&self, b: PxBox, frame: Frame) -> bool {
        Self::inside(b, frame)
            && self
                .boxes
                .iter()
                .all(|o| b.2 <= o.0 || b.0 >= o.2 || b.3 <= o.1 || b.1 >= o.3)
    }

    pub(super) fn take(&mut self, b: PxBox) {
        self.boxes.push(b);
    }
}

/// Where a label was put: its text's top left corner, the box it takes (halo included), and
/// whether it stands so far from its point that a leader line must show whose it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Placement {
    pub text_at: (i32, i32),
    pub bounds: PxBox,
    pub leader: bool,
}

/// How far a label may stand from its point: close beside it, a little out where a marker stands
/// on it, and — for labels that must be shown — out to a few marker widths, with a leader line.
const NEAR_GAPS: [i32; 2] = [0, 20];
const FAR_GAPS: [i32; 5] = [40, 65, 95, 130, 170];

/// The top left corners tried for a `w`×`h` label `gap` px from `(x, y)`: right, left, above,
/// below, then the four diagonals.
fn around((x, y): (i32, i32), (w, h): (i32, i32), gap: i32) -> [(i32, i32); 8] {
    [
        (x + gap, y - h / 2),
        (x - gap - w, y - h / 2),
        (x - w / 2, y - gap - h),
        (x - w / 2, y + gap),
        (x + gap, y - h - gap / 2),
        (x + gap, y + gap / 2),
        (x - gap - w, y - h - gap / 2),
        (x - gap - w, y + gap / 2),
    ]
}

fn halo((cx, cy): (i32, i32), (w, h): (i32, i32)) -> PxBox {
    (cx - 2, cy - 1, cx + w + 2, cy + h + 1)
}

/// Finds a place for a `size` label `gap` px beside `at` and takes it. `None` only when `must` is
/// false and no free place is near; a label that must be shown is put in the frame even if it has
/// to cover another.
pub(super) fn place(
    occupied: &mut Occupied,
    frame: Frame,
    at: (i32, i32),
    size: (i32, i32),
    gap: i32,
    must: bool,
) -> Option<Placement> {
    let far: &[i32] = if must { &FAR_GAPS } else { &[] };
    let found = NEAR_GAPS
        .iter()
        .map(|g| (gap + g, false))
        .chain(far.iter().map(|g| (gap + g, true)))
        .flat_map(|(g, leader)| around(at, size, g).map(move |c| (c, leader)))
        .find(|&(c, _)| occupied.free(halo(c, size), frame));
    let placement = match found {
        Some((text_at, leader)) => Placement {
            text_at,
            bounds: halo(text_at, size),
            leader,
        },
        None if must => forced(frame, at, size, gap),
        None => return None,
    };
    occupied.take(placement.bounds);
    Some(placement)
}

/// Right of the point (or left, if that runs off the frame), moved inside the frame.
fn forced(frame: Frame, at: (i32, i32), size: (i32, i32), gap: i32) -> Placement {
    let (w, h) = size;
    let [right, left, ..] = around(at, size, gap);
    let (x, y) = if right.0 + w + 2 <= frame.x + frame.w {
        right
    } else {
        left
    };
    let x = x.clamp(frame.x + 2, (frame.x + frame.w - w - 2).max(frame.x + 2));
    let y = y.clamp(frame.y + 1, (frame.y + frame.h - h - 1).max(frame.y + 1));
    Placement {
        text_at: (x, y),
        bounds: halo((x, y), size),
        leader: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: Frame = Frame {
        x: 0,
        y: 0,
        w: 400,
        h: 300,
    };

    fn overlaps(a: PxBox, b: PxBox) -> bool {
        !(a.2 <= b.0 || a.0 >= b.2 || a.3 <= b.1 || a.1 >= b.3)
    }

    /// Markers stacked around a place, as at Hamaymah where the convoy stalls: the place's name
    /// still gets a free spot, further out, with a leader line.
    #[test]
    fn a_used_place_crowded_by_markers_is_still_labelled() {
        let mut occupied = Occupied::default();
        let at = (200, 150);
        for dx in [-60, -30, 0, 30, 60] {
            for dy in [-30, 0, 30] {
                occupied.take((
                    at.0 + dx - 14,
                    at.1 + dy - 14,
                    at.0 + dx + 14,
                    at.1 + dy + 14,
                ));
            }
        }
        let p = place(&mut occupied, FRAME, at, (70, 14), 5, true).expect("a used place");
        assert!(p.leader, "{p:?}");
        assert!(Occupied::inside(p.bounds, FRAME));
        // Without `must`, the same crowding leaves a minor place unlabelled.
        assert_eq!(place(&mut occupied, FRAME, at, (70, 14), 5, false), None);
    }

    /// Twelve used places a few pixels apart: every one is labelled, inside the frame, and no two
    /// labels cover each other while there is room.
    #[test]
    fn every_used_place_in_a_crowded_cluster_is_labelled() {
        let mut occupied = Occupied::default();
        let points: Vec<(i32, i32)> = (0..12).map(|i| (180 + 4 * i, 140 + 3 * (i % 4))).collect();
        for &(x, y) in &points {
            occupied.take((x - 3, y - 3, x + 3, y + 3));
        }
        let labels: Vec<Placement> = points
            .iter()
            .map(|&at| place(&mut occupied, FRAME, at, (80, 14), 5, true).expect("labelled"))
            .collect();
        for (i, a) in labels.iter().enumerate() {
            assert!(Occupied::inside(a.bounds, FRAME), "{a:?}");
            for b in &labels[i + 1..] {
                assert!(!overlaps(a.bounds, b.bounds), "{a:?} covers {b:?}");
            }
        }
    }

    #[test]
    fn with_no_room_at_all_a_label_that_must_show_is_kept_inside_the_frame() {
        let mut occupied = Occupied::default();
        occupied.take((0, 0, 400, 300));
        let p = place(&mut occupied, FRAME, (395, 295), (90, 14), 5, true).expect("kept");
        assert!(Occupied::inside(p.bounds, FRAME), "{p:?}");
    }
}
