//! Error codes returned through the C API.
//!
//! The numeric values of errno differ between Zephyr's libcs (minimal libc,
//! picolibc, the host glibc of native_sim), so this enum carries no numbers:
//! the Zephyr layer maps each variant to the C value of the build it is
//! compiled in (`src/zephyr/errno.rs`), and derives the reverse mapping
//! from [`Errno::ALL`].

use core::fmt;

/// An error of the capture subsystem, named after the POSIX errno it becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errno {
    /// `EINVAL`: an argument is malformed, missing or not acceptable.
    Inval,
    /// `ENOENT`: the named thing (device set-up, tunnel, interface) is absent.
    NoEnt,
    /// `ENOMEM`: a pool or table is exhausted.
    NoMem,
    /// `EALREADY`: the requested state is already in place.
    Already,
    /// `ENETUNREACH`: no usable interface leads to the remote address.
    NetUnreach,
    /// `ENOTSUP`: the operation is not supported by this build or object.
    NotSup,
    /// `ERANGE`: a count is outside the configured bounds.
    Range,
    /// `EBUSY`: the object is in use by someone else, or a control call
    /// was made from inside another one.
    Busy,
    /// `EIO`: the stack refused to transmit.
    Io,
    /// `ENETDOWN`: the interface that should carry the packet is down.
    NetDown,
    /// `EMSGSIZE`: the data cannot fit the capture pools or the tunnel.
    MsgSize,
    /// `EAGAIN`: not possible in the caller's context right now.
    Again,
    /// A negative errno returned by a Zephyr function, passed through as is.
    Stack(i32),
}

impl Errno {
    /// Every named error, the one list both directions of the C mapping
    /// are derived from.
    pub const ALL: [Errno; 12] = [
        Errno::Inval,
        Errno::NoEnt,
        Errno::NoMem,
        Errno::Already,
        Errno::NetUnreach,
        Errno::NotSup,
        Errno::Range,
        Errno::Busy,
        Errno::Io,
        Errno::NetDown,
        Errno::MsgSize,
        Errno::Again,
    ];

    /// The errno's name, or `None` for a code passed through from the stack.
    pub fn name(&self) -> Option<&'static str> {
        Some(match self {
            Errno::Inval => "EINVAL",
            Errno::NoEnt => "ENOENT",
            Errno::NoMem => "ENOMEM",
            Errno::Already => "EALREADY",
            Errno::NetUnreach => "ENETUNREACH",
            Errno::NotSup => "ENOTSUP",
            Errno::Range => "ERANGE",
            Errno::Busy => "EBUSY",
            Errno::Io => "EIO",
            Errno::NetDown => "ENETDOWN",
            Errno::MsgSize => "EMSGSIZE",
            Errno::Again => "EAGAIN",
            Errno::Stack(_) => return None,
        })
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name(), self) {
            (Some(name), _) => f.write_str(name),
            (None, Errno::Stack(code)) => write!(f, "error {code}"),
            (None, _) => f.write_str("?"),
        }
    }
}

/// Result type of the capture subsystem.
pub type Result<T> = core::result::Result<T, Errno>;
