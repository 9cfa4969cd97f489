//! Road closures: sets of segments that become impassable from a given time (a cratered road, a
//! blown bridge), and the set in force at a moment.

use std::collections::BTreeSet;

use jiff::Timestamp;
use petgraph::graph::EdgeIndex;

/// Segments closed from `from` onward.
#[derive(Clone, Debug, PartialEq)]
pub struct Closure {
    pub label: String,
    pub segments: BTreeSet<EdgeIndex>,
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

    /// The segments closed at `t`.
    pub fn closed_at(&self, t: Timestamp) -> BTreeSet<EdgeIndex> {
        self.closures
            .iter()
            .filter(|c| c.from <= t)
            .flat_map(|c| c.segments.iter().copied())
            .collect()
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
            segments: [EdgeIndex::new(3)].into(),
            from: t0,
        });
        assert!(
            c.closed_at("2017-08-30T05:59:59Z".parse().unwrap())
                .is_empty()
        );
        assert_eq!(c.closed_at(t0), [EdgeIndex::new(3)].into());
    }
}
