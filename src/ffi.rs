//! C ABI exports (Zephyr builds only); filled in with the capture layer.
