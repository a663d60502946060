//! Cooked mode (placeholder until the filter lands).
