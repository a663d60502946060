use super::*;

const ARPHRD_CAN: u16 = 280;
const ARPHRD_PPP: u16 = 512;
const ETH_P_CAN: u16 = 0x000c;
const ETH_P_HDLC: u16 = 0x0019;

fn ppp_addr() -> LinkAddr {
    LinkAddr::new(6, &[1, 2, 3, 4, 5, 6, 0xee, 0xee])
}

#[test]
fn sll1_golden_bytes_of_the_sample_can_frame() {
    // Spec appendix A: OUTGOING, ARPHRD_CAN, no address, ETH_P_CAN.
    let repr = Sll1Repr {
        pkttype: packet_type::OUTGOING,
        hatype: ARPHRD_CAN,
        addr: LinkAddr::new(0, &[0; 8]),
        protocol: ETH_P_CAN,
    };
    let mut buf = [0xaau8; SLL1_HEADER_LEN];
    repr.emit(&mut buf).unwrap();
    assert_eq!(
        buf,
        [0x00, 0x04, 0x01, 0x18, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x0c]
    );
    assert_eq!(Sll1Repr::parse(&buf).unwrap(), repr);
}

#[test]
fn sll1_golden_bytes_for_every_packet_type() {
    for pkttype in 0..=4u16 {
        let repr = Sll1Repr {
            pkttype,
            hatype: ARPHRD_PPP,
            addr: ppp_addr(),
            protocol: ETH_P_HDLC,
        };
        let mut buf = [0u8; SLL1_HEADER_LEN];
        repr.emit(&mut buf).unwrap();
        let expected = [
            0x00,
            pkttype as u8,
            0x02,
            0x00,
            0x00,
            0x06,
            1,
            2,
            3,
            4,
            5,
            6,
            0,
            0,
            0x00,
            0x19,
        ];
        assert_eq!(buf, expected, "packet type {pkttype}");
        assert_eq!(Sll1Repr::parse(&buf).unwrap(), repr);
    }
}

#[test]
fn sll2_golden_bytes_for_every_packet_type() {
    // The C code emitted `00 19 00 00 01 00 00 00 02 00 00 00 ...` on
    // little-endian targets (W19): host-order index, zero type and
    // length. These are the bytes tcpdump defines.
    for pkttype in 0..=4u8 {
        let repr = Sll2Repr {
            protocol: ETH_P_HDLC,
            ifindex: 2,
            hatype: ARPHRD_PPP,
            pkttype,
            addr: ppp_addr(),
        };
        let mut buf = [0xaau8; SLL2_HEADER_LEN];
        repr.emit(&mut buf).unwrap();
        let expected = [
            0x00, 0x19, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, pkttype, 0x06, 1, 2, 3, 4,
            5, 6, 0, 0,
        ];
        assert_eq!(buf, expected, "packet type {pkttype}");
        assert_eq!(Sll2Repr::parse(&buf).unwrap(), repr);
    }
}

#[test]
fn sll2_interface_index_is_big_endian() {
    let repr = Sll2Repr {
        protocol: 0x0800,
        ifindex: 0x0102_0304,
        hatype: 1,
        pkttype: 0,
        addr: LinkAddr::default(),
    };
    let mut buf = [0u8; SLL2_HEADER_LEN];
    repr.emit(&mut buf).unwrap();
    assert_eq!(&buf[4..8], &[1, 2, 3, 4]);
}

#[test]
fn sll2_refuses_fields_wider_than_a_byte() {
    let cooked = Cooked {
        pkttype: 300,
        hatype: 1,
        addr: LinkAddr::default(),
        protocol: 1,
        ifindex: 1,
    };
    let mut buf = [0u8; SLL2_HEADER_LEN];
    assert_eq!(cooked.emit(Version::V2, &mut buf), Err(Error::Malformed));
    assert_eq!(cooked.emit(Version::V1, &mut buf), Ok(SLL1_HEADER_LEN));
    let wide_addr = Sll2Repr {
        protocol: 1,
        ifindex: 1,
        hatype: 1,
        pkttype: 0,
        addr: LinkAddr {
            len: 256,
            bytes: [0; 8],
        },
    };
    assert_eq!(wide_addr.emit(&mut buf), Err(Error::Malformed));
}

#[test]
fn sll2_parse_refuses_nonzero_reserved_field() {
    let mut buf = [0u8; SLL2_HEADER_LEN];
    buf[3] = 1;
    assert_eq!(Sll2Repr::parse(&buf), Err(Error::Malformed));
}

#[test]
fn short_buffers_are_refused_both_ways() {
    let mut short = [0u8; 15];
    assert_eq!(Sll1Repr::parse(&short), Err(Error::Truncated));
    assert_eq!(Sll2Repr::parse(&[0u8; 19]), Err(Error::Truncated));
    let repr = Sll1Repr {
        pkttype: 0,
        hatype: 1,
        addr: LinkAddr::default(),
        protocol: 1,
    };
    assert_eq!(repr.emit(&mut short), Err(Error::Truncated));
}

#[test]
fn link_addr_zeroes_bytes_past_its_length() {
    let addr = LinkAddr::new(2, &[9, 8, 7, 6, 5, 4, 3, 2]);
    assert_eq!(addr.bytes, [9, 8, 0, 0, 0, 0, 0, 0]);
    assert_eq!(addr.as_bytes(), &[9, 8]);
    let long = LinkAddr::new(20, &[1; 8]);
    assert_eq!(long.as_bytes(), &[1; 8]);
}

proptest::proptest! {
    #[test]
    fn emit_then_parse_is_identity(pkttype in 0u8..=255, hatype: u16, halen in 0u16..=8,
                                   addr: [u8; 8], protocol: u16, ifindex: u32) {
        let addr = LinkAddr::new(halen, &addr);
        let mut buf = [0u8; SLL2_HEADER_LEN];
        let v1 = Sll1Repr { pkttype: u16::from(pkttype), hatype, addr, protocol };
        v1.emit(&mut buf).unwrap();
        proptest::prop_assert_eq!(Sll1Repr::parse(&buf).unwrap(), v1);
        let v2 = Sll2Repr { protocol, ifindex, hatype, pkttype, addr };
        v2.emit(&mut buf).unwrap();
        proptest::prop_assert_eq!(Sll2Repr::parse(&buf).unwrap(), v2);
    }
}

fn ethernet_head(dst: [u8; 6], ethertype: u16, next: [u8; 2]) -> std::vec::Vec<u8> {
    let mut frame = dst.to_vec();
    frame.extend_from_slice(&[0x02, 0x00, 0x5e, 0x00, 0x53, 0x01]);
    frame.extend_from_slice(&ethertype.to_be_bytes());
    frame.extend_from_slice(&next);
    frame
}

#[test]
fn ethernet_frames_get_the_header_linux_gives_them() {
    let unicast = ethernet_head([0x02, 0, 0x5e, 0, 0x53, 0x02], 0x0800, [0x45, 0]);
    let (repr, skip) = Sll2Repr::for_ethernet(&unicast, 1, false, 0);
    assert_eq!(skip, 14);
    let mut buf = [0xaau8; SLL2_HEADER_LEN];
    repr.emit(&mut buf).unwrap();
    assert_eq!(
        buf,
        [
            0x08, 0x00, // protocol: the EtherType
            0x00, 0x00, // reserved
            0x00, 0x00, 0x00, 0x01, // interface index, big-endian
            0x00, 0x01, // ARPHRD_ETHER
            0x00, // PACKET_HOST
            0x06, // address length
            0x02, 0x00, 0x5e, 0x00, 0x53, 0x01, 0x00, 0x00, // source MAC, padded
        ]
    );
    assert_eq!(Sll2Repr::parse(&buf).unwrap(), repr);

    let (sent, _) = Sll2Repr::for_ethernet(&unicast, 7, true, 0);
    assert_eq!((sent.pkttype, sent.ifindex), (4, 7));
}

#[test]
fn received_frames_say_how_they_were_addressed_and_sent_ones_are_outgoing() {
    for (dst, received) in [
        ([0xff; 6], packet_type::BROADCAST),
        ([0x33, 0x33, 0, 0, 0, 1], packet_type::MULTICAST),
        ([0x01, 0x00, 0x5e, 0, 0, 0xfb], packet_type::MULTICAST),
        ([0x02, 0, 0, 0, 0, 1], packet_type::HOST),
    ] {
        let head = ethernet_head(dst, 0x86dd, [0x60, 0]);
        let (repr, _) = Sll2Repr::for_ethernet(&head, 1, false, 0);
        assert_eq!(u16::from(repr.pkttype), received, "{dst:02x?}");
        let (repr, _) = Sll2Repr::for_ethernet(&head, 1, true, 0);
        assert_eq!(u16::from(repr.pkttype), packet_type::OUTGOING);
    }
}

#[test]
fn length_fields_become_the_protocols_linux_uses() {
    let llc = ethernet_head([0x01, 0x80, 0xc2, 0, 0, 0], 38, [0x42, 0x42]);
    assert_eq!(
        Sll2Repr::for_ethernet(&llc, 1, false, 0).0.protocol,
        ETH_P_802_2
    );
    let ipx = ethernet_head([0xff; 6], 100, [0xff, 0xff]);
    assert_eq!(
        Sll2Repr::for_ethernet(&ipx, 1, false, 0).0.protocol,
        ETH_P_802_3
    );
    // Only the header known: an LLC frame.
    assert_eq!(
        Sll2Repr::for_ethernet(&ipx[..14], 1, false, 0).0.protocol,
        ETH_P_802_2
    );
}

#[test]
fn frames_shorter_than_an_ethernet_header_keep_their_bytes() {
    let (repr, skip) = Sll2Repr::for_ethernet(&[1, 2, 3], 3, true, 0x86dd);
    assert_eq!(skip, 0);
    assert_eq!(
        repr,
        Sll2Repr {
            protocol: 0x86dd,
            ifindex: 3,
            hatype: ARPHRD_ETHER,
            pkttype: 4,
            addr: LinkAddr::default(),
        }
    );
}
