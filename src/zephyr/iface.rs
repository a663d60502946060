//! Network interface handles.

use core::fmt;
use core::ptr::NonNull;

use super::bindings;

/// A registered network interface (`struct net_if *`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Iface(NonNull<bindings::net_if>);

// SAFETY: `struct net_if` objects live in a linker section for the whole
// run and are never freed; the handle is their address. The stack
// serialises access to the object behind it.
unsafe impl Send for Iface {}
// SAFETY: as for Send.
unsafe impl Sync for Iface {}

impl Iface {
    /// The interface at `ptr` if it is one of the stack's registered
    /// interfaces; other pointers are compared, never dereferenced.
    pub(crate) fn registered(ptr: *mut bindings::net_if) -> Option<Iface> {
        let iface = NonNull::new(ptr)?;
        // SAFETY: net_if_get_by_iface() only compares the pointer with the
        // bounds of the interface section.
        let index = unsafe { bindings::net_if_get_by_iface(ptr) };
        if index <= 0 {
            return None;
        }
        // A pointer inside the section but not at an interface's start
        // maps to the index of the interface it points into.
        (Iface::by_index(index)? == Iface(iface)).then_some(Iface(iface))
    }

    /// The interface with 1-based `index`.
    pub(crate) fn by_index(index: i32) -> Option<Iface> {
        let index = u8::try_from(index).ok()?;
        // SAFETY: net_if_get_by_index() returns NULL for unknown indices.
        NonNull::new(unsafe { bindings::net_if_get_by_index(i32::from(index)) }).map(Iface)
    }

    /// A handle the stack itself passed (to a capture hook or an
    /// interface API callback), trusted without the lookup of
    /// [`Iface::registered`] because the hot path cannot afford it.
    ///
    /// # Safety
    /// `ptr` must be NULL or point to a registered interface: other unsafe
    /// code dereferences the handle.
    pub(crate) unsafe fn from_stack(ptr: *mut bindings::net_if) -> Option<Iface> {
        NonNull::new(ptr).map(Iface)
    }

    /// The raw pointer, for calls into the stack.
    pub(crate) fn as_ptr(self) -> *mut bindings::net_if {
        self.0.as_ptr()
    }

    /// The 1-based index.
    pub(crate) fn index(self) -> i32 {
        // SAFETY: only compares the pointer with the section bounds.
        unsafe { bindings::net_if_get_by_iface(self.as_ptr()) }
    }
}

impl fmt::Debug for Iface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.index())
    }
}
