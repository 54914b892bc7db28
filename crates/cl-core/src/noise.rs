//! TODO: noise
