//! The capture loop: take frames from the input, decide their link type,
//! filter them, write them, show them, count them, and stop cleanly.

use std::collections::{HashMap, HashSet};
use std::io::{self, IsTerminal};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::cli::{Config, Lines};
use crate::error::Fatal;
use crate::input::{now_ns, Event, Frame, Input};
use crate::link::inspect::{self, Direction};
use crate::link::{detect, LinkChoice, LinkType};
use crate::output::pcapng::{InterfaceDesc, PacketRecord};
use crate::output::{Output, Written, DEFAULT_SNAPLEN};
use crate::stats::{DeviceId, Totals};
use crate::summary::TimeColumn;
use crate::terminal::Counter;

mod diagnosis;
mod display;
mod report;
mod stream;

/// How long the input may block before the loop checks for signals and
/// time-based work.
const POLL_MS: u16 = 200;

/// One pcapng interface: a (device, link type) pair of the UDP tunnel, or
/// a (capture device, interface, link type) of a serial stream.
struct Stream {
    desc: InterfaceDesc,
}

/// What tells one stream from another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum StreamKey {
    Udp(IpAddr, LinkType),
    Serial {
        device: u8,
        ifindex: u16,
        link: LinkType,
    },
}

/// An open input and output, ready to run.
pub struct Capture<'a> {
    input: Input,
    output: Output,
    session: Session<'a>,
    /// The receive counter of the interface read, before it was opened.
    rx_before: Option<u64>,
}

impl<'a> Capture<'a> {
    /// Opens the input, then the output (waiting for a fifo's reader
    /// until `stop`).
    pub fn open(config: &'a Config, stop: &AtomicBool) -> Result<Capture<'a>, Fatal> {
        let rx_before = report::interface_rx(config);
        let input = Input::open(config)?;
        let default_linktype = match config.links.choose(IpAddr::from([0, 0, 0, 0]), 0) {
            LinkChoice::Fixed(link) => link.linktype(),
            LinkChoice::Auto => LinkType::Ethernet.linktype(),
        };
        let output = Output::open(
            config.format,
            config.target.clone(),
            config.ring,
            config.snaplen,
            default_linktype,
            stop,
        )?;
        Ok(Capture {
            input,
            output,
            session: Session::new(config),
            rx_before,
        })
    }

    /// Runs until a signal, an autostop condition, the end of the input,
    /// or the reader of the output going away; then closes the output and
    /// prints the summary. Capturing nothing is an error that says why.
    pub fn run(self, stop: &AtomicBool) -> Result<(), Fatal> {
        self.run_then(stop, || Ok(()))
    }

    /// [`Capture::run`], with `stopped` run as soon as receiving ends
    /// (before the summary): undoing a device's setup should not wait.
    pub fn run_then(
        mut self,
        stop: &AtomicBool,
        stopped: impl FnOnce() -> Result<(), Fatal>,
    ) -> Result<(), Fatal> {
        let received = self.receive(stop);
        self.session.counter.clear();
        let undone = stopped();
        let result = match (received, undone) {
            (Err(capture), Err(undo)) => Err(Fatal {
                code: undo.code,
                message: format!("{}; and {}", capture.message, undo.message),
            }),
            (received, undone) => received.and(undone),
        };
        let closed = self.output.close(now_ns());
        let report = self
            .session
            .report(&mut self.input, &self.output, self.rx_before);
        result.and(closed).and(report)
    }

    fn receive(&mut self, stop: &AtomicBool) -> Result<(), Fatal> {
        let config = self.session.config;
        let started = Instant::now();
        let deadline = config.stop_after_secs.map(Duration::from_secs);
        let mut dirty = false;
        loop {
            if stop.load(Ordering::Relaxed) || self.output.reader_gone() {
                return Ok(());
            }
            if deadline.is_some_and(|limit| started.elapsed() >= limit) {
                return Ok(());
            }
            if config
                .stop_after_packets
                .is_some_and(|limit| self.session.totals.packets() >= limit)
            {
                return Ok(());
            }
            // Flush as soon as nothing more is queued, so live readers see
            // every frame, but batch writes under load.
            let event = self.input.next(if dirty { 0 } else { POLL_MS })?;
            let session = &mut self.session;
            match event {
                Event::Frame(frame) => {
                    session.frame(frame, &mut self.output)?;
                    dirty = true;
                }
                Event::Malformed { device, reason } => {
                    session.malformed(device.map(DeviceId::Ip), reason);
                }
                Event::Stream(item) => session.stream_item(*item, &mut self.output)?,
                Event::Notice(text) => session.notice(&text),
                Event::Idle => {
                    dirty = false;
                    session.counter.update(session.totals.packets());
                    self.output.idle(now_ns())?;
                }
                Event::End => return Ok(()),
            }
        }
    }
}

struct Session<'a> {
    config: &'a Config,
    streams: Vec<Stream>,
    stream_index: HashMap<StreamKey, usize>,
    totals: Totals,
    reported: HashSet<(Option<DeviceId>, &'static str)>,
    time: TimeColumn,
    counter: Counter,
    /// Frames the capture filter dropped.
    filtered: u64,
    /// Frames from devices `--device` does not name.
    other_devices: u64,
    /// What a serial stream's device said in its hello.
    device_text: Option<String>,
}

impl<'a> Session<'a> {
    fn new(config: &'a Config) -> Session<'a> {
        // A counter would garble packet lines on the same terminal.
        let lines_on_terminal = match config.lines {
            Lines::Off => false,
            Lines::Stdout => io::stdout().is_terminal(),
            Lines::Stderr => true,
        };
        Session {
            config,
            streams: Vec::new(),
            stream_index: HashMap::new(),
            totals: Totals::default(),
            reported: HashSet::new(),
            time: TimeColumn::new(config.time_format),
            counter: Counter::new(!config.quiet && !lines_on_terminal),
            filtered: 0,
            other_devices: 0,
            device_text: None,
        }
    }

    /// The snap length an interface block records.
    fn recorded_snaplen(&self) -> u32 {
        match self.config.snaplen {
            0 => DEFAULT_SNAPLEN,
            snaplen => snaplen,
        }
    }

    /// The index of the stream `key`, described by `describe` when new.
    fn stream_for(&mut self, key: StreamKey, describe: impl FnOnce() -> InterfaceDesc) -> usize {
        if let Some(&index) = self.stream_index.get(&key) {
            return index;
        }
        let index = self.streams.len();
        self.streams.push(Stream { desc: describe() });
        self.stream_index.insert(key, index);
        index
    }

    fn stream(&mut self, device: IpAddr, port: u16, link: LinkType, guess: Option<&str>) -> usize {
        if let Some(&index) = self.stream_index.get(&StreamKey::Udp(device, link)) {
            return index;
        }
        if let Some(reason) = guess {
            // Once per stream, since streams are created once.
            self.notice(&format!(
                "guessed link type {link} for {device} from its first such frame: {reason}; pass --link {device}={link} to be sure"
            ));
        }
        let snaplen = self.recorded_snaplen();
        self.stream_for(StreamKey::Udp(device, link), || InterfaceDesc {
            linktype: link.linktype(),
            snaplen,
            name: format!("zephyr-{device}-{link}"),
            description: format!(
                "Zephyr net capture from {device} to UDP port {port}, link type {link}"
            ),
            comment: guess.map(|reason| format!("link type guessed by zcap: {reason}")),
            counts_if_drops: false,
        })
    }

    /// Whether the capture filter keeps a frame; counts those it drops.
    fn keeps(&mut self, link: LinkType, frame: &[u8], wire_len: usize) -> bool {
        let kept = self
            .config
            .filter
            .as_ref()
            .is_none_or(|filter| filter.matches(link, frame, wire_len));
        if !kept {
            self.filtered += 1;
        }
        kept
    }

    fn frame(&mut self, mut frame: Frame, output: &mut Output) -> Result<(), Fatal> {
        let device = frame.device;
        if !self.config.devices.is_empty() && !self.config.devices.contains(&device) {
            self.other_devices += 1;
            return Ok(());
        }
        let id = DeviceId::Ip(device);
        self.totals.device(Some(id)).drops += frame.drops;
        if frame.bytes.is_empty() {
            self.malformed(Some(id), "empty datagram");
            return Ok(());
        }
        let (link, guess) = match self.config.links.choose(device, frame.port) {
            LinkChoice::Fixed(link) => (link, None),
            LinkChoice::Auto => {
                let guess = detect::guess(&frame.bytes);
                (guess.link, Some(guess.reason))
            }
        };
        let facts = inspect::inspect(link, &frame.bytes);
        if facts.legacy_sll2 {
            let fix = if self.config.repair_sll2 {
                "its interface index is rewritten in network order"
            } else {
                "pass --repair-sll2 to rewrite its interface index"
            };
            self.report_once(
                Some(id),
                "legacy sll2",
                format!("{device} sends SLL2 headers of the old C implementation (byte-swapped interface index, zeroed packet type and address length): direction unknown; {fix}"),
            );
            if self.config.repair_sll2 {
                inspect::repair_legacy_sll2(&mut frame.bytes);
            }
        }
        if !self.keeps(link, &frame.bytes, frame.bytes.len()) {
            return Ok(());
        }
        if let Some(problem) = facts.problem {
            self.malformed(Some(id), problem);
        }
        let stream = self.stream(device, frame.port, link, guess.as_deref());
        let record = PacketRecord {
            ts_ns: frame.ts_ns,
            data: &frame.bytes,
            orig_len: u32::try_from(frame.bytes.len()).unwrap_or(u32::MAX),
            flags: facts.direction.epb_flags(),
            dropcount: frame.drops,
            if_drops: 0,
            comment: facts.problem,
        };
        let label = device.to_string();
        self.deliver(stream, id, &label, link, facts.direction, record, output)
    }

    /// Counts, writes and shows a frame of `stream` from `device`.
    #[allow(clippy::too_many_arguments)]
    fn deliver(
        &mut self,
        stream: usize,
        device: DeviceId,
        label: &str,
        link: LinkType,
        direction: Direction,
        mut record: PacketRecord<'_>,
        output: &mut Output,
    ) -> Result<(), Fatal> {
        let totals = self.totals.device(Some(device));
        totals.packets += 1;
        totals.bytes += record.data.len() as u64;
        totals.links.insert(link);
        let frame = record.data;
        if let Ok(snaplen) = usize::try_from(self.config.snaplen) {
            if snaplen > 0 {
                record.data = frame.get(..snaplen).unwrap_or(frame);
            }
        }
        let desc = match self.streams.get(stream) {
            Some(stream) => &stream.desc,
            None => return Ok(()),
        };
        if output.write(stream, desc, &record)? == Written::WrongLinktype {
            self.totals.device(Some(device)).not_written += 1;
            self.report_once(
                Some(device),
                "wrong linktype",
                format!(
                    "{label} sends {link} frames, which this pcap file cannot hold; use -F pcapng"
                ),
            );
        }
        self.print_line(record.ts_ns, label, link, direction, frame);
        self.counter.update(self.totals.packets());
        Ok(())
    }
}
