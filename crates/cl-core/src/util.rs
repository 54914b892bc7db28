//! TODO: util
