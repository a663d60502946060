//! `--link auto`: recognise SLL v1, SLL v2 and raw IP frames by checks
//! that an Ethernet frame practically never passes, and fall back to
//! Ethernet. Every answer carries the reason, because it is a guess and
//! the user is told so.

use zephyr_net_capture::wire::{ipv4, ipv6, sll};

use super::LinkType;

/// A guessed link type and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guess {
    /// The type the frame most likely has.
    pub link: LinkType,
    /// What made it look so, for the message to the user.
    pub reason: String,
}

/// ARPHRD_* values a cooked header from Zephyr (or Linux) plausibly
/// carries. Restricting `hatype` to these is what makes an Ethernet frame
/// fail the SLL checks: its bytes 2..4 (v1) or 8..10 (v2) are MAC bytes.
const KNOWN_HATYPES: &[u16] = &[
    1,      // ETHER
    6,      // IEEE802
    24,     // IEEE1394
    280,    // CAN
    512,    // PPP
    519,    // RAWIP
    768,    // TUNNEL
    769,    // TUNNEL6
    772,    // LOOPBACK
    776,    // SIT
    801,    // IEEE80211
    803,    // IEEE80211_RADIOTAP
    804,    // IEEE802154
    805,    // IEEE802154_MONITOR
    825,    // 6LOWPAN
    0xfffe, // NONE
    0xffff, // VOID
];

const MAX_PKTTYPE: u16 = sll::packet_type::OUTGOING;

/// Guesses the link type of one frame.
pub fn guess(frame: &[u8]) -> Guess {
    if let Some(reason) = looks_like_sll2(frame) {
        return Guess {
            link: LinkType::Sll2,
            reason,
        };
    }
    if let Some(reason) = looks_like_sll1(frame) {
        return Guess {
            link: LinkType::Sll,
            reason,
        };
    }
    if let Some(reason) = looks_like_raw_ip(frame) {
        return Guess {
            link: LinkType::RawIp,
            reason,
        };
    }
    Guess {
        link: LinkType::Ethernet,
        reason: ethernet_reason(frame),
    }
}

/// Why a frame that is no cooked or raw IP one reads as Ethernet.
fn ethernet_reason(frame: &[u8]) -> String {
    match frame.get(12..14) {
        Some(&[high, low]) if u16::from_be_bytes([high, low]) >= 0x0600 => format!(
            "Ethernet header with EtherType 0x{:04x}, no SLL v1/v2 or IP header",
            u16::from_be_bytes([high, low])
        ),
        _ => "no SLL v1/v2, IP or Ethernet II header recognised; Ethernet assumed".to_string(),
    }
}

/// Address bytes past `halen` are zero in headers written by Zephyr and
/// Linux; MAC bytes of an Ethernet frame rarely are.
fn padding_is_zero(addr: &[u8], halen: usize) -> bool {
    addr.get(halen..)
        .is_none_or(|rest| rest.iter().all(|b| *b == 0))
}

fn looks_like_sll1(frame: &[u8]) -> Option<String> {
    let header = sll::Sll1Repr::parse(frame).ok()?;
    let halen = usize::from(header.addr.len);
    let plausible = header.pkttype <= MAX_PKTTYPE
        && KNOWN_HATYPES.contains(&header.hatype)
        && halen <= sll::ADDR_LEN
        && padding_is_zero(&header.addr.bytes, halen);
    plausible.then(|| {
        format!(
            "SLL v1 header (pkttype {}, hatype {}, halen {}, protocol 0x{:04x})",
            header.pkttype, header.hatype, halen, header.protocol
        )
    })
}

fn looks_like_sll2(frame: &[u8]) -> Option<String> {
    // Parsing checks the reserved field is zero.
    let header = sll::Sll2Repr::parse(frame).ok()?;
    let halen = usize::from(header.addr.len);
    // The C implementation zeroed pkttype and halen on little-endian
    // devices and left the address in place, so a zero halen with a filled
    // address is still a cooked header when the index is byte-swapped.
    let legacy = super::inspect::is_legacy_sll2(&header);
    let plausible = u16::from(header.pkttype) <= MAX_PKTTYPE
        && KNOWN_HATYPES.contains(&header.hatype)
        && halen <= sll::ADDR_LEN
        && (legacy || padding_is_zero(&header.addr.bytes, halen))
        && header.ifindex.min(header.ifindex.swap_bytes()) <= 0xffff;
    plausible.then(|| {
        format!(
            "SLL v2 header (reserved 0, hatype {}, pkttype {}, halen {}, protocol 0x{:04x}{})",
            header.hatype,
            header.pkttype,
            halen,
            header.protocol,
            if legacy {
                ", byte-swapped ifindex of the C implementation"
            } else {
                ""
            }
        )
    })
}

fn looks_like_raw_ip(frame: &[u8]) -> Option<String> {
    match frame.first()? >> 4 {
        4 => {
            let packet = ipv4::Packet::new_checked(frame).ok()?;
            let exact = usize::from(packet.total_len()) == frame.len();
            (exact && packet.verify_checksum())
                .then(|| "IPv4 header with matching length and checksum".to_string())
        }
        6 => {
            let packet = ipv6::Packet::new_checked(frame).ok()?;
            (ipv6::HEADER_LEN + usize::from(packet.payload_len()) == frame.len())
                .then(|| "IPv6 header with matching payload length".to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zephyr_net_capture::wire::sll::{packet_type, Cooked, LinkAddr, Version};

    fn cooked(version: Version, pkttype: u16, halen: u16) -> Vec<u8> {
        let header = Cooked {
            pkttype,
            hatype: 512,
            addr: LinkAddr::new(halen, &[0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0, 0]),
            protocol: 0x0019,
            ifindex: 2,
        };
        let mut frame = vec![0u8; version.header_len()];
        header.emit(version, &mut frame).unwrap();
        frame.extend_from_slice(&[0xff, 0x03, 0xc0, 0x21]);
        frame
    }

    fn ethernet(dst: [u8; 6], ethertype: u16) -> Vec<u8> {
        let mut frame = dst.to_vec();
        frame.extend_from_slice(&[0x00, 0x00, 0x5e, 0x00, 0x53, 0x01]);
        frame.extend_from_slice(&ethertype.to_be_bytes());
        frame.extend_from_slice(&[0x60; 40]);
        frame
    }

    #[test]
    fn cooked_headers_of_both_versions_are_recognised() {
        let v1 = guess(&cooked(Version::V1, packet_type::OUTGOING, 6));
        assert_eq!(v1.link, LinkType::Sll);
        assert!(v1.reason.contains("hatype 512"), "{}", v1.reason);
        assert_eq!(
            guess(&cooked(Version::V2, packet_type::HOST, 6)).link,
            LinkType::Sll2
        );
    }

    #[test]
    fn legacy_c_sll2_header_is_still_recognised() {
        let mut frame = cooked(Version::V2, packet_type::OUTGOING, 6);
        frame[10] = 0; // pkttype truncated by htons() into a u8
        frame[11] = 0; // halen likewise
        frame[4..8].copy_from_slice(&2u32.to_le_bytes());
        let guessed = guess(&frame);
        assert_eq!(guessed.link, LinkType::Sll2);
        assert!(
            guessed.reason.contains("byte-swapped"),
            "{}",
            guessed.reason
        );
    }

    #[test]
    fn common_ethernet_frames_stay_ethernet() {
        for dst in [
            [0xff; 6],
            [0x33, 0x33, 0, 0, 0, 1],
            [0x00, 0x00, 0x5e, 0x00, 0x53, 0xff],
            [0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb],
            [0x00, 0x04, 0x00, 0x01, 0x00, 0x06],
        ] {
            for ethertype in [0x0800, 0x86dd, 0x0806] {
                assert_eq!(guess(&ethernet(dst, ethertype)).link, LinkType::Ethernet);
            }
        }
    }

    #[test]
    fn raw_ip_needs_a_consistent_header() {
        let mut packet = vec![0x60, 0, 0, 0, 0, 4, 17, 64];
        packet.extend_from_slice(&[0u8; 36]);
        assert_eq!(guess(&packet).link, LinkType::RawIp);
        packet.push(0);
        assert_eq!(guess(&packet).link, LinkType::Ethernet);
    }

    #[test]
    fn ethernet_guesses_name_the_ethertype() {
        let reason = guess(&ethernet([0xff; 6], 0x0806)).reason;
        assert_eq!(
            reason,
            "Ethernet header with EtherType 0x0806, no SLL v1/v2 or IP header"
        );
        assert!(guess(&[0; 13]).reason.ends_with("Ethernet assumed"));
    }

    #[test]
    fn short_and_empty_frames_default_to_ethernet() {
        assert_eq!(guess(&[]).link, LinkType::Ethernet);
        assert_eq!(guess(&[0, 4, 2, 0]).link, LinkType::Ethernet);
    }
}
