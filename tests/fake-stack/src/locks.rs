//! The fake's locks: `std` mutexes that also catch the misuse Zephyr's
//! locks would not forgive.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::{self, ThreadId};

use zephyr_net_capture::capture::{ControlLock, Lock};

/// The spin lock: a thread that takes it while already holding it panics
/// (on Zephyr that is a deadlock on SMP and aliasing on one CPU).
#[derive(Debug, Default)]
pub struct FakeLock<T> {
    value: Mutex<T>,
    owner: Mutex<Option<ThreadId>>,
}

impl<T> FakeLock<T> {
    /// A lock around `value`.
    pub const fn new(value: T) -> Self {
        FakeLock {
            value: Mutex::new(value),
            owner: Mutex::new(None),
        }
    }
}

/// Access to a [`FakeLock`]'s value.
pub struct FakeGuard<'a, T> {
    value: MutexGuard<'a, T>,
    owner: &'a Mutex<Option<ThreadId>>,
}

impl<T> Deref for FakeGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for FakeGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T> Drop for FakeGuard<'_, T> {
    fn drop(&mut self) {
        *self.owner.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl<T> Lock<T> for FakeLock<T> {
    type Guard<'a>
        = FakeGuard<'a, T>
    where
        T: 'a;

    fn lock(&self) -> FakeGuard<'_, T> {
        let me = thread::current().id();
        let owner = *self.owner.lock().unwrap_or_else(|p| p.into_inner());
        assert_ne!(owner, Some(me), "spin lock taken twice by one thread");
        let value = self.value.lock().unwrap_or_else(|p| p.into_inner());
        *self.owner.lock().unwrap_or_else(|p| p.into_inner()) = Some(me);
        FakeGuard {
            value,
            owner: &self.owner,
        }
    }
}

/// The control lock: sleeps while another thread holds it, refuses the
/// thread that holds it.
#[derive(Debug, Default)]
pub struct FakeControlLock {
    owner: Mutex<Option<ThreadId>>,
    free: Condvar,
}

impl FakeControlLock {
    /// An unlocked lock.
    pub const fn new() -> Self {
        FakeControlLock {
            owner: Mutex::new(None),
            free: Condvar::new(),
        }
    }
}

/// Held [`FakeControlLock`].
pub struct FakeControlGuard<'a>(&'a FakeControlLock);

impl Drop for FakeControlGuard<'_> {
    fn drop(&mut self) {
        *self.0.owner.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.0.free.notify_one();
    }
}

impl ControlLock for FakeControlLock {
    type Guard<'a> = FakeControlGuard<'a>;

    fn enter(&self) -> Option<FakeControlGuard<'_>> {
        let me = thread::current().id();
        let mut owner = self.owner.lock().unwrap_or_else(|p| p.into_inner());
        if *owner == Some(me) {
            return None;
        }
        while owner.is_some() {
            owner = self.free.wait(owner).unwrap_or_else(|p| p.into_inner());
        }
        *owner = Some(me);
        Some(FakeControlGuard(self))
    }
}
