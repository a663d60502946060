//! Seed corpora: `seeds_and_corpora_pass_their_checks` runs every committed
//! seed, corpus entry and regression input through its target's checks (on
//! stable, in `cargo test`); `write_seeds` (ignored) regenerates `seeds/`
//! from the documented forms, the golden SLL headers, and packets built with
//! `wire::tunnel`:
//!
//! `cargo test --release --manifest-path fuzz/Cargo.toml --test seeds -- --ignored`

use std::fs;
use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use capture_fuzz::{
    capture_state, cooked_data, endpoint, filter, sll, stream_decode, tunnel_plan, wire_decode,
    zcap_decap,
};

type Check = fn(&[u8]);

const TARGETS: [(&str, Check); 9] = [
    ("endpoint", endpoint::check),
    ("sll", sll::check),
    ("tunnel_plan", tunnel_plan::check),
    ("wire_decode", wire_decode::check),
    ("zcap_decap", zcap_decap::check),
    ("capture_state", capture_state::check),
    ("cooked_data", cooked_data::check),
    ("filter", filter::check),
    ("stream_decode", stream_decode::check),
];

fn dir(kind: &str, target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(kind)
        .join(target)
}

#[test]
fn seeds_and_corpora_pass_their_checks() {
    for (target, check) in TARGETS {
        for kind in ["seeds", "corpus", "regressions"] {
            let Ok(entries) = fs::read_dir(dir(kind, target)) else {
                continue;
            };
            for entry in entries {
                let path = entry.expect("entry").path();
                check(&fs::read(&path).expect("readable seed"));
            }
        }
    }
}

/// A small deterministic generator for the random searches below.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = 1 + (self.next() as usize) % max;
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Searches random inputs for one of each class `classify` names; keeps the
/// shortest input of each class.
fn search(
    tries: usize,
    max_len: usize,
    mut classify: impl FnMut(&[u8]) -> Vec<String>,
) -> Vec<(String, Vec<u8>)> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut found: Vec<(String, Vec<u8>)> = Vec::new();
    for _ in 0..tries {
        let input = rng.bytes(max_len);
        for class in classify(&input) {
            match found.iter_mut().find(|(c, _)| *c == class) {
                Some((_, best)) if best.len() > input.len() => *best = input.clone(),
                Some(_) => {}
                None => found.push((class, input.clone())),
            }
        }
    }
    found
}

fn write(target: &str, seeds: &[(String, Vec<u8>)]) {
    let dir = dir("seeds", target);
    fs::create_dir_all(&dir).expect("seed dir");
    for (name, bytes) in seeds {
        fs::write(dir.join(name), bytes).expect("write seed");
    }
}

/// The names whose flag is set: the classes a state-machine run reached.
fn hit_names(flags: &[(&str, bool)]) -> Vec<String> {
    flags
        .iter()
        .filter(|(_, hit)| *hit)
        .map(|(name, _)| name.to_string())
        .collect()
}

fn tunnel_classes(input: &[u8]) -> Vec<String> {
    let Ok(case) = tunnel_plan::Case::arbitrary(&mut Unstructured::new(input)) else {
        return Vec::new();
    };
    let family = if case.encap().local.is_ipv4() {
        "v4"
    } else {
        "v6"
    };
    let class = match tunnel_plan::build(&case) {
        Err(err) => format!("{err:?}"),
        Ok(built) if built.truncated_from.is_some() => {
            format!("truncated-{}", built.packets.len())
        }
        Ok(built) if built.packets.len() > 1 => "fragmented".to_string(),
        Ok(_) => "single".to_string(),
    };
    vec![format!("{class}-{family}")]
}

/// Inner packets of a datagram, for wire and zcap seeds.
fn tunnel_packets(input: &[u8]) -> Vec<Vec<u8>> {
    let case = tunnel_plan::Case::arbitrary(&mut Unstructured::new(input)).expect("case");
    tunnel_plan::build(&case).expect("plan").packets
}

fn outer_v4(protocol: u8, inner: &[u8]) -> Vec<u8> {
    let total = (20 + inner.len()) as u16;
    let mut packet = vec![
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        1,
        0x40,
        0,
        64,
        protocol,
    ];
    packet.extend_from_slice(&[0, 0, 192, 0, 2, 1, 192, 0, 2, 2]);
    let sum = zephyr_net_capture::wire::checksum::of(&packet);
    packet[10..12].copy_from_slice(&sum.to_be_bytes());
    packet.extend_from_slice(inner);
    packet
}

fn record(delta: u8, packet: &[u8]) -> Vec<u8> {
    let mut out = vec![delta];
    out.extend_from_slice(&(packet.len() as u16).to_be_bytes());
    out.extend_from_slice(packet);
    out
}

#[test]
#[ignore = "regenerates seeds/; run by hand"]
fn write_seeds() {
    let sll_seeds: Vec<(String, Vec<u8>)> = vec![
        // SLL v1 of the sample's CAN frame (spec appendix A).
        (
            "v1-can".into(),
            vec![0, 4, 1, 0x18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0c],
        ),
        // SLL v1 of a PPP frame with a 6-byte address.
        (
            "v1-ppp".into(),
            vec![0, 4, 2, 0, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0x19],
        ),
        // SLL v2 with interface index 2.
        (
            "v2-ppp".into(),
            vec![
                0, 0x19, 0, 0, 0, 0, 0, 2, 2, 0, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0,
            ],
        ),
        // SLL v2 as the C implementation wrote it on little-endian targets.
        (
            "v2-legacy".into(),
            vec![
                0, 0x19, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0,
            ],
        ),
        (
            "v2-reserved-set".into(),
            vec![
                0x86, 0xdd, 0, 1, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0,
            ],
        ),
    ];
    write("sll", &sll_seeds);

    let tunnel = search(200_000, 80, tunnel_classes);
    write("tunnel_plan", &tunnel);

    // wire_decode: inner packets of each kind, and frames around them.
    let find = |class: &str| {
        tunnel
            .iter()
            .find(|(c, _)| c == class)
            .map(|(_, bytes)| bytes.clone())
            .unwrap_or_else(|| panic!("no {class} seed"))
    };
    let mut wire = Vec::new();
    for class in ["single-v4", "single-v6", "fragmented-v4", "fragmented-v6"] {
        let packets = tunnel_packets(&find(class));
        wire.push((format!("{class}-first"), packets[0].clone()));
        if packets.len() > 1 {
            wire.push((format!("{class}-last"), packets[packets.len() - 1].clone()));
        }
    }
    for (n, (remote, icmp, link)) in [
        (0, false, 0),
        (0, true, 0),
        (1, true, 1),
        (1, false, 2),
        (2, true, 2),
    ]
    .into_iter()
    .enumerate()
    {
        wire.push((
            format!("feedback-{n}"),
            capture_state::feedback_frame(remote, icmp, link),
        ));
    }
    let mut tagged = vec![0xff; 6];
    tagged.extend_from_slice(&[
        2, 0, 0x5e, 0, 0x53, 1, 0x81, 0, 0, 42, 0x88, 0xa8, 0, 7, 0x86, 0xdd,
    ]);
    tagged.extend_from_slice(&tunnel_packets(&find("single-v6"))[0]);
    wire.push(("ethernet-two-vlans".into(), tagged));
    write("wire_decode", &wire);

    // zcap_decap, mode 0: streams of outer packets.
    let mut zcap = Vec::new();
    for class in [
        "single-v4",
        "fragmented-v4",
        "fragmented-v6",
        "truncated-1-v6",
    ] {
        let mut stream = vec![0u8];
        for packet in tunnel_packets(&find(class)) {
            let protocol = if packet[0] >> 4 == 4 { 4 } else { 41 };
            stream.extend(record(1, &outer_v4(protocol, &packet)));
        }
        zcap.push((format!("stream-{class}"), stream));
    }
    // Fragments of one datagram in reverse order, then a stale one.
    let mut reversed = vec![6u8];
    for packet in tunnel_packets(&find("fragmented-v4")).iter().rev() {
        reversed.extend(record(0, &outer_v4(4, packet)));
    }
    reversed.extend(record(
        0x95,
        &outer_v4(4, &tunnel_packets(&find("fragmented-v4"))[0]),
    ));
    zcap.push(("stream-reversed-filtered".into(), reversed));
    // Mode 1: round trips through the encoder.
    for (class, bytes) in &tunnel {
        let mut input = vec![1u8];
        input.extend_from_slice(bytes);
        input.extend_from_slice(&[1, 1, 3]);
        zcap.push((format!("roundtrip-{class}"), input));
    }
    write("zcap_decap", &zcap);

    let capture = search(3_000_000, 400, |input| {
        let Ok(script) = capture_state::Script::arbitrary_take_rest(Unstructured::new(input))
        else {
            return Vec::new();
        };
        let reached = capture_state::run(&script);
        hit_names(&reached.flags())
    });
    println!(
        "capture_state seeds: {:?}",
        capture
            .iter()
            .map(|(c, b)| (c, b.len()))
            .collect::<Vec<_>>()
    );
    write("capture_state", &capture);
}

#[test]
#[ignore = "regenerates seeds/cooked_data; run by hand"]
fn write_cooked_seeds() {
    let cooked = search(3_000_000, 400, |input| {
        let Ok(script) = cooked_data::Script::arbitrary_take_rest(Unstructured::new(input)) else {
            return Vec::new();
        };
        let reached = cooked_data::run(&script);
        hit_names(&reached.flags())
    });
    println!(
        "cooked_data seeds: {:?}",
        cooked.iter().map(|(c, b)| (c, b.len())).collect::<Vec<_>>()
    );
    write("cooked_data", &cooked);
}

/// Filter seeds: each documented form of the grammar, paired in turn with
/// frames of each kind the primitives look at.
#[test]
#[ignore = "regenerates seeds/filter; run by hand"]
fn write_filter_seeds() {
    let ipv4_udp = {
        let mut p = vec![0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 17, 0, 0];
        p.extend_from_slice(&[192, 0, 2, 1, 192, 0, 2, 2]);
        p.extend_from_slice(&[0x10, 0x93, 0, 53, 0, 8, 0, 0]);
        p
    };
    let ipv6_frag_tcp = {
        let mut p = vec![0x60, 0, 0, 0, 0, 28, 44, 64];
        p.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        p.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        p.extend_from_slice(&[6, 0, 0, 1, 0, 0, 0, 7, 0, 80, 0x01, 0xbb]);
        p
    };
    let ether = |tags: &[u8], ethertype: [u8; 2], payload: &[u8]| {
        let mut f = vec![0xff; 6];
        f.extend_from_slice(&[2, 0, 0, 0, 0, 1]);
        f.extend_from_slice(tags);
        f.extend_from_slice(&ethertype);
        f.extend_from_slice(payload);
        f
    };
    let arp = [
        0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 192, 0, 2, 2,
    ];
    let frames = [
        ether(&[], [8, 0], &ipv4_udp),
        ether(&[0x81, 0, 0, 10], [0x86, 0xdd], &ipv6_frag_tcp),
        ether(&[], [8, 6], &arp),
        ipv4_udp.clone(),
        [
            &[
                0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0,
            ][..],
            &ipv6_frag_tcp,
        ]
        .concat(),
        [&[0xff, 0x03, 0x00, 0x21][..], &ipv4_udp].concat(),
        [
            &[0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0x19][..],
            &[0x0f, 0, 0, 0],
        ]
        .concat(),
    ];
    let texts = [
        "udp port 4243",
        "ip and not (tcp or udp) or arp",
        "ip6 && !icmp6 || vlan",
        "tcp src or dst port 80 and not 443",
        "sctp dst and src portrange 1-1024",
        "ip host 192.0.2.1 or arp net 192.0.2.0/24",
        "src 192.0.2.1 and (192.0.2.2 or 10.0.0.1)",
        "ip6 dst net 2001:db8::/32 or host ::1",
        "ether proto 0x88cc or ether proto \\arp or ether proto 0x42",
        "ip proto \\udp or ip6 proto 44 or proto 132",
        "vlan 10 and vlan and udp",
        "not vlan or arp",
        "len <= 64 or len > 1000 and less 80 or greater 60",
        "len != 0x40 and len == 064",
        "((((icmp))))",
        "rarp or igmp",
        "port 53 or 54 or 55",
        "ether proto 0x19",
        "",
        "tcp or tcp or tcp or tcp or tcp or tcp or tcp or tcp or tcp or tcp or tcp or tcp or tcp or tcp or tcp or tcp or tcp",
        "port 70000",
        "net 10.0.0.1/8",
    ];
    let seeds: Vec<(String, Vec<u8>)> = texts
        .iter()
        .enumerate()
        .map(|(n, text)| {
            let frame = &frames[n % frames.len()];
            (
                format!("expr-{n:02}"),
                filter::input(text.as_bytes(), frame),
            )
        })
        .collect();
    write("filter", &seeds);
}

/// How many corpus and seed inputs reach each milestone, to see that the
/// state machine's checks are not vacuous.
#[test]
#[ignore = "prints corpus statistics; run by hand"]
fn corpus_reaches() {
    let inputs = |target: &str| -> Vec<Vec<u8>> {
        ["seeds", "corpus"]
            .iter()
            .filter_map(|kind| fs::read_dir(dir(kind, target)).ok())
            .flatten()
            .map(|entry| fs::read(entry.expect("entry").path()).expect("readable"))
            .collect()
    };
    let mut capture = [0usize; 7];
    for input in inputs("capture_state") {
        let Ok(script) = capture_state::Script::arbitrary_take_rest(Unstructured::new(&input))
        else {
            continue;
        };
        count_hits(&mut capture, &capture_state::run(&script).flags());
    }
    print_hits(
        "capture_state",
        &capture,
        &capture_state::Reached::default().flags(),
    );
    let mut cooked = [0usize; 3];
    for input in inputs("cooked_data") {
        let Ok(script) = cooked_data::Script::arbitrary_take_rest(Unstructured::new(&input)) else {
            continue;
        };
        count_hits(&mut cooked, &cooked_data::run(&script).flags());
    }
    print_hits(
        "cooked_data",
        &cooked,
        &cooked_data::Reached::default().flags(),
    );
}

fn count_hits(counts: &mut [usize], flags: &[(&str, bool)]) {
    for (count, (_, hit)) in counts.iter_mut().zip(flags) {
        *count += usize::from(*hit);
    }
}

fn print_hits(target: &str, counts: &[usize], flags: &[(&str, bool)]) {
    let line: Vec<String> = flags
        .iter()
        .zip(counts)
        .map(|((name, _), count)| format!("{name} {count}"))
        .collect();
    println!("{target}: {}", line.join(" "));
}

/// The body of a packet record after its kind and version bytes.
#[allow(clippy::too_many_arguments)]
fn packet_body(
    device: u8,
    flags: u8,
    sequence: u32,
    ts: u64,
    link_type: u16,
    ifindex: u16,
    lost: u32,
    data: &[u8],
) -> Vec<u8> {
    let mut body = vec![device, flags];
    body.extend_from_slice(&sequence.to_be_bytes());
    body.extend_from_slice(&ts.to_be_bytes());
    body.extend_from_slice(&link_type.to_be_bytes());
    body.extend_from_slice(&ifindex.to_be_bytes());
    body.extend_from_slice(&(data.len() as u32 + 4).to_be_bytes());
    body.extend_from_slice(&lost.to_be_bytes());
    body.extend_from_slice(data);
    body
}

/// The body of a hello record (or, with `ring` as counters, a stats one).
fn sink_body(sequence: u32, ts: u64, tail: &[u8]) -> Vec<u8> {
    let mut body = vec![0xff, 0];
    body.extend_from_slice(&sequence.to_be_bytes());
    body.extend_from_slice(&ts.to_be_bytes());
    body.extend_from_slice(tail);
    body
}

/// One `stream_decode` operation: `op`, length, body.
fn op(code: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![code, body.len().min(255) as u8];
    out.extend_from_slice(&body[..body.len().min(255)]);
    out
}

/// A whole record (kind and version included) from an operation body.
fn stream_record(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![kind, 1];
    out.extend_from_slice(body);
    out
}

#[test]
#[ignore = "regenerates seeds/stream_decode; run by hand"]
fn write_stream_seeds() {
    let hello = sink_body(0, 1_000, b"\0\0\x10\0Zephyr 4.1.99 mps2/an385");
    let stats = sink_body(
        9,
        2_000_000_000,
        &[0, 0, 0, 7, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    let ping: Vec<u8> = (0..40u8).collect();
    let long: Vec<u8> = (0..600u32).map(|i| (i % 255 + 1) as u8).collect();
    let packets = [
        packet_body(0, 1, 0, 1_001_000, 1, 1, 0, &ping),
        packet_body(0, 2, 1, 1_002_000, 1, 1, 0, &[0; 30]),
        packet_body(1, 2, 4, 1_003_000, 101, 2, 2, &[0x45, 0, 0, 20]),
        packet_body(0, 0, 7, 1_004_000, 195, 3, 0, &[0x41, 0xcc, 1, 0, 0]),
        packet_body(2, 3, 8, 1_005_000, 276, 4, 0, &long[..200]),
    ];
    let mut seeds: Vec<(String, Vec<u8>)> = Vec::new();

    // Mode 0: streams as they come off the line.
    let mut clean = vec![0u8, 0];
    clean.extend(stream_decode::frame(&stream_record(3, &hello), 5));
    for (i, body) in packets.iter().enumerate() {
        clean.extend(stream_decode::frame(&stream_record(1, body), i * 7));
    }
    clean.extend(stream_decode::frame(&stream_record(2, &stats), 0));
    seeds.push(("raw-clean".into(), clean.clone()));
    let mut joined = vec![2u8, 0x5a, 0x11, 0x22];
    joined.extend_from_slice(&clean[1..]);
    seeds.push(("raw-joined-midway".into(), joined));
    let mut damaged = clean.clone();
    damaged[40] ^= 0x20;
    damaged.insert(90, 0);
    damaged.drain(130..140);
    seeds.push(("raw-damaged".into(), damaged));
    let mut long_record = vec![4u8, 0];
    long_record.extend(stream_decode::frame(
        &stream_record(1, &packet_body(0, 1, 0, 0, 1, 1, 0, &long)),
        300,
    ));
    seeds.push(("raw-long-runs".into(), long_record));
    let mut too_long = vec![6u8, 0];
    too_long.extend(std::iter::repeat_n(0x33u8, 70_000));
    too_long.push(0);
    too_long.extend(stream_decode::frame(&stream_record(3, &hello), 0));
    seeds.push(("raw-too-long".into(), too_long));

    // Mode 1: operations with correct CRCs.
    let mut ops = vec![1u8];
    ops.extend(op(3, &hello));
    for body in &packets {
        ops.extend(op(0x21, body));
    }
    ops.extend(op(2, &stats));
    seeds.push(("ops-clean".into(), ops.clone()));
    let mut noisy = ops.clone();
    noisy.extend(op(5, &[0x02, 0x55, 0]));
    noisy.extend(op(0x46, &stream_record(1, &packets[0])));
    noisy.extend(op(7, &[]));
    noisy.extend(op(4, &[9, 1, 0xff, 0, 0, 0, 0, 0, 1, 2, 3]));
    noisy.extend(op(4, &[1, 7, 0, 0, 0, 0, 0, 0]));
    noisy.extend(op(4, &[1, 0, 0, 0, 0, 0, 0, 0]));
    seeds.push(("ops-noise-unknown-malformed".into(), noisy));
    // The device restarts: once with its hello, once without.
    let mut restart = ops;
    restart.extend(op(3, &sink_body(0, 500, b"\0\0\x10\0")));
    restart.extend(op(1, &packets[0]));
    restart.extend(op(1, &packet_body(0, 1, 0, 100, 1, 1, 0, &ping)));
    restart.extend(op(1, &packet_body(0, 1, 0xffff_fffe, 200, 1, 1, 0, &ping)));
    restart.extend(op(1, &packet_body(0, 1, 3, 300, 1, 1, 1, &ping)));
    seeds.push(("ops-restarts-and-wrap".into(), restart));
    write("stream_decode", &seeds);
}
