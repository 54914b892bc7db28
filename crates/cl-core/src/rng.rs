//! TODO: rng
