//! The cheapest one-to-one matching of two equal lists (the Hungarian algorithm, O(n³)): how far
//! apart two accounts put the same number of buses, bus for bus, whichever bus is which.

/// The least total cost of matching row i to a distinct column, for a square `cost` matrix, and
/// the column each row gets. An empty matrix costs 0.
///
/// # Examples
/// ```
/// use convoy_sim::output::assignment::min_cost_matching;
/// let cost = vec![vec![4.0, 1.0], vec![2.0, 8.0]];
/// let (total, cols) = min_cost_matching(&cost);
/// assert_eq!((total, cols), (3.0, vec![1, 0]));
/// ```
pub fn min_cost_matching(cost: &[Vec<f64>]) -> (f64, Vec<usize>) {
    let n = cost.len();
    if n == 0 {
        return (0.0, Vec::new());
    }
    // Potentials u (rows) and v (columns), 1-based with a dummy column 0 (e-maxx formulation).
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; n + 1];
    let mut row_of = vec![0usize; n + 1];
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        row_of[0] = i;
        let mut j0 = 0;
        let mut min_v = vec![f64::INFINITY; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = row_of[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            for j in 1..=n {
                if !used[j] {
                    let cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
                    if cur < min_v[j] {
                        min_v[j] = cur;
                        way[j] = j0;
                    }
                    if min_v[j] < delta {
                        delta = min_v[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[row_of[j]] += delta;
                    v[j] -= delta;
                } else {
                    min_v[j] -= delta;
                }
            }
            j0 = j1;
            if row_of[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            row_of[j0] = row_of[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut col_of = vec![0; n];
    for j in 1..=n {
        if row_of[j] > 0 {
            col_of[row_of[j] - 1] = j - 1;
        }
    }
    let total = (0..n).map(|i| cost[i][col_of[i]]).sum();
    (total, col_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute_force(cost: &[Vec<f64>]) -> f64 {
        fn go(cost: &[Vec<f64>], row: usize, used: &mut Vec<bool>) -> f64 {
            if row == cost.len() {
                return 0.0;
            }
            let mut best = f64::INFINITY;
            for j in 0..cost.len() {
                if !used[j] {
                    used[j] = true;
                    best = best.min(cost[row][j] + go(cost, row + 1, used));
                    used[j] = false;
                }
            }
            best
        }
        go(cost, 0, &mut vec![false; cost.len()])
    }

    proptest::proptest! {
        #[test]
        fn matches_brute_force(n in 1usize..7, seed in proptest::collection::vec(0.0..100.0f64, 49)) {
            let cost: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| seed[i * 7 + j]).collect()).collect();
            let (total, cols) = min_cost_matching(&cost);
            let mut sorted = cols.clone();
            sorted.sort();
            proptest::prop_assert_eq!(sorted, (0..n).collect::<Vec<_>>());
            proptest::prop_assert!((total - brute_force(&cost)).abs() < 1e-9);
        }
    }
}
