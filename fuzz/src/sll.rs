//! The SLL v1/v2 encoder and decoder on arbitrary bytes.

use arbitrary::{Arbitrary, Unstructured};
use zephyr_net_capture::wire::sll::{
    Cooked, LinkAddr, Sll1Repr, Sll2Repr, Version, ADDR_LEN, SLL1_HEADER_LEN, SLL2_HEADER_LEN,
};
use zephyr_net_capture::wire::Error;

/// Filler written around emitted headers, to see stray writes.
const CANARY: u8 = 0xa5;

/// Decoding: a header that parses emits back to the same bytes (v1 and v2;
/// v2 refuses a non-zero reserved field). Encoding: fields built from the
/// same bytes emit into a buffer of any length, never past the header, and
/// parse back to the same fields; what a version cannot hold is refused.
pub fn check(data: &[u8]) {
    decode_then_encode(data);
    let mut u = Unstructured::new(data);
    // Encoding is checked on fields taken from the input bytes too, so the
    // golden headers of the seeds drive both directions.
    let _ = encode_then_decode(&mut u);
}

fn decode_then_encode(data: &[u8]) {
    match Sll1Repr::parse(data) {
        Ok(repr) => {
            let mut out = [CANARY; SLL1_HEADER_LEN];
            repr.emit(&mut out).expect("a parsed v1 header emits");
            assert_eq!(out[..], data[..SLL1_HEADER_LEN], "v1 bytes round trip");
        }
        Err(err) => {
            assert!(data.len() < SLL1_HEADER_LEN);
            assert_eq!(err, Error::Truncated);
        }
    }
    match Sll2Repr::parse(data) {
        Ok(repr) => {
            let mut out = [CANARY; SLL2_HEADER_LEN];
            repr.emit(&mut out).expect("a parsed v2 header emits");
            assert_eq!(out[..], data[..SLL2_HEADER_LEN], "v2 bytes round trip");
            assert!(repr.addr.len <= u16::from(u8::MAX));
        }
        Err(Error::Truncated) => assert!(data.len() < SLL2_HEADER_LEN),
        Err(err) => {
            assert_eq!(err, Error::Malformed);
            assert_ne!(data[2..4], [0, 0], "only a set reserved field is malformed");
        }
    }
}

fn link_addr(u: &mut Unstructured<'_>) -> arbitrary::Result<LinkAddr> {
    let len = u16::arbitrary(u)?;
    let bytes = <[u8; ADDR_LEN]>::arbitrary(u)?;
    if bool::arbitrary(u)? {
        // The constructor the device uses: zeroes the unused bytes.
        let addr = LinkAddr::new(len, &bytes);
        let used = usize::from(len).min(ADDR_LEN);
        assert_eq!(addr.as_bytes(), &bytes[..used]);
        assert!(addr.bytes[used..].iter().all(|b| *b == 0));
        Ok(addr)
    } else {
        Ok(LinkAddr { len, bytes })
    }
}

/// A buffer of `len` bytes of canary, then canary guard bytes after it.
fn emit_into(len: usize, emit: impl FnOnce(&mut [u8]) -> Result<(), Error>) -> (Vec<u8>, bool) {
    let mut buf = vec![CANARY; len + 8];
    let ok = emit(&mut buf[..len]).is_ok();
    assert!(
        buf[len..].iter().all(|b| *b == CANARY),
        "write past the buffer"
    );
    buf.truncate(len);
    (buf, ok)
}

fn encode_then_decode(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let v1 = Sll1Repr {
        pkttype: u16::arbitrary(u)?,
        hatype: u16::arbitrary(u)?,
        addr: link_addr(u)?,
        protocol: u16::arbitrary(u)?,
    };
    let len = usize::from(u8::arbitrary(u)? % 40);
    let (buf, ok) = emit_into(len, |buf| v1.emit(buf));
    assert_eq!(ok, len >= SLL1_HEADER_LEN);
    if ok {
        assert!(buf[SLL1_HEADER_LEN..].iter().all(|b| *b == CANARY));
        assert_eq!(Sll1Repr::parse(&buf), Ok(v1), "v1 repr round trip");
    }

    let v2 = Sll2Repr {
        protocol: u16::arbitrary(u)?,
        ifindex: u32::arbitrary(u)?,
        hatype: u16::arbitrary(u)?,
        pkttype: u8::arbitrary(u)?,
        addr: link_addr(u)?,
    };
    let len = usize::from(u8::arbitrary(u)? % 40);
    let (buf, ok) = emit_into(len, |buf| v2.emit(buf));
    let fits = v2.addr.len <= u16::from(u8::MAX);
    assert_eq!(ok, len >= SLL2_HEADER_LEN && fits);
    if ok {
        assert!(buf[SLL2_HEADER_LEN..].iter().all(|b| *b == CANARY));
        assert_eq!(Sll2Repr::parse(&buf), Ok(v2), "v2 repr round trip");
    }

    let cooked = Cooked {
        pkttype: u16::arbitrary(u)?,
        hatype: u16::arbitrary(u)?,
        addr: link_addr(u)?,
        protocol: u16::arbitrary(u)?,
        ifindex: u32::arbitrary(u)?,
    };
    for version in [Version::V1, Version::V2] {
        let (buf, ok) = emit_into(SLL2_HEADER_LEN, |buf| {
            let written = cooked.emit(version, buf)?;
            assert_eq!(written, version.header_len());
            Ok(())
        });
        match version {
            Version::V1 => {
                assert!(ok, "every field fits v1");
                let back = Sll1Repr::parse(&buf).expect("v1 parses");
                assert_eq!(
                    (back.pkttype, back.hatype, back.addr, back.protocol),
                    (cooked.pkttype, cooked.hatype, cooked.addr, cooked.protocol)
                );
            }
            Version::V2 => {
                let fits =
                    cooked.pkttype <= u16::from(u8::MAX) && cooked.addr.len <= u16::from(u8::MAX);
                assert_eq!(ok, fits, "v2 refuses exactly the fields it cannot hold");
                if ok {
                    let back = Sll2Repr::parse(&buf).expect("v2 parses");
                    assert_eq!(
                        (
                            u16::from(back.pkttype),
                            back.hatype,
                            back.addr,
                            back.protocol,
                            back.ifindex
                        ),
                        (
                            cooked.pkttype,
                            cooked.hatype,
                            cooked.addr,
                            cooked.protocol,
                            cooked.ifindex
                        )
                    );
                }
            }
        }
    }
    Ok(())
}
