//! The two locks of the capture layer.

use core::cell::UnsafeCell;

use super::bindings;
use crate::capture::Lock;

/// An interrupt-safe spin lock around a value (`struct k_spinlock`).
///
/// Held only for short, non-nesting critical sections that make no call
/// into the stack; taking the same lock again inside `with` would alias.
pub(crate) struct SpinLock<T> {
    lock: UnsafeCell<bindings::k_spinlock>,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through `with`, which holds the spin
// lock (interrupts masked on this CPU, other CPUs spinning) for the whole
// access.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    /// A new, unlocked lock.
    pub(crate) const fn new(value: T) -> Self {
        SpinLock {
            // SAFETY: an all-zero `struct k_spinlock` is an unlocked lock,
            // as in a zero-initialised C static.
            lock: UnsafeCell::new(unsafe { core::mem::zeroed() }),
            value: UnsafeCell::new(value),
        }
    }
}

impl<T: Send> Lock<T> for SpinLock<T> {
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        // SAFETY: the lock object lives as long as `self`.
        let key = unsafe { bindings::k_spin_lock(self.lock.get()) };
        // SAFETY: the spin lock is held, so this is the only reference.
        let result = f(unsafe { &mut *self.value.get() });
        // SAFETY: releases the lock taken above with its key.
        unsafe { bindings::k_spin_unlock(self.lock.get(), key) };
        result
    }
}

/// The sleeping mutex serialising control operations (`k_mutex`, defined
/// in glue.c). Zephyr mutexes are recursive for their owner.
pub(crate) struct ControlMutex;

const K_FOREVER: bindings::k_timeout_t = bindings::k_timeout_t { ticks: -1 };

impl Lock<()> for ControlMutex {
    fn with<R>(&self, f: impl FnOnce(&mut ()) -> R) -> R {
        let mutex = core::ptr::addr_of_mut!(bindings::net_capture_rs_control);
        // SAFETY: the mutex is a static object initialised by
        // K_MUTEX_DEFINE; K_FOREVER cannot time out.
        unsafe { bindings::k_mutex_lock(mutex, K_FOREVER) };
        let result = f(&mut ());
        // SAFETY: unlocks what this thread locked above.
        unsafe { bindings::k_mutex_unlock(mutex) };
        result
    }
}
