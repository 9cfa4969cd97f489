//! A run's (or a thread's) own memo of routes in front of the shared [`Routes`] cache.
//!
//! The realizations of an ensemble share one [`Routes`], behind mutexes, with every route an
//! `Arc` whose count every lookup bumped: about 300 lookups a realization, each a lock and an
//! atomic write to a cache line the other threads were writing too, so a second thread added
//! little. A memo belongs to one thread (it is neither `Send` nor `Sync`): it asks the shared
//! cache once for each route it has not seen, keeps its own copy behind an `Rc`, and answers
//! every later lookup without touching anything another thread touches. The routes are the
//! shared cache's, so they are the ones [`crate::network::RoadNetwork::route`] finds.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::network::{Closed, Ends, Fnv, RoadNetwork, Route, Routes, RoutesUnder};

/// The routes one thread has looked up, by the closed set they go round.
#[derive(Debug, Default)]
pub struct RouteMemo {
    /// By the address of the shared [`RoutesUnder`], which each entry holds, so no address is
    /// reused while the memo lives.
    under: RefCell<HashMap<*const RoutesUnder, Rc<Under>, Fnv>>,
}

/// The routes one thread has looked up round one closed set.
#[derive(Debug)]
pub struct Under {
    shared: Arc<RoutesUnder>,
    found: RefCell<HashMap<Ends, Option<Rc<Route>>, Fnv>>,
}

impl RouteMemo {
    /// The routes under `closed`, from `routes` (which finds what is not yet known).
    pub fn under(&self, routes: &Routes, closed: &Closed) -> Rc<Under> {
        let shared = routes.under(closed);
        let key = Arc::as_ptr(&shared);
        (self.under.borrow_mut().entry(key))
            .or_insert_with(|| {
                Rc::new(Under {
                    shared,
                    found: RefCell::default(),
                })
            })
            .clone()
    }
}

impl Under {
    /// What the routes go round.
    pub fn closed(&self) -> &Closed {
        self.shared.closed()
    }

    /// [`RoutesUnder::route`] between `ends` (from, to, metric): looked up in the shared cache
    /// the first time, then here.
    pub fn route(&self, net: &RoadNetwork, ends @ (from, to, metric): Ends) -> Option<Rc<Route>> {
        if let Some(known) = self.found.borrow().get(&ends) {
            return known.clone();
        }
        let copy = (self.shared.route(net, from, to, metric)).map(|r| Rc::new(Route::clone(&r)));
        self.found.borrow_mut().entry(ends).or_insert(copy).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Geography;
    use crate::network::Metric;

    #[test]
    fn a_memo_answers_what_the_shared_cache_does_and_asks_it_once() {
        let geo = Geography::embedded().unwrap();
        let net = &geo.network;
        let routes = Routes::default();
        let memo = RouteMemo::default();
        let open = Closed::default();
        let under = memo.under(&routes, &open);
        assert!(Rc::ptr_eq(&under, &memo.under(&routes, &open)));
        // Qalamoun to Al Bukamal, (lon, lat).
        let snap = |lon, lat| net.snap(crate::units::LonLat::new(lon, lat)).unwrap().0;
        let (a, b) = (snap(36.55, 34.05), snap(40.92, 34.45));
        let first = under.route(net, (a, b, Metric::Fastest));
        let shared = routes.under(&open).route(net, a, b, Metric::Fastest);
        assert_eq!(first.as_deref(), shared.as_deref());
        assert_eq!(
            first.as_deref(),
            net.route(a, b, Metric::Fastest, &open).as_ref()
        );
        // Asked again, it is the memo's own copy, not another from the shared cache.
        let again = under.route(net, (a, b, Metric::Fastest));
        assert!(Rc::ptr_eq(first.as_ref().unwrap(), again.as_ref().unwrap()));
        // Round other closures, another memo entry and another route.
        let cut = Closed::nodes([first.as_ref().unwrap().nodes[1]].into());
        let round = memo
            .under(&routes, &cut)
            .route(net, (a, b, Metric::Fastest));
        assert_eq!(round, net.route(a, b, Metric::Fastest, &cut).map(Rc::new));
        assert_ne!(round, first);
        // A second memo over the same cache has its own copy of the same route.
        let other = RouteMemo::default().under(&routes, &open);
        let theirs = other.route(net, (a, b, Metric::Fastest));
        assert_eq!(theirs, first);
        assert!(!Rc::ptr_eq(
            theirs.as_ref().unwrap(),
            first.as_ref().unwrap()
        ));
    }
}
