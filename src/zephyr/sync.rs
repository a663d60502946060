//! The two locks of the capture layer.

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};

use super::bindings;
use crate::capture::{ControlLock, Lock};

/// An interrupt-safe spin lock around a value (`struct k_spinlock`).
///
/// Held only for short, non-nesting critical sections that make no call
/// into the stack. Taking it again while holding it would alias the value;
/// debug builds of the library detect that and stop (Zephyr's own
/// `CONFIG_SPIN_VALIDATE` does the same for the underlying lock).
pub(crate) struct SpinLock<T> {
    lock: UnsafeCell<bindings::k_spinlock>,
    value: UnsafeCell<T>,
    /// The thread holding the lock (debug builds).
    #[cfg(debug_assertions)]
    owner: core::sync::atomic::AtomicPtr<bindings::k_thread>,
}

// SAFETY: the value is only reached through a guard, which holds the spin
// lock (interrupts masked on this CPU, other CPUs spinning) while it lives.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    /// A new, unlocked lock.
    pub(crate) const fn new(value: T) -> Self {
        SpinLock {
            // SAFETY: an all-zero `struct k_spinlock` is an unlocked lock,
            // as in a zero-initialised C static.
            lock: UnsafeCell::new(unsafe { core::mem::zeroed() }),
            value: UnsafeCell::new(value),
            #[cfg(debug_assertions)]
            owner: core::sync::atomic::AtomicPtr::new(core::ptr::null_mut()),
        }
    }
}

/// Access to a [`SpinLock`]'s value; unlocks when dropped.
pub(crate) struct SpinGuard<'a, T> {
    lock: &'a SpinLock<T>,
    key: bindings::k_spinlock_key_t,
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the spin lock is held while the guard lives.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the spin lock is held while the guard lives, and the
        // guard is borrowed mutably: this is the only reference.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for SpinGuard<'_, T> {
    fn drop(&mut self) {
        #[cfg(debug_assertions)]
        self.lock
            .owner
            .store(core::ptr::null_mut(), core::sync::atomic::Ordering::Relaxed);
        // SAFETY: releases the lock this guard took, with its key.
        unsafe { bindings::k_spin_unlock(self.lock.lock.get(), self.key) };
    }
}

impl<T: Send> Lock<T> for SpinLock<T> {
    type Guard<'a>
        = SpinGuard<'a, T>
    where
        T: 'a;

    fn lock(&self) -> SpinGuard<'_, T> {
        #[cfg(debug_assertions)]
        {
            // SAFETY: no preconditions; in an ISR the result is compared
            // only, never dereferenced.
            let me = unsafe { bindings::k_current_get() };
            if self.owner.load(core::sync::atomic::Ordering::Relaxed) == me {
                super::panic::fatal(c"capture spin lock taken twice by one thread");
            }
        }
        // SAFETY: the lock object lives as long as `self`.
        let key = unsafe { bindings::k_spin_lock(self.lock.get()) };
        #[cfg(debug_assertions)]
        {
            // SAFETY: no preconditions.
            let me = unsafe { bindings::k_current_get() };
            self.owner.store(me, core::sync::atomic::Ordering::Relaxed);
        }
        SpinGuard { lock: self, key }
    }
}

/// The sleeping mutex serialising control operations (`k_mutex`, defined
/// in glue.c).
pub(crate) struct ControlMutex;

/// Holds the control mutex; unlocks when dropped.
pub(crate) struct ControlGuard;

const K_FOREVER: bindings::k_timeout_t = bindings::k_timeout_t { ticks: -1 };

impl Drop for ControlGuard {
    fn drop(&mut self) {
        // SAFETY: unlocks what this thread locked in `enter`.
        unsafe {
            bindings::k_mutex_unlock(core::ptr::addr_of_mut!(bindings::net_capture_rs_control))
        };
    }
}

impl ControlLock for ControlMutex {
    type Guard<'a> = ControlGuard;

    fn enter(&self) -> Option<ControlGuard> {
        let mutex = core::ptr::addr_of_mut!(bindings::net_capture_rs_control);
        // A k_mutex is recursive for its owner; a control call made while
        // this thread holds it is refused instead. The owner field only
        // equals this thread while this thread holds the mutex, so reading
        // it unlocked is exact for that comparison.
        // SAFETY: the mutex is a static object initialised by
        // K_MUTEX_DEFINE; reading its owner pointer has no side effect.
        let owner = unsafe { core::ptr::addr_of!((*mutex).owner).read_volatile() };
        // SAFETY: no preconditions.
        let me = unsafe { bindings::k_current_get() };
        if owner == me {
            return None;
        }
        // SAFETY: the mutex is initialised (above); K_FOREVER cannot time
        // out, and this thread does not hold it.
        unsafe { bindings::k_mutex_lock(mutex, K_FOREVER) };
        Some(ControlGuard)
    }
}
