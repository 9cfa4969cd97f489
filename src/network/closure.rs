//! Road closures: segments that become impassable, and points the road is cut at (a crater, a
//! blown bridge) that nothing passes through, each from a given time.

use std::collections::BTreeSet;

use jiff::Timestamp;
use petgraph::graph::{EdgeIndex, NodeIndex};

/// What is impassable at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Closed {
    /// Segments no one may travel along.
    pub segments: BTreeSet<EdgeIndex>,
    /// Nodes no one may pass through. A route may still end at one, or start from one (turning
    /// back from a crater).
    pub nodes: BTreeSet<NodeIndex>,
    /// Ground no one may enter: a move from a node outside this set to a node in it is barred.
    /// Those already inside may move within it and leave.
    pub no_entry: BTreeSet<NodeIndex>,
    /// Points partway along a segment that nothing passes (a crater between two vertices): the
    /// segment, and how far along it from its source node (as the graph stores it), in whole
    /// millimetres so the set can be ordered. A route never uses such a segment; an agent on it
    /// may drive up to the point and back.
    pub cuts: BTreeSet<(EdgeIndex, u64)>,
}

impl Closed {
    pub fn segments(segments: BTreeSet<EdgeIndex>) -> Self {
        Self {
            segments,
            ..Self::default()
        }
    }

    /// A cut at these nodes.
    pub fn nodes(nodes: BTreeSet<NodeIndex>) -> Self {
        Self {
            nodes,
            ..Self::default()
        }
    }

    /// A cut `along` metres from the source node of segment `edge`.
    pub fn cut(edge: EdgeIndex, along: crate::units::Metres) -> Self {
        Self {
            cuts: [(edge, (along.0.max(0.0) * 1000.0).round() as u64)].into(),
            ..Self::default()
        }
    }

    /// Whether a route may not use segment `e` at all: it is closed, or cut partway.
    pub fn blocks(&self, e: EdgeIndex) -> bool {
        self.segments.contains(&e) || self.cuts.range((e, 0)..=(e, u64::MAX)).next().is_some()
    }

    /// The cuts on segment `e`, in metres from its source node.
    pub fn cuts_on(&self, e: EdgeIndex) -> impl Iterator<Item = crate::units::Metres> + '_ {
        self.cuts
            .range((e, 0)..=(e, u64::MAX))
            .map(|&(_, mm)| crate::units::Metres(mm as f64 / 1000.0))
    }

    /// Ground that may not be entered: these nodes.
    pub fn no_entry(nodes: BTreeSet<NodeIndex>) -> Self {
        Self {
            no_entry: nodes,
            ..Self::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn len(&self) -> usize {
        self.segments.len() + self.nodes.len() + self.no_entry.len() + self.cuts.len()
    }

    pub fn extend(&mut self, other: &Closed) {
        self.segments.extend(&other.segments);
        self.nodes.extend(&other.nodes);
        self.no_entry.extend(&other.no_entry);
        self.cuts.extend(&other.cuts);
    }

    /// Whether moving from node `from` to its neighbour `to` enters barred ground.
    pub fn enters(&self, from: NodeIndex, to: NodeIndex) -> bool {
        self.no_entry.contains(&to) && !self.no_entry.contains(&from)
    }

    /// The same closures without the barred ground.
    pub fn without_bars(&self) -> Closed {
        Closed {
            no_entry: BTreeSet::new(),
            ..self.clone()
        }
    }
}

impl From<BTreeSet<EdgeIndex>> for Closed {
    fn from(segments: BTreeSet<EdgeIndex>) -> Self {
        Self::segments(segments)
    }
}

/// A closure taking effect at `from`.
#[derive(Clone, Debug, PartialEq)]
pub struct Closure {
    pub closed: Closed,
    pub from: Timestamp,
}

/// Every closure of a run as a timetable, in the order they were added: what closes, from when.
/// The engine adds them as their events happen; the reach bound in `check` takes them all at
/// once and asks what is closed at any time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Closures {
    closures: Vec<Closure>,
}

impl Closures {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, closure: Closure) {
        self.closures.push(closure);
    }

    pub fn iter(&self) -> impl Iterator<Item = &Closure> {
        self.closures.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.closures.is_empty()
    }

    fn in_force(&self, t: Timestamp) -> impl Iterator<Item = &Closed> {
        self.closures
            .iter()
            .filter(move |c| c.from <= t)
            .map(|c| &c.closed)
    }

    /// What is closed at `t`.
    pub fn closed_at(&self, t: Timestamp) -> Closed {
        let mut closed = Closed::default();
        for c in self.in_force(t) {
            closed.extend(c);
        }
        closed
    }

    /// Whether the road is cut at node `n` at `t`.
    pub fn node_closed(&self, n: NodeIndex, t: Timestamp) -> bool {
        self.in_force(t).any(|c| c.nodes.contains(&n))
    }

    /// Whether segment `e` is closed at `t`, or cut partway.
    pub fn segment_closed(&self, e: EdgeIndex, t: Timestamp) -> bool {
        self.in_force(t).any(|c| c.blocks(e))
    }

    /// Whether moving from `from` to `to` at `t` enters ground barred then.
    pub fn enters(&self, from: NodeIndex, to: NodeIndex, t: Timestamp) -> bool {
        self.in_force(t).any(|c| c.enters(from, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closure_applies_from_its_time_on() {
        let t0: Timestamp = "2017-08-30T06:00:00Z".parse().unwrap();
        let mut c = Closures::new();
        c.add(Closure {
            closed: Closed {
                segments: [EdgeIndex::new(3)].into(),
                nodes: [NodeIndex::new(7)].into(),
                ..Closed::default()
            },
            from: t0,
        });
        assert!(
            c.closed_at("2017-08-30T05:59:59Z".parse().unwrap())
                .is_empty()
        );
        let now = c.closed_at(t0);
        assert_eq!(now.segments, [EdgeIndex::new(3)].into());
        assert_eq!(now.nodes, [NodeIndex::new(7)].into());
        assert_eq!(now.len(), 2);
    }
}
