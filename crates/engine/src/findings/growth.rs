//! How a holder grows over a series.
//!
//! Terms:
//! * a **step** is the interval between two consecutive snapshots;
//! * the **slope** is the least-squares fit of a value against the snapshot index (bytes or
//!   members per snapshot);
//! * growth is **steady** when the value rose in every step of a series of three or more
//!   snapshots.

/// Least-squares slope of `values` against their index (0 for fewer than two values).
pub(crate) fn slope(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    if values.len() < 2 {
        return 0.0;
    }
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = values.iter().sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for (i, &y) in values.iter().enumerate() {
        let dx = i as f64 - mean_x;
        num += dx * (y - mean_y);
        den += dx * dx;
    }
    num / den
}

/// How many steps rose.
pub(crate) fn steps_grown(values: &[f64]) -> usize {
    values.windows(2).filter(|w| w[1] > w[0]).count()
}

/// The index of the step in which an object with id `id` was allocated, given the largest
/// object id of each snapshot (`max_ids[0]` the first): 0 if it is older than the first
/// snapshot, `i` if `max_ids[i - 1] < id ≤ max_ids[i]`.
pub(crate) fn step_of(max_ids: &[u32], id: u32) -> usize {
    max_ids.partition_point(|&m| m < id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_line() {
        assert!((slope(&[1.0, 3.0, 5.0, 7.0]) - 2.0).abs() < 1e-12);
        assert_eq!(slope(&[4.0]), 0.0);
    }

    #[test]
    fn steps() {
        assert_eq!(steps_grown(&[1.0, 2.0, 2.0, 3.0]), 2);
        // max ids 10, 20, 30: id 5 is older than the first snapshot; 15 came in step 1.
        assert_eq!(step_of(&[10, 20, 30], 5), 0);
        assert_eq!(step_of(&[10, 20, 30], 10), 0);
        assert_eq!(step_of(&[10, 20, 30], 15), 1);
        assert_eq!(step_of(&[10, 20, 30], 30), 2);
    }
}
