//! Validated inputs (`PredProbs`, `Labels`).

/// Placeholder.
pub struct PredProbs;
/// Placeholder.
pub struct Labels;
