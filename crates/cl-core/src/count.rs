//! TODO: count
