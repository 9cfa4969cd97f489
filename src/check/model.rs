//! One account as a model for a sensitivity study ([`crate::sensitivity`]): its uncertain inputs
//! ([`crate::uncertainty`]) in, and out, for every claim given, whether the run bears it out, and
//! the share of the buses ending in each holder's ground. Everything not named as an input is as
//! in the account's own run (its seed), so the model is a function of the inputs alone.

use crate::Geography;
use crate::engine;
use crate::scenario::{Claim, Scenario};
use crate::sensitivity::Model;
use crate::uncertainty::Inputs;
use crate::zones::Holder;

use super::borne_out_in;

pub struct AccountModel<'a> {
    scenario: &'a Scenario,
    /// What each evaluation keeps: end states, and positions at the claims' times.
    record: engine::Record,
    /// Routes found by one evaluation, for the others.
    routes: crate::network::Routes,
    geo: &'a Geography,
    inputs: Inputs,
    claims: Vec<&'a Claim>,
    input_names: Vec<String>,
    output_names: Vec<String>,
    /// The holders whose ground the end shares are of: the table's `end_share` ones, then `none`.
    holders: Vec<Holder>,
}

impl<'a> AccountModel<'a> {
    /// `scenario` as a model of `claims` (of any account) and of where its buses end.
    pub fn new(scenario: &'a Scenario, geo: &'a Geography, claims: Vec<&'a Claim>) -> Self {
        let inputs = Inputs::of(scenario, geo);
        let input_names = inputs.list.iter().map(|i| i.name.clone()).collect();
        let mut output_names: Vec<String> =
            claims.iter().map(|c| format!("claim {}", c.id)).collect();
        let holders: Vec<Holder> = geo.zones.holders().end_shares().collect();
        output_names.extend(holders.iter().map(|h| format!("buses in {h} ground")));
        let probes = claims
            .iter()
            .map(|c| c.by.clamp(scenario.start, scenario.end));
        AccountModel {
            scenario,
            record: engine::Record::Ends(engine::Probes::new(probes)),
            routes: crate::network::Routes::default(),
            geo,
            inputs,
            claims,
            input_names,
            output_names,
            holders,
        }
    }
}

impl Model for AccountModel<'_> {
    fn inputs(&self) -> &[String] {
        &self.input_names
    }

    fn outputs(&self) -> &[String] {
        &self.output_names
    }

    fn eval(&self, u: &[f64]) -> Vec<f64> {
        let quantiles: Vec<Option<f64>> = u.iter().map(|&q| Some(q)).collect();
        let drawn = self.inputs.realize(self.scenario, &quantiles);
        let r = engine::Simulation::new(&drawn, self.geo, self.scenario.seed)
            .recording(self.record.clone())
            .sharing_routes(&self.routes, &engine::RouteMemo::default())
            .run();
        let mut out: Vec<f64> = self
            .claims
            .iter()
            .map(|c| f64::from(u8::from(borne_out_in(self.geo, &r, c))))
            .collect();
        let buses = r.buses().count().max(1) as f64;
        out.extend(
            (self.holders.iter())
                .map(|h| r.buses().filter(|b| b.end.zone == *h).count() as f64 / buses),
        );
        out
    }
}
