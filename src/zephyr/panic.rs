//! The panic handler: nothing in the library should panic (no unwrap or
//! indexing on untrusted data), but if something does, it ends in Zephyr's
//! fatal error path rather than undefined behaviour.
//!
//! Only the location is reported: formatting the panic message would bring
//! `core::fmt` into every image.

use super::bindings;
use super::text::CText;
use crate::log::{Arg, Level, Message};

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut text = CText::<128>::new();
    let (file, line) = info
        .location()
        .map_or(("?", 0), |at| (at.file(), at.line()));
    Message {
        level: Level::Error,
        template: "{}:{}",
        args: &[Arg::Str(file), Arg::Int(i64::from(line))],
    }
    .render(&mut text);
    // SAFETY: the text is NUL-terminated; the shim flushes the logs and
    // calls k_panic(), never returning.
    unsafe { bindings::net_capture_rs_panic(text.as_ptr()) }
}
