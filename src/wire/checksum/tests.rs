use super::*;

/// Reference implementation: big-endian 16-bit words, byte by byte.
fn reference(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for pair in data.chunks(2) {
        let word = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
        sum += u32::from(word);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[test]
fn rfc1071_example_sums_to_ddf2() {
    // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2.
    let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
    let mut sum = Checksum::new();
    sum.add(&data);
    assert_eq!(sum.folded(), 0xddf2);
}

#[test]
fn pieces_of_any_length_give_the_contiguous_sum() {
    let data: std::vec::Vec<u8> = (0..=255u8).cycle().take(1517).collect();
    let whole = of(&data);
    assert_eq!(whole, reference(&data));
    for split in [1usize, 2, 3, 5, 7, 8, 31, 33, 128, 129, 1000] {
        let mut sum = Checksum::new();
        for piece in data.chunks(split) {
            sum.add(piece);
        }
        assert_eq!(sum.finish(), whole, "pieces of {split}");
    }
}

#[test]
fn carries_out_of_the_64_bit_sum_are_kept() {
    let data = [0xffu8; 4096];
    assert_eq!(of(&data), reference(&data));
}

#[test]
fn words_and_pseudo_headers_match_bytes() {
    let mut words = Checksum::new();
    words.add_u16(0x1234);
    words.add_u16(0xabcd);
    assert_eq!(words.finish(), reference(&[0x12, 0x34, 0xab, 0xcd]));
    let src = IpAddr::V4(crate::wire::Ipv4Addr::new(192, 0, 2, 1));
    let dst = IpAddr::V4(crate::wire::Ipv4Addr::new(192, 0, 2, 2));
    let mut pseudo = Checksum::new();
    pseudo.add_pseudo_header(&src, &dst, 17, 0x1_0203);
    let bytes = [192, 0, 2, 1, 192, 0, 2, 2, 0, 1, 2, 3, 0, 17];
    assert_eq!(pseudo.finish(), reference(&bytes));
}

#[test]
fn empty_pieces_keep_the_pending_byte() {
    let mut sum = Checksum::new();
    sum.add(&[0x12]);
    sum.add(&[]);
    sum.add(&[0x34]);
    assert_eq!(sum.finish(), reference(&[0x12, 0x34]));
}

#[test]
fn udp_zero_checksum_is_sent_as_all_ones() {
    // A sum of 0xffff complements to zero.
    let mut sum = Checksum::new();
    sum.add(&[0xff, 0xff]);
    assert_eq!(sum.finish(), 0);
    assert_eq!(sum.finish_udp(), 0xffff);
}

proptest::proptest! {
    #[test]
    fn any_split_matches_reference(data in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
                                   cuts in proptest::collection::vec(0usize..600, 0..6)) {
        let mut sum = Checksum::new();
        let mut cuts = cuts;
        cuts.push(data.len());
        cuts.sort_unstable();
        let mut start = 0;
        for cut in cuts {
            let cut = cut.min(data.len());
            sum.add(&data[start..cut]);
            start = cut;
        }
        proptest::prop_assert_eq!(sum.finish(), reference(&data));
    }
}
