use super::*;
use crate::wire::Ipv4Addr;
use std::vec::Vec;

const REMOTE: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

/// An IPv4 packet from 192.0.2.1 to `dst` with `protocol` and `len` bytes.
fn ipv4(protocol: u8, dst: [u8; 4], len: usize) -> Vec<u8> {
    let mut packet = std::vec![
        0x45,
        0,
        (len >> 8) as u8,
        len as u8,
        0,
        0,
        0,
        0,
        64,
        protocol,
        0,
        0
    ];
    packet.extend_from_slice(&[192, 0, 2, 1]);
    packet.extend_from_slice(&dst);
    // Bytes that need stuffing, so the test sees escaping at work.
    packet.extend((packet.len()..len).map(|i| [0x7e, 0x7d, 0x03, 0x11][i % 4]));
    packet
}

/// A PPP frame (address, control, IPv4 protocol, packet, its FCS).
fn ppp(packet: &[u8]) -> Vec<u8> {
    let mut frame = std::vec![0xff, 0x03, 0x00, 0x21];
    frame.extend_from_slice(packet);
    let mut fcs = 0xffffu16;
    for &byte in &frame {
        fcs ^= u16::from(byte);
        for _ in 0..8 {
            fcs = if fcs & 1 != 0 {
                (fcs >> 1) ^ 0x8408
            } else {
                fcs >> 1
            };
        }
    }
    frame.extend_from_slice(&(!fcs).to_le_bytes());
    assert!(fcs_ok(&frame));
    frame
}

/// Stuffed as the driver sends it, every control character escaped.
fn stuff(frame: &[u8]) -> Vec<u8> {
    let mut out = std::vec![FLAG];
    for &byte in frame {
        if byte < 0x20 || byte == FLAG || byte == ESCAPE {
            out.extend_from_slice(&[ESCAPE, byte ^ 0x20]);
        } else {
            out.push(byte);
        }
    }
    out.push(FLAG);
    out
}

/// The pieces the driver's capture shows: flushes of `size` bytes, the
/// opening flag left out, the closing one kept.
fn pieces(stuffed: &[u8], size: usize) -> Vec<Vec<u8>> {
    stuffed[1..].chunks(size).map(<[u8]>::to_vec).collect()
}

#[test]
fn received_tunnel_frames_are_recognised() {
    let tunnel = ppp(&ipv4(41, [192, 0, 2, 2], 120));
    assert!(is_tunnel_frame(&tunnel, &[REMOTE]));
    let other = ppp(&ipv4(17, [192, 0, 2, 2], 120));
    assert!(!is_tunnel_frame(&other, &[REMOTE]));
    let elsewhere = ppp(&ipv4(41, [198, 51, 100, 7], 120));
    assert!(!is_tunnel_frame(&elsewhere, &[REMOTE]));
    assert!(!is_tunnel_frame(&tunnel, &[]));
}

/// Feeds `pieces` as the driver captures them (an empty piece for a flush
/// that held only the closing flag); returns the frames put together.
fn reassemble<const N: usize>(
    frames: &mut SentFrames<N>,
    pieces: &[Vec<u8>],
) -> Vec<(Vec<u8>, bool)> {
    let mut out = Vec::new();
    for piece in pieces {
        let mut done = |frame: SentFrame<'_>| out.push((frame.bytes.to_vec(), frame.cut));
        if piece.is_empty() {
            frames.end(&mut done);
        } else {
            frames.feed(piece, &mut done);
        }
    }
    out
}

#[test]
fn sent_frames_come_back_whole_and_unstuffed_whatever_the_flush_size() {
    let first = ppp(&ipv4(4, [192, 0, 2, 2], 600));
    let second = ppp(&ipv4(1, [192, 0, 2, 2], 300));
    for size in [1, 2, 7, 8, 64, 2000] {
        let mut frames = SentFrames::<1504>::new();
        let mut stream = pieces(&stuff(&first), size);
        stream.extend(pieces(&stuff(&second), size));
        let got = reassemble(&mut frames, &stream);
        assert_eq!(
            got,
            vec![(first.clone(), false), (second.clone(), false)],
            "size {size}"
        );
    }
}

#[test]
fn an_escape_split_across_pieces_is_undone() {
    let frame = ppp(&[0x7e, 0x7d, 0x11]);
    let stuffed = stuff(&frame);
    let at = stuffed
        .iter()
        .position(|b| *b == ESCAPE)
        .expect("stuffing happened")
        + 1;
    let stream = vec![stuffed[1..at].to_vec(), stuffed[at..].to_vec()];
    assert_eq!(
        reassemble(&mut SentFrames::<64>::new(), &stream),
        vec![(frame, false)]
    );
}

#[test]
fn a_flush_of_only_the_closing_flag_ends_the_frame() {
    // The driver drops a flush's leading flag: a frame whose last byte
    // filled a flush loses its closing flag and sends an empty piece.
    let first = ppp(&ipv4(17, [192, 0, 2, 9], 40));
    let second = ppp(&ipv4(17, [192, 0, 2, 9], 50));
    let body = |frame: &[u8]| {
        let stuffed = stuff(frame);
        stuffed[1..stuffed.len() - 1].to_vec()
    };
    let stream = vec![body(&first), Vec::new(), body(&second), Vec::new()];
    let got = reassemble(&mut SentFrames::<1504>::new(), &stream);
    assert_eq!(got, vec![(first, false), (second, false)]);
}

#[test]
fn a_frame_that_lost_its_closing_flag_ends_where_the_next_begins() {
    let first = ppp(&ipv4(17, [192, 0, 2, 9], 40));
    let second = ppp(&ipv4(17, [192, 0, 2, 9], 50));
    let body = |frame: &[u8]| {
        let stuffed = stuff(frame);
        stuffed[1..stuffed.len() - 1].to_vec()
    };
    let stream = vec![body(&first), body(&second), std::vec![FLAG]];
    let got = reassemble(&mut SentFrames::<1504>::new(), &stream);
    assert_eq!(got, vec![(first, false), (second, false)]);
}

#[test]
fn a_frame_longer_than_the_buffer_is_cut_and_said_so() {
    let frame = ppp(&ipv4(17, [192, 0, 2, 9], 200));
    let got = reassemble(&mut SentFrames::<100>::new(), &pieces(&stuff(&frame), 8));
    assert_eq!(got, vec![(frame[..100].to_vec(), true)]);
    let short = ppp(&[1, 2, 3]);
    let mut frames = SentFrames::<100>::new();
    reassemble(&mut frames, &pieces(&stuff(&frame), 8));
    assert_eq!(
        reassemble(&mut frames, &pieces(&stuff(&short), 8)),
        vec![(short, false)],
        "the next frame is whole again"
    );
}

#[test]
fn reassembled_tunnel_frames_are_recognised() {
    let tunnel = ppp(&ipv4(41, [192, 0, 2, 2], 120));
    let got = reassemble(&mut SentFrames::<1504>::new(), &pieces(&stuff(&tunnel), 8));
    assert!(is_tunnel_frame(&got[0].0, &[REMOTE]));
}

proptest::proptest! {
    /// Whatever the frames and the flush size, the driver's pieces come
    /// back as the frames that were sent.
    #[test]
    fn any_frames_in_any_flushes_come_back(
        frames in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 1..300), 1..6),
        size in 1usize..40,
    ) {
        let mut stream = Vec::new();
        for frame in &frames {
            let stuffed = stuff(frame);
            let body = &stuffed[1..];
            // A flush holding only the closing flag comes as an empty piece.
            let mut cut: Vec<Vec<u8>> = body.chunks(size).map(<[u8]>::to_vec).collect();
            if cut.last().is_some_and(|last| last == &[FLAG]) {
                *cut.last_mut().unwrap() = Vec::new();
            }
            stream.extend(cut);
        }
        let got = reassemble(&mut SentFrames::<512>::new(), &stream);
        let want: Vec<(Vec<u8>, bool)> = frames.iter().map(|f| (f.clone(), false)).collect();
        proptest::prop_assert_eq!(got, want);
    }
}

/// What Zephyr 4.1's drivers/net/ppp.c captures when it sends `frames`:
/// ppp_send() fills a `buf_len`-byte send buffer with the stuffed frame
/// (flag, bytes, flag), and each flush is captured minus a leading flag,
/// and minus one more byte when the byte after the data (`after_buf` for
/// a full buffer: the next member of the driver's context) is a flag.
/// A negative length (flag only, and a stale flag after it) makes the
/// driver pass a huge length, which the library refuses: an empty piece.
fn ppp_c_pieces(frames: &[Vec<u8>], buf_len: usize, after_buf: u8) -> Vec<Vec<u8>> {
    let mut buf = std::vec![0u8; buf_len + 1];
    buf[buf_len] = after_buf;
    let mut pieces = Vec::new();
    let mut flush = |buf: &[u8], off: usize| {
        let (mut start, mut len) = (0usize, off as isize);
        if buf[0] == FLAG {
            start = 1;
            len -= 1;
        }
        if buf[off] == FLAG {
            len -= 1;
        }
        pieces.push(buf[start..start + len.max(0) as usize].to_vec());
    };
    for frame in frames {
        let mut off = 0;
        for byte in stuff(frame) {
            buf[off] = byte;
            off += 1;
            if off >= buf_len {
                flush(&buf, off);
                off = 0;
            }
        }
        flush(&buf, off);
    }
    pieces
}

#[test]
fn frames_come_back_from_what_ppp_c_captures() {
    let mut seed = 7u32;
    let mut next = move || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        seed >> 8
    };
    let frames: Vec<Vec<u8>> = (0..400)
        .map(|_| {
            let len = 1 + next() as usize % 300;
            ppp(&(0..len).map(|_| next() as u8).collect::<Vec<u8>>())
        })
        .collect();
    // The byte after the buffer is the first of the driver's MAC address
    // (00 by default); a flag there would cut every full flush.
    for (buf_len, after_buf) in [(8, 0x00), (5, 0x00), (64, 0x00)] {
        let pieces = ppp_c_pieces(&frames, buf_len, after_buf);
        assert!(
            pieces.iter().any(Vec::is_empty),
            "the driver's empty flush occurs"
        );
        let got = reassemble(&mut SentFrames::<1504>::new(), &pieces);
        let damaged = got.iter().filter(|(frame, _)| !fcs_ok(frame)).count();
        let whole: Vec<&Vec<u8>> = got
            .iter()
            .filter(|(f, _)| fcs_ok(f))
            .map(|(f, _)| f)
            .collect();
        // Frames the driver damaged (a data byte dropped) fail their FCS;
        // every other frame comes back exactly, in order.
        assert_eq!(
            got.len(),
            frames.len(),
            "buffer {buf_len}, after {after_buf:#x}"
        );
        assert!(whole.iter().all(|f| frames.contains(f)));
        assert!(
            damaged * 20 < frames.len(),
            "{damaged} damaged of {}",
            frames.len()
        );
    }
}
