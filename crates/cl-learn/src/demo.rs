//! Demo (placeholder).
