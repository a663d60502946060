//! The fake's log: renders the library's C formats the way Zephyr's
//! logging would, so tests see the exact text of a line.

use std::ffi::CStr;

use zephyr_net_capture::errno::Errno;
use zephyr_net_capture::log::{sanitize, Arg, Level, Logger, TEXT_LIMIT};

use crate::FakeStack;

/// `format` with its `%ld`, `%s` and `%%` conversions replaced by `args`;
/// an error argument reads as its negative errno name (`-EINVAL`). Panics
/// when a conversion has no argument or one of the wrong kind, where printf
/// would read garbage.
pub fn render(format: &CStr, args: &[Arg]) -> String {
    let text = format.to_str().expect("formats are ASCII");
    let mut out = String::new();
    let mut args = args.iter();
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let spec = &rest[at..];
        let (used, rendered) = if spec.starts_with("%%") {
            (2, "%".to_string())
        } else if spec.starts_with("%ld") {
            let value = match args.next() {
                Some(Arg::Int(value)) => value.to_string(),
                Some(Arg::Errno(err)) => match err {
                    Errno::Stack(code) => code.to_string(),
                    named => format!("-{named}"),
                },
                other => panic!("%ld given {other:?} in {text:?}"),
            };
            (3, value)
        } else if spec.starts_with("%s") {
            match args.next() {
                Some(Arg::Str(s)) => (2, s.to_str().expect("ASCII").to_string()),
                other => panic!("%s given {other:?} in {text:?}"),
            }
        } else {
            panic!("unsupported conversion in {text:?}");
        };
        out.push_str(&rendered);
        rest = &spec[used..];
    }
    // Surplus arguments are ignored, as printf ignores them.
    out.push_str(rest);
    out
}

impl Logger for FakeStack {
    fn log(&self, level: Level, format: &'static CStr, args: &[Arg]) {
        let line = render(format, args);
        self.world().logs.push((level, line));
    }

    fn log_text(&self, level: Level, format: &'static CStr, text: &[u8], args: &[Arg]) {
        let mut shown = [0u8; TEXT_LIMIT + 4];
        let len = sanitize(text, &mut shown);
        let shown = String::from_utf8_lossy(&shown[..len]).into_owned();
        // The text is the first conversion, a %s.
        let (head, tail) = format
            .to_str()
            .expect("ASCII")
            .split_once("%s")
            .expect("log_text formats start with %s");
        let tail = std::ffi::CString::new(tail).expect("no NUL");
        let line = format!("{head}{shown}{}", render(&tail, args));
        self.world().logs.push((level, line));
    }
}
