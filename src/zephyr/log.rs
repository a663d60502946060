//! Logging through Zephyr's log modules `net_capture` and `net_cooked`
//! (registered in glue.c at `CONFIG_NET_CAPTURE_LOG_LEVEL`).

use super::bindings;
use super::text::CText;
use crate::log::Message;

/// Longest message; longer ones are cut (deferred logging copies it).
const MESSAGE_LEN: usize = 160;

/// Which log module a line goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LogModule {
    /// `net_capture`.
    Capture,
    /// `net_cooked`.
    #[cfg_attr(not(CONFIG_NET_CAPTURE_COOKED_MODE), allow(dead_code))]
    Cooked,
}

/// Writes one line if its level passes the configured log level; the
/// message is only rendered then.
pub(crate) fn log(module: LogModule, message: &Message<'_>) {
    let level = message.level as u8;
    if u32::from(level) > bindings::CONFIG_NET_CAPTURE_LOG_LEVEL {
        return;
    }
    let mut text = CText::<MESSAGE_LEN>::new();
    message.render(&mut text);
    let module = match module {
        LogModule::Capture => 0,
        LogModule::Cooked => 1,
    };
    // SAFETY: the message is NUL-terminated and outlives the call, which
    // copies it.
    unsafe { bindings::net_capture_rs_log(module, level, text.as_ptr()) };
}
