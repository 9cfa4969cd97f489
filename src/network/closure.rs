//! Road closures: segments that become impassable, and points the road is cut at (a crater, a
//! blown bridge) that nothing passes through, each from a given time.

use std::collections::BTreeSet;

use jiff::Timestamp;
use petgraph::graph::{EdgeIndex, NodeIndex};

/// What is impassable at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Closed {
    /// Segments no one may travel along.
    pub segments: BTreeSet<EdgeIndex>,
    /// Nodes no one may pass through. A route may still end at one, or start from one (turning
    /// back from a crater).
    pub nodes: BTreeSet<NodeIndex>,
}

impl Closed {
    pub fn segments(segments: BTreeSet<EdgeIndex>) -> Self {
        Self {
            segments,
            nodes: BTreeSet::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.segments.is_empty() && self.nodes.is_empty()
    }

    pub fn len(&self) -> usize {
        self.segments.len() + self.nodes.len()
    }

    pub fn extend(&mut self, other: &Closed) {
        self.segments.extend(&other.segments);
        self.nodes.extend(&other.nodes);
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
    pub label: String,
    pub closed: Closed,
    pub from: Timestamp,
}

/// Every closure known to a run, in the order they were added.
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

    /// What is closed at `t`.
    pub fn closed_at(&self, t: Timestamp) -> Closed {
        let mut closed = Closed::default();
        for c in self.closures.iter().filter(|c| c.from <= t) {
            closed.extend(&c.closed);
        }
        closed
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
            label: "crater".into(),
            closed: Closed {
                segments: [EdgeIndex::new(3)].into(),
                nodes: [NodeIndex::new(7)].into(),
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
