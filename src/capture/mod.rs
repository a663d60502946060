//! Capture devices (placeholder until the state machine lands).
