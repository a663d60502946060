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

/// A PPP frame (address, control, IPv4 protocol, packet, a fake FCS).
fn ppp(packet: &[u8]) -> Vec<u8> {
    let mut frame = std::vec![0xff, 0x03, 0x00, 0x21];
    frame.extend_from_slice(packet);
    frame.extend_from_slice(&[0x12, 0x34]);
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

#[test]
fn every_piece_of_a_sent_tunnel_frame_is_recognised_and_no_other() {
    let mut frames = SentFrames::new();
    let tunnel = stuff(&ppp(&ipv4(4, [192, 0, 2, 2], 600)));
    let ordinary = stuff(&ppp(&ipv4(1, [192, 0, 2, 2], 300)));
    for round in 0..2 {
        for piece in pieces(&tunnel, 128) {
            assert!(frames.is_tunnel(&piece, &[REMOTE]), "round {round}");
        }
        for piece in pieces(&ordinary, 128) {
            assert!(!frames.is_tunnel(&piece, &[REMOTE]), "round {round}");
        }
    }
}

#[test]
fn unstuffing_stops_at_a_flag_and_never_overruns() {
    let mut out = [0u8; 4];
    assert_eq!(unstuff(&[FLAG, 1, ESCAPE, 0x5e, 2, 3, 4], &mut out), 4);
    assert_eq!(out, [1, 0x7e, 2, 3]);
    assert_eq!(unstuff(&[5, FLAG, 6], &mut out), 1);
    assert_eq!(unstuff(&[ESCAPE], &mut out), 0);
    assert_eq!(unstuff(&[], &mut out), 0);
}
