//! numpy-compatible numerics.

/// Index of the first maximum, like `np.argmax` (NaN is treated as the maximum, as numpy
/// does). `None` for an empty input.
pub fn argmax<T: PartialOrd + Copy, I: IntoIterator<Item = T>>(values: I) -> Option<usize> {
    let mut best: Option<(usize, T)> = None;
    for (i, v) in values.into_iter().enumerate() {
        #[allow(clippy::eq_op)]
        let is_nan = v != v;
        match best {
            None => best = Some((i, v)),
            Some((_, b)) => {
                #[allow(clippy::eq_op)]
                let best_nan = b != b;
                if best_nan {
                    break;
                }
                if is_nan || v > b {
                    best = Some((i, v));
                    if is_nan {
                        break;
                    }
                }
            }
        }
    }
    best.map(|(i, _)| i)
}
