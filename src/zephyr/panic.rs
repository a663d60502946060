//! The panic handler: nothing in the library should panic (no unwrap or
//! indexing on untrusted data), but if something does, it ends in Zephyr's
//! fatal error path rather than undefined behaviour.

use super::bindings;
use super::text::CText;

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let message = match info.location() {
        Some(at) => CText::<128>::format(format_args!(
            "{} at {}:{}",
            info.message(),
            at.file(),
            at.line()
        )),
        None => CText::<128>::format(format_args!("{}", info.message())),
    };
    // SAFETY: the message is NUL-terminated; the shim flushes the logs and
    // calls k_panic(), never returning.
    unsafe { bindings::net_capture_rs_panic(message.as_ptr()) }
}
