//! The library API on the embedded data: where the deal sent the convoy, what the 30 August road
//! cut did to that route, and who held the ground along the detour.
//!
//! Run with `cargo run --example reroute_around_the_crater`.

use convoy_sim::Geography;
use convoy_sim::network::{Closed, Metric};
use convoy_sim::units::{hours, parse_utc};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let world = Geography::embedded()?;
    let origin = world.routed_place("Qalamoun")?;
    let target = world.routed_place("Al Bukamal")?;

    let planned = world.route(&origin, &target, Metric::Fastest, &Closed::default())?;
    println!(
        "As agreed: {:.0} km, {:.1} h on the road",
        planned.distance.km(),
        hours(planned.duration)
    );

    // Coalition, 30 Aug 2017: strikes "cratered the road heading east between Hamaymah and Al Bukamal".
    let cut = Closed::segments(world.stretch("Hamaymah-Al Bukamal")?.2);
    let detour = world.route(&origin, &target, Metric::Fastest, &cut)?;
    println!(
        "Around the cut: {:.0} km, {:.1} h",
        detour.distance.km(),
        hours(detour.duration)
    );

    let t = parse_utc("2017-08-31T12:00:00Z")?;
    for leg in detour.legs(&world.network) {
        let road = world.network.road(leg.road);
        let holder = world.zones.holder_at(leg.to, t)?.holder;
        println!(
            "  {:<45} {:>6.1} km  ends in ground held by {holder}",
            road.name,
            leg.distance.km()
        );
    }
    Ok(())
}
