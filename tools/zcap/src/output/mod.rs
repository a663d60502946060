//! Where frames are written: a pcapng (default) or pcap file, stdout, or a
//! fifo, with dumpcap-style rotation of files. Each file is self-contained:
//! its own section header and interface blocks, and statistics blocks at
//! its end.

mod fifo;
pub mod pcap;
pub mod pcapng;
pub mod rotation;

use std::collections::{HashMap, VecDeque};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use self::pcap::{PcapWriter, Stored};
use self::pcapng::{InterfaceDesc, InterfaceStats, PacketRecord, PcapngWriter};
use self::rotation::{file_name, Ring};
use crate::error::{describe, Fatal};

/// The snap length recorded when none was asked for (tcpdump's and
/// dumpcap's default, the largest any link type needs).
pub const DEFAULT_SNAPLEN: u32 = 262_144;

/// File format (`-F`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// pcapng: one interface per device and link type, direction flags,
    /// statistics.
    Pcapng,
    /// Classic pcap with nanosecond timestamps: one link type per file.
    Pcap,
}

/// Where the capture goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Nowhere (summaries only).
    Nothing,
    /// Standard output (`-w -`).
    Stdout,
    /// A regular file, possibly rotated.
    File(PathBuf),
    /// A fifo that a reader (Wireshark) has open (`--fifo`).
    Fifo(PathBuf),
}

/// What happened to a frame handed to [`Output::write`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// Stored in the current file.
    Stored,
    /// Not stored: a pcap file holds one link type only.
    WrongLinktype,
    /// Not stored: there is no output, or its reader went away.
    Discarded,
}

type Sink = BufWriter<Box<dyn Write>>;

enum Writer {
    Pcapng(PcapngWriter<Sink>),
    Pcap(PcapWriter<Sink>),
}

struct Interface {
    id: u32,
    stats: InterfaceStats,
}

struct OpenFile {
    writer: Writer,
    path: Option<PathBuf>,
    opened: Instant,
    packets: u64,
    /// Interfaces described in this file, by stream, in order of ids.
    interfaces: HashMap<usize, Interface>,
}

impl OpenFile {
    fn bytes(&self) -> u64 {
        match &self.writer {
            Writer::Pcapng(writer) => writer.bytes_written(),
            Writer::Pcap(writer) => writer.bytes_written(),
        }
    }
}

/// The capture output.
pub struct Output {
    format: Format,
    target: Target,
    ring: Ring,
    snaplen: u32,
    application: String,
    /// Link type of an empty pcap file.
    default_linktype: u32,
    current: Option<OpenFile>,
    index: u32,
    kept: VecDeque<PathBuf>,
    reader_gone: bool,
    /// The fifo, once its reader opened it.
    fifo: Option<File>,
}

impl Output {
    /// Opens the output (the first file at once, so an unwritable path
    /// fails before the capture starts). Waiting for the reader of a fifo
    /// ends when `stop` is set; the output then has no reader.
    pub fn open(
        format: Format,
        target: Target,
        ring: Ring,
        snaplen: u32,
        default_linktype: u32,
        stop: &AtomicBool,
    ) -> Result<Output, Fatal> {
        let mut output = Output {
            format,
            target,
            ring,
            snaplen,
            application: format!("zcap {}", env!("CARGO_PKG_VERSION")),
            default_linktype,
            current: None,
            index: 0,
            kept: VecDeque::new(),
            reader_gone: false,
            fifo: None,
        };
        if let Target::Fifo(path) = &output.target {
            match fifo::wait_for_reader(path, stop)? {
                Some(fifo) => output.fifo = Some(fifo),
                None => {
                    output.reader_gone = true;
                    return Ok(output);
                }
            }
        }
        output.start_file(crate::input::now_ns())?;
        Ok(output)
    }

    /// Whether the reader of a pipe or fifo has gone, so capturing is moot.
    pub fn reader_gone(&self) -> bool {
        self.reader_gone
    }

    /// Paths of the files written (the kept ones, when rotating).
    pub fn files(&self) -> Vec<PathBuf> {
        self.kept.iter().cloned().collect()
    }

    fn start_file(&mut self, now_ns: u64) -> Result<(), Fatal> {
        let (sink, path): (Box<dyn Write>, Option<PathBuf>) = match &self.target {
            Target::Nothing => return Ok(()),
            Target::Stdout => (Box::new(io::stdout().lock()), None),
            Target::Fifo(path) => match self.fifo.take() {
                Some(fifo) => (Box::new(fifo), Some(path.clone())),
                None => return Ok(()),
            },
            Target::File(base) => {
                self.index += 1;
                let path = if self.ring.rotates() {
                    file_name(base, self.index, now_ns / 1_000_000_000)
                } else {
                    base.clone()
                };
                let file = File::create(&path).map_err(|err| {
                    Fatal::output(format!(
                        "cannot create {}: {}; choose a writable path with -w",
                        path.display(),
                        describe(&err)
                    ))
                })?;
                self.kept.push_back(path.clone());
                self.delete_old_files();
                (Box::new(file), Some(path))
            }
        };
        let sink = BufWriter::with_capacity(1 << 16, sink);
        let writer = match self.format {
            Format::Pcapng => Writer::Pcapng(
                PcapngWriter::new(sink, &self.application)
                    .map_err(|err| self.write_failed(path.as_deref(), &err))?,
            ),
            Format::Pcap => Writer::Pcap(PcapWriter::new(sink, self.snaplen)),
        };
        self.current = Some(OpenFile {
            writer,
            path,
            opened: Instant::now(),
            packets: 0,
            interfaces: HashMap::new(),
        });
        Ok(())
    }

    fn delete_old_files(&mut self) {
        let Some(limit) = self.ring.files else {
            return;
        };
        while self.kept.len() > limit {
            if let Some(old) = self.kept.pop_front() {
                if let Err(err) = fs::remove_file(&old) {
                    eprintln!(
                        "zcap: cannot delete old ring file {}: {}",
                        old.display(),
                        describe(&err)
                    );
                }
            }
        }
    }

    fn write_failed(&self, path: Option<&Path>, err: &io::Error) -> Fatal {
        let name = path.map_or_else(
            || "standard output".to_string(),
            |p| p.display().to_string(),
        );
        Fatal::runtime(format!(
            "cannot write {name}: {}; free space or choose another path with -w",
            describe(err)
        ))
    }

    /// Handles an I/O result: a closed pipe ends the output quietly.
    fn check<T>(&mut self, result: io::Result<T>) -> Result<Option<T>, Fatal> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                self.reader_gone = true;
                self.current = None;
                Ok(None)
            }
            Err(err) => {
                let path = self.current.as_ref().and_then(|file| file.path.clone());
                Err(self.write_failed(path.as_deref(), &err))
            }
        }
    }

    /// Writes a frame of stream `stream` (described by `desc`).
    pub fn write(
        &mut self,
        stream: usize,
        desc: &InterfaceDesc,
        packet: &PacketRecord<'_>,
    ) -> Result<Written, Fatal> {
        self.rotate_if_due(packet.ts_ns, false)?;
        let Some(file) = self.current.as_mut() else {
            return Ok(Written::Discarded);
        };
        let result = write_packet(file, stream, desc, packet);
        match self.check(result)? {
            Some(written) => Ok(written),
            None => Ok(Written::Discarded),
        }
    }

    /// Called when the input is idle: flushes buffered blocks, so a live
    /// reader sees them, and switches files on time.
    pub fn idle(&mut self, now_ns: u64) -> Result<(), Fatal> {
        self.rotate_if_due(now_ns, true)?;
        self.flush()
    }

    /// Flushes buffered blocks.
    pub fn flush(&mut self) -> Result<(), Fatal> {
        let Some(file) = self.current.as_mut() else {
            return Ok(());
        };
        let result = match &mut file.writer {
            Writer::Pcapng(writer) => writer.flush(),
            Writer::Pcap(writer) => writer.flush(),
        };
        self.check(result).map(|_| ())
    }

    fn rotate_if_due(&mut self, now_ns: u64, idle: bool) -> Result<(), Fatal> {
        if !matches!(self.target, Target::File(_)) {
            return Ok(());
        }
        let Some(file) = self.current.as_ref() else {
            return Ok(());
        };
        let age = file.opened.elapsed().as_secs();
        // Size and packet limits are checked before writing; when idle only
        // the duration can have passed.
        let due = if idle {
            self.ring.duration_secs.is_some_and(|limit| age >= limit)
        } else {
            self.ring.is_due(age, file.bytes(), file.packets)
        };
        if due {
            self.close_file(now_ns)?;
            self.start_file(now_ns)?;
        }
        Ok(())
    }

    fn close_file(&mut self, now_ns: u64) -> Result<(), Fatal> {
        let Some(mut file) = self.current.take() else {
            return Ok(());
        };
        let default_linktype = self.default_linktype;
        let result = (|| match &mut file.writer {
            Writer::Pcapng(writer) => {
                let mut interfaces: Vec<&Interface> = file.interfaces.values().collect();
                interfaces.sort_by_key(|interface| interface.id);
                for interface in interfaces {
                    writer.statistics(interface.id, now_ns, &interface.stats)?;
                }
                writer.flush()
            }
            Writer::Pcap(writer) => writer.finish(default_linktype),
        })();
        self.current = Some(file);
        self.check(result)?;
        self.current = None;
        Ok(())
    }

    /// Ends the output: statistics blocks, flush.
    pub fn close(&mut self, now_ns: u64) -> Result<(), Fatal> {
        self.close_file(now_ns)
    }
}

fn write_packet(
    file: &mut OpenFile,
    stream: usize,
    desc: &InterfaceDesc,
    packet: &PacketRecord<'_>,
) -> io::Result<Written> {
    let written = match &mut file.writer {
        Writer::Pcapng(writer) => {
            let interface = match file.interfaces.get_mut(&stream) {
                Some(interface) => interface,
                None => {
                    let id = writer.interface(desc)?;
                    file.interfaces.entry(stream).or_insert(Interface {
                        id,
                        stats: InterfaceStats {
                            start_ns: packet.ts_ns,
                            if_dropped: desc.counts_if_drops.then_some(0),
                            ..InterfaceStats::default()
                        },
                    })
                }
            };
            writer.packet(interface.id, packet)?;
            interface.stats.received += 1;
            let if_drops = packet.if_drops.min(packet.dropcount);
            if let Some(if_dropped) = interface.stats.if_dropped.as_mut() {
                *if_dropped += if_drops;
            }
            interface.stats.os_dropped += packet.dropcount - if_drops;
            interface.stats.end_ns = packet.ts_ns;
            Written::Stored
        }
        Writer::Pcap(writer) => match writer.packet(desc.linktype, packet)? {
            Stored::Yes => Written::Stored,
            Stored::WrongLinktype { .. } => Written::WrongLinktype,
        },
    };
    if written == Written::Stored {
        file.packets += 1;
    }
    Ok(written)
}
