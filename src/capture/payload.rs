//! The bytes a capture carries: a packet's buffer chain, optionally
//! preceded by a header the library made (a cooked SLL header), or two
//! plain slices (cooked data). One concrete type for every kind, read in
//! pieces with [`Chunks`], so the code that sizes, checksums and copies a
//! capture exists once in the image.

use core::ops::Range;

use crate::wire::checksum::Checksum;

use super::platform::Frame;

/// What one capture carries.
pub struct Payload<'a, F: Frame + ?Sized> {
    /// Leading pieces (either may be empty).
    parts: [&'a [u8]; 2],
    /// The rest of a packet's buffer chain after the parts.
    rest: Option<(&'a F, F::Chain)>,
    /// Bytes carried: all of the above, or fewer (a snap length).
    len: usize,
    /// The packet, when the payload is a packet as it is.
    packet: Option<&'a F>,
}

impl<'a, F: Frame + ?Sized> Payload<'a, F> {
    /// A packet as it is.
    pub fn frame(frame: &'a F) -> Self {
        let (first, rest) = frame.first();
        Payload {
            parts: [first, &[]],
            rest: rest.map(|at| (frame, at)),
            len: frame.len(),
            packet: Some(frame),
        }
    }

    /// `header` followed by `data`.
    pub fn slices(header: &'a [u8], data: &'a [u8]) -> Self {
        Payload {
            parts: [header, data],
            rest: None,
            len: header.len() + data.len(),
            packet: None,
        }
    }

    /// `header` followed by a packet.
    pub fn with_header(header: &'a [u8], frame: &'a F) -> Self {
        let (first, rest) = frame.first();
        Payload {
            parts: [header, first],
            rest: rest.map(|at| (frame, at)),
            len: header.len() + frame.len(),
            packet: None,
        }
    }

    /// `header` followed by a packet without its first `skip` bytes (a
    /// link header that `header` replaces).
    pub fn with_header_after(header: &'a [u8], frame: &'a F, skip: usize) -> Self {
        let (mut first, mut rest) = frame.first();
        let mut left = skip;
        while left >= first.len() {
            let Some(at) = rest else { break };
            left -= first.len();
            (first, rest) = frame.next(at);
        }
        Payload {
            parts: [header, first.get(left..).unwrap_or_default()],
            rest: rest.map(|at| (frame, at)),
            len: header.len() + frame.len().saturating_sub(skip),
            packet: None,
        }
    }

    /// The packet, when this payload is one as it is ([`Payload::frame`]).
    pub fn packet(&self) -> Option<&'a F> {
        self.packet
    }

    /// The same bytes cut to at most `len` (a snap length).
    pub fn cut(mut self, len: usize) -> Self {
        self.len = self.len.min(len);
        self
    }

    /// Bytes carried.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is carried.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The pieces, in order, up to [`Payload::len`].
    pub fn chunks(&self) -> Chunks<'a, F> {
        Chunks {
            parts: self.parts,
            next_part: 0,
            rest: self.rest,
            left: self.len,
        }
    }

    /// The first bytes in one slice: the first piece when it holds `want`
    /// bytes (or everything), else a copy into `buf`.
    pub fn head<'b>(&self, buf: &'b mut [u8], want: usize) -> &'b [u8]
    where
        'a: 'b,
    {
        match self.head_in_place(want) {
            Some(first) => first,
            None => {
                let filled = self.copy_head(buf);
                buf.get(..filled).unwrap_or_default()
            }
        }
    }

    /// The first piece when it holds `want` bytes (or everything): the
    /// first bytes without a copy, or `None` when they are spread over
    /// pieces ([`Payload::head`] then copies them).
    pub fn head_in_place(&self, want: usize) -> Option<&'a [u8]> {
        let want = want.min(self.len);
        let first = match self.parts {
            // The usual case: a packet's first buffer, or a header.
            [first, _] | [_, first] if !first.is_empty() => first,
            _ => self.chunks().find(|chunk| !chunk.is_empty())?,
        };
        let first = first.get(..self.len).unwrap_or(first);
        (first.len() >= want).then_some(first)
    }

    /// Copies the first bytes into `buf`; returns how many.
    pub fn copy_head(&self, buf: &mut [u8]) -> usize {
        let mut filled = 0;
        for chunk in self.chunks() {
            let Some(room) = buf.get_mut(filled..) else {
                break;
            };
            let take = chunk.len().min(room.len());
            if let (Some(to), Some(from)) = (room.get_mut(..take), chunk.get(..take)) {
                to.copy_from_slice(from);
            }
            filled += take;
            if filled == buf.len() {
                break;
            }
        }
        filled
    }

    /// Adds the first `len` bytes to `sum`.
    pub fn sum_prefix(&self, len: usize, sum: &mut Checksum) {
        let mut left = len;
        for chunk in self.chunks() {
            let take = chunk.len().min(left);
            sum.add(chunk.get(..take).unwrap_or_default());
            left -= take;
            if left == 0 {
                break;
            }
        }
    }

    /// Calls `put` with the bytes of `range`, in pieces.
    pub fn for_range<E>(
        &self,
        range: Range<usize>,
        mut put: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut offset = 0;
        for chunk in self.chunks() {
            let end = offset + chunk.len();
            if end > range.start {
                let from = range.start.saturating_sub(offset);
                let to = range.end.min(end) - offset;
                if let Some(piece) = chunk.get(from..to) {
                    put(piece)?;
                }
            }
            offset = end;
            if offset >= range.end {
                break;
            }
        }
        Ok(())
    }
}

/// The pieces of a [`Payload`], empty ones included.
pub struct Chunks<'a, F: Frame + ?Sized> {
    parts: [&'a [u8]; 2],
    next_part: usize,
    rest: Option<(&'a F, F::Chain)>,
    left: usize,
}

impl<'a, F: Frame + ?Sized> Iterator for Chunks<'a, F> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.left == 0 {
            return None;
        }
        let chunk = if let Some(part) = self.parts.get(self.next_part) {
            self.next_part += 1;
            *part
        } else {
            let (frame, at) = self.rest?;
            let (chunk, rest) = frame.next(at);
            self.rest = rest.map(|at| (frame, at));
            chunk
        };
        let take = chunk.len().min(self.left);
        self.left -= take;
        chunk.get(..take)
    }
}

#[cfg(test)]
mod tests;
