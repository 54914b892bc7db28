//! The floating-point element types accepted by heavy entry points.

use std::fmt::{Debug, Display};

/// A floating-point element type of `pred_probs` and features: `f32` or `f64`.
///
/// Statistics are accumulated in `f64` whatever the element type; values are widened
/// element by element, so inputs are never copied as a whole.
pub trait Real:
    num_traits::Float + Copy + Send + Sync + Debug + Display + Default + 'static
{
    /// Widens (or passes through) to `f64`, exactly.
    fn to_f64x(self) -> f64;
    /// Converts from `f64`, rounding to nearest for `f32`.
    fn from_f64x(v: f64) -> Self;
    /// The smallest value `≥ v` (`v` itself for `f64`): for every `x` of the type,
    /// `x >= from_f64_up(v)` exactly when `x.to_f64x() >= v`.
    fn from_f64_up(v: f64) -> Self;
    /// The largest value `≤ v` (`v` itself for `f64`): for every `x` of the type,
    /// `x <= from_f64_down(v)` exactly when `x.to_f64x() <= v`.
    fn from_f64_down(v: f64) -> Self;
    /// Machine epsilon of the type.
    const EPS: Self;
}

impl Real for f64 {
    #[inline]
    fn to_f64x(self) -> f64 {
        self
    }
    #[inline]
    fn from_f64x(v: f64) -> Self {
        v
    }
    #[inline]
    fn from_f64_up(v: f64) -> Self {
        v
    }
    #[inline]
    fn from_f64_down(v: f64) -> Self {
        v
    }
    const EPS: Self = f64::EPSILON;
}

impl Real for f32 {
    #[inline]
    fn to_f64x(self) -> f64 {
        f64::from(self)
    }
    #[inline]
    fn from_f64x(v: f64) -> Self {
        v as f32
    }
    fn from_f64_up(v: f64) -> Self {
        let t = v as f32;
        if f64::from(t) < v { t.next_up() } else { t }
    }
    fn from_f64_down(v: f64) -> Self {
        let t = v as f32;
        if f64::from(t) > v { t.next_down() } else { t }
    }
    const EPS: Self = f32::EPSILON;
}
