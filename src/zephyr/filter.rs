//! Capture filters in this image. With `CONFIG_NET_CAPTURE_RS_FILTER` a
//! device keeps its compiled program and the text it came from (for the
//! shell); without, the capture layer is built with
//! [`crate::capture::NoFilter`] and no filter code is linked.

#[cfg(CONFIG_NET_CAPTURE_RS_FILTER)]
mod enabled {
    use crate::capture::FrameFilter;
    use crate::filter::{Filter, LinkType, ParseError, MAX_TEXT};

    /// A device's filter: the program and its text.
    #[derive(Clone)]
    pub(crate) struct DeviceFilter {
        program: Filter,
        text: heapless::Vec<u8, MAX_TEXT>,
    }

    impl DeviceFilter {
        /// Compiles `text` (at most [`MAX_TEXT`] bytes, or the parser says
        /// it is too long) into `self`, in place: one filter on the
        /// caller's stack, not one per move. On error `self` accepts all.
        pub(crate) fn parse_into(&mut self, text: &[u8]) -> Result<(), ParseError> {
            self.text.clear();
            self.program.parse_into(text)?;
            // The parser refused anything longer than the vector holds.
            let _ = self.text.extend_from_slice(text.trim_ascii());
            Ok(())
        }

        /// The expression, as set.
        pub(crate) fn text(&self) -> &[u8] {
            &self.text
        }
    }

    impl FrameFilter for DeviceFilter {
        const ACCEPT_ALL: Self = DeviceFilter {
            program: Filter::accept_all(),
            text: heapless::Vec::new(),
        };

        fn accepts_all(&self) -> bool {
            self.program.is_accept_all()
        }

        fn accepts(&self, link: LinkType, head: &[u8], wire_len: usize) -> bool {
            self.program.matches(link, head, wire_len)
        }
    }
}

#[cfg(CONFIG_NET_CAPTURE_RS_FILTER)]
pub(crate) use enabled::DeviceFilter;

#[cfg(not(CONFIG_NET_CAPTURE_RS_FILTER))]
pub(crate) use crate::capture::NoFilter as DeviceFilter;
