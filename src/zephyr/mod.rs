//! Zephyr bindings and the `Stack` implementation (Zephyr builds only).
