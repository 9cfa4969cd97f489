//! Analysis of Competing Hypotheses (Heuer, *Psychology of Intelligence Analysis*, ch. 8): each
//! account is a hypothesis about where the convoy ended up, and every claim of every source is
//! evidence for or against it.
//!
//! A cell scores the claim against one hypothesis: 0 if consistent or not ruled out, 1 if
//! inconsistent, 2 if impossible ([`ach_weight`]). A hypothesis's **inconsistency score** is the
//! sum of its column; the lowest is the least contradicted, which is what Heuer ranks by (evidence
//! against counts, evidence for does not).
//!
//! The **weighted inconsistency score** weighs each row by its evidence's credibility and
//! relevance, as PARC ACH 2.0 does: `Σ credibility · relevance · score`, each factor √2 (high), 1
//! (medium) or 1/√2 (low) ([`Level::weight`]), so that a piece of evidence weighs from ½ to 2 and
//! one rated medium on both weighs what it does unweighted. Both scores are always reported:
//! the weights are judgements, the unweighted score is not.
//!
//! A claim's **diagnosticity** is the spread of its scores across the hypotheses (most minus
//! least, 0 to 2). Evidence that scores the same against every hypothesis — diagnosticity 0 —
//! cannot tell them apart, however credible it is; Heuer asks that it be flagged.

use crate::credibility::{Credibility, Level, RatedBy, Ratings};
use crate::scenario::Claim;

use super::{Check, Verdict};

/// Weight of a verdict in the competing-hypotheses matrix: Heuer's inconsistency score, with an
/// impossibility counting double.
pub fn ach_weight(v: Verdict) -> f64 {
    match v {
        // Not ruled out is not evidence against: the account is silent there.
        Verdict::Consistent | Verdict::NotRuledOut => 0.0,
        Verdict::Inconsistent => 1.0,
        Verdict::Impossible => 2.0,
    }
}

/// The credibility of `claim`: its own rating if it gives one, else what `ratings` says of the
/// report (or quote) it cites.
pub fn credibility(ratings: &Ratings, claim: &Claim) -> Credibility {
    match claim.credibility {
        Some(level) => Credibility {
            level,
            source: claim.cite.source.clone(),
            reason: claim
                .assumed
                .clone()
                .unwrap_or_else(|| "rated on the claim itself".into()),
            by: RatedBy::Claim,
        },
        None => ratings.of(claim.cite.source.as_deref(), &claim.cite.quote),
    }
}

/// The weight of a piece of evidence: credibility times relevance.
pub fn evidence_weight(credibility: Level, relevance: Level) -> f64 {
    credibility.weight() * relevance.weight()
}

/// The competing-hypotheses matrix scored.
#[derive(Clone, Debug, PartialEq)]
pub struct Ach {
    /// Inconsistency score per account (lower is better supported), in [`Check::accounts`] order.
    pub scores: Vec<f64>,
    /// Weighted inconsistency score per account.
    pub weighted: Vec<f64>,
    /// Accounts from least to most inconsistent (ties in account order).
    pub ranking: Vec<usize>,
    /// The same by the weighted score.
    pub weighted_ranking: Vec<usize>,
    /// Per claim: credibility times relevance.
    pub weights: Vec<f64>,
    /// Per claim: its highest score across the accounts minus its lowest (0 to 2).
    pub diagnosticity: Vec<f64>,
    /// Per claim: whether its diagnosticity is above 0. Evidence that every hypothesis explains
    /// equally says nothing about which is true.
    pub diagnostic: Vec<bool>,
}

impl Ach {
    /// Scores a matrix: `cells[c][a]` is claim `c`'s score against account `a`, `weights[c]` the
    /// claim's weight. Every row has `accounts` cells.
    pub fn from_matrix(cells: &[Vec<f64>], weights: &[f64], accounts: usize) -> Ach {
        let column = |a: usize, w: &dyn Fn(usize) -> f64| -> f64 {
            cells.iter().enumerate().map(|(c, row)| w(c) * row[a]).sum()
        };
        let scores: Vec<f64> = (0..accounts).map(|a| column(a, &|_| 1.0)).collect();
        // Rounded to 1e-9 so that equal sums taken in a different order (√2 does not add up
        // exactly in floating point) tie, as they do on paper.
        let weighted: Vec<f64> = (0..accounts)
            .map(|a| (column(a, &|c| weights[c]) * 1e9).round() / 1e9)
            .collect();
        let rank = |s: &[f64]| {
            let mut r: Vec<usize> = (0..accounts).collect();
            r.sort_by(|&a, &b| s[a].total_cmp(&s[b]).then(a.cmp(&b)));
            r
        };
        let diagnosticity: Vec<f64> = cells
            .iter()
            .map(|row| {
                let most = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let least = row.iter().copied().fold(f64::INFINITY, f64::min);
                if row.is_empty() { 0.0 } else { most - least }
            })
            .collect();
        Ach {
            ranking: rank(&scores),
            weighted_ranking: rank(&weighted),
            scores,
            weighted,
            weights: weights.to_vec(),
            diagnostic: diagnosticity.iter().map(|&d| d > 0.0).collect(),
            diagnosticity,
        }
    }
}

impl Check {
    pub fn ach(&self) -> Ach {
        let n = self.accounts.len();
        let cells: Vec<Vec<f64>> = (0..self.claims.len())
            .map(|c| {
                (0..n)
                    .map(|a| ach_weight(self.judgement(c, a).verdict))
                    .collect()
            })
            .collect();
        let weights: Vec<f64> = self
            .claims
            .iter()
            .map(|sc| evidence_weight(sc.credibility.level, sc.claim.relevance))
            .collect();
        Ach::from_matrix(&cells, &weights, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: f64 = std::f64::consts::SQRT_2;
    const L: f64 = std::f64::consts::FRAC_1_SQRT_2;

    /// Three claims against three hypotheses, worked by hand:
    ///
    /// ```text
    ///               A   B   C   weight              diagnosticity
    /// c0            0   1   2   high·high = 2       2
    /// c1            1   1   1   low·low   = ½       0 (non-diagnostic)
    /// c2            2   0   0   medium·medium = 1   2
    /// unweighted    3   2   3
    /// weighted      2·0 + ½·1 + 1·2 = 2.5   2·1 + ½ + 0 = 2.5   2·2 + ½ + 0 = 4.5
    /// ```
    fn matrix() -> Ach {
        let cells = vec![
            vec![0.0, 1.0, 2.0],
            vec![1.0, 1.0, 1.0],
            vec![2.0, 0.0, 0.0],
        ];
        let weights = vec![
            evidence_weight(Level::High, Level::High),
            evidence_weight(Level::Low, Level::Low),
            evidence_weight(Level::Medium, Level::Medium),
        ];
        Ach::from_matrix(&cells, &weights, 3)
    }

    #[test]
    fn the_unweighted_score_sums_each_column_and_ranks_the_least_contradicted_first() {
        let a = matrix();
        assert_eq!(a.scores, vec![3.0, 2.0, 3.0]);
        assert_eq!(a.ranking, vec![1, 0, 2]);
    }

    #[test]
    fn the_weighted_score_weighs_each_row_by_credibility_times_relevance() {
        let a = matrix();
        assert!((a.weights[0] - 2.0).abs() < 1e-12);
        assert!((a.weights[1] - 0.5).abs() < 1e-12);
        assert_eq!(a.weights[2], 1.0);
        let expected = [2.5, 2.5, 4.5];
        for (got, want) in a.weighted.iter().zip(expected) {
            assert!((got - want).abs() < 1e-9, "{:?}", a.weighted);
        }
        // A and B tie weighted (account order breaks it); C stays last.
        assert_eq!(a.weighted_ranking, vec![0, 1, 2]);
    }

    #[test]
    fn weighting_can_change_the_ranking() {
        // B is least contradicted unweighted, but the evidence against it is credible and the
        // evidence against A is not.
        let cells = vec![vec![1.0, 0.0], vec![1.0, 0.0], vec![0.0, 1.0]];
        let weights = vec![
            evidence_weight(Level::Low, Level::Low),
            evidence_weight(Level::Low, Level::Medium),
            evidence_weight(Level::High, Level::High),
        ];
        let a = Ach::from_matrix(&cells, &weights, 2);
        assert_eq!(a.ranking, vec![1, 0]);
        assert_eq!(a.weighted_ranking, vec![0, 1]);
        assert!((a.weighted[0] - (0.5 + L)).abs() < 1e-9);
        assert!((a.weighted[1] - 2.0).abs() < 1e-9);
        assert!((H * L - 1.0).abs() < 1e-12);
    }

    #[test]
    fn diagnosticity_is_the_spread_of_a_claims_scores_and_zero_flags_it() {
        let a = matrix();
        assert_eq!(a.diagnosticity, vec![2.0, 0.0, 2.0]);
        assert_eq!(a.diagnostic, vec![true, false, true]);
        // Consistent under one account and not ruled out under another both score 0: the claim
        // does not separate them.
        let b = Ach::from_matrix(&[vec![0.0, 0.0], vec![1.0, 2.0]], &[1.0, 1.0], 2);
        assert_eq!(b.diagnosticity, vec![0.0, 1.0]);
    }

    #[test]
    fn no_claims_score_nothing_and_keep_account_order() {
        let a = Ach::from_matrix(&[], &[], 2);
        assert_eq!(a.scores, vec![0.0, 0.0]);
        assert_eq!(a.weighted, vec![0.0, 0.0]);
        assert_eq!(a.ranking, vec![0, 1]);
        assert!(a.diagnosticity.is_empty());
    }
}
