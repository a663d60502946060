//! Offline input: a pcap or pcapng capture recorded on the interface that
//! carries the capture tunnel (`tcpdump -i zeth -w tunnel.pcap`), from a
//! file or, with `-r -`, from standard input (`ssh lab tcpdump -U -w - |
//! zcap -r -`).
//!
//! A thread reads the capture and hands packets over a channel, so that a
//! pipe that pauses leaves the capture loop idle (it flushes its output
//! for a live reader) instead of blocked in a read.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{create_reader, PcapError};

use crate::error::{describe, Fatal};

mod blocks;

use blocks::Blocks;

/// Buffer for the reader; a block larger than this cannot be read.
const READ_BUFFER: usize = 1 << 20;
/// Packets the reader thread may be ahead of the capture loop.
const QUEUE: usize = 256;
/// How many times a refill may bring nothing new before the reader gives
/// up (the buffer holds a block it cannot parse).
const MAX_STALLS: u32 = 3;

/// An IP packet read from the capture.
pub struct RecordedPacket {
    /// Record time, nanoseconds since 1970.
    pub ts_ns: u64,
    /// The network-layer packet.
    pub ip: Vec<u8>,
}

/// What the capture turned out to hold, for the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// Packet records read.
    pub records: u64,
    /// Link types met that cannot carry the tunnel.
    pub unsupported: Vec<u32>,
    /// Written by zcap (its `shb_userappl`): it holds frames already.
    pub written_by_zcap: bool,
}

/// What the reader thread hands over.
pub enum Recorded {
    /// An IP packet.
    Packet(RecordedPacket),
    /// Something to tell the user.
    Notice(String),
    /// Nothing within the timeout.
    Idle,
    /// The capture ended.
    End,
}

enum Message {
    Packet(RecordedPacket),
    Notice(String),
    Failed(Fatal),
}

/// A capture being read.
pub struct OfflineReader {
    messages: Receiver<Message>,
    facts: Arc<Mutex<FileFacts>>,
    ended: bool,
}

impl OfflineReader {
    /// Opens `path` (pcap or pcapng; `-` is standard input) and starts
    /// reading it.
    pub fn open(path: &Path) -> Result<OfflineReader, Fatal> {
        let stdin = path.as_os_str() == "-";
        let name = if stdin {
            "standard input".to_string()
        } else {
            path.display().to_string()
        };
        let cannot = |what: String| {
            Fatal::input(format!(
                "cannot read {name}: {what}; pass -r with a pcap or pcapng file (or - for standard input)"
            ))
        };
        let mut source: Box<dyn Read + Send> = if stdin {
            Box::new(io::stdin())
        } else {
            Box::new(File::open(path).map_err(|err| cannot(describe(&err)))?)
        };
        let head = read_head(&mut source).map_err(|err| cannot(describe(&err)))?;
        let reader = create_reader(READ_BUFFER, Cursor::new(head).chain(source))
            .map_err(|err| cannot(reader_error(&err)))?;
        let facts = Arc::new(Mutex::new(FileFacts::default()));
        let (sender, messages) = mpsc::sync_channel(QUEUE);
        let shared = Arc::clone(&facts);
        thread::spawn(move || read_all(reader, &name, &sender, &shared));
        Ok(OfflineReader {
            messages,
            facts,
            ended: false,
        })
    }

    /// What the capture held so far.
    pub fn facts(&self) -> FileFacts {
        self.facts
            .lock()
            .map(|facts| facts.clone())
            .unwrap_or_default()
    }

    /// The next packet, waiting up to `timeout_ms`.
    pub fn next(&mut self, timeout_ms: u16) -> Result<Recorded, Fatal> {
        if self.ended {
            return Ok(Recorded::End);
        }
        match self
            .messages
            .recv_timeout(Duration::from_millis(u64::from(timeout_ms)))
        {
            Ok(Message::Packet(packet)) => Ok(Recorded::Packet(packet)),
            Ok(Message::Notice(text)) => Ok(Recorded::Notice(text)),
            Ok(Message::Failed(fatal)) => {
                self.ended = true;
                Err(fatal)
            }
            Err(RecvTimeoutError::Timeout) => Ok(Recorded::Idle),
            Err(RecvTimeoutError::Disconnected) => {
                self.ended = true;
                Ok(Recorded::End)
            }
        }
    }
}

/// The first bytes of the capture, enough for its file header or section
/// header block, however a pipe delivers them: the reader only looks at
/// its first read.
fn read_head(source: &mut dyn Read) -> io::Result<Vec<u8>> {
    const PCAP_HEADER: usize = 24;
    const SHB_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
    let mut head = Vec::new();
    let mut wanted = 8;
    while head.len() < wanted {
        let mut chunk = vec![0u8; wanted - head.len()];
        let len = source.read(&mut chunk)?;
        if len == 0 {
            break;
        }
        head.extend_from_slice(chunk.get(..len).unwrap_or_default());
        if head.len() >= 8 {
            wanted = match head.get(..4) {
                // A section header carries its length, in its byte order.
                Some(magic) if magic == SHB_MAGIC => {
                    let length: [u8; 4] = head
                        .get(4..8)
                        .and_then(|b| b.try_into().ok())
                        .unwrap_or([0; 4]);
                    let little = u32::from_le_bytes(length);
                    let big = u32::from_be_bytes(length);
                    usize::try_from(little.min(big))
                        .unwrap_or(READ_BUFFER)
                        .min(READ_BUFFER)
                }
                _ => PCAP_HEADER,
            }
            .max(8);
        }
    }
    Ok(head)
}

/// The reader thread: blocks to packets until the end or an error.
fn read_all(
    mut reader: Box<dyn PcapReaderIterator + Send>,
    name: &str,
    sender: &SyncSender<Message>,
    facts: &Mutex<FileFacts>,
) {
    let mut blocks = Blocks::default();
    let mut stalls = 0;
    loop {
        let message = match reader.next() {
            Ok((consumed, block)) => {
                stalls = 0;
                let packet = {
                    let Ok(mut facts) = facts.lock() else {
                        return;
                    };
                    blocks.packet(block, &mut facts)
                };
                reader.consume(consumed);
                match packet {
                    Some(packet) => Message::Packet(packet),
                    None => continue,
                }
            }
            Err(PcapError::Eof) => return,
            Err(PcapError::UnexpectedEof) => {
                // The capture ends inside a record: keep what came before.
                Message::Notice(format!("{name} ends with a truncated record"))
            }
            Err(PcapError::Incomplete(_)) => {
                let before = reader.data().len();
                if let Err(err) = reader.refill() {
                    Message::Failed(failed(name, &err))
                } else {
                    stalls = if reader.data().len() == before {
                        stalls + 1
                    } else {
                        0
                    };
                    if stalls < MAX_STALLS {
                        continue;
                    }
                    Message::Failed(failed(name, &PcapError::BufferTooSmall))
                }
            }
            Err(err) => Message::Failed(failed(name, &err)),
        };
        let last = !matches!(message, Message::Packet(_));
        if sender.send(message).is_err() || last {
            return;
        }
    }
}

fn failed(name: &str, err: &PcapError<&[u8]>) -> Fatal {
    Fatal::runtime(format!(
        "cannot read {name}: {}; the capture is damaged",
        reader_error(err)
    ))
}

/// pcap-parser's errors in words.
fn reader_error<I>(err: &PcapError<I>) -> String {
    match err {
        PcapError::HeaderNotRecognized => "not a pcap or pcapng file".to_string(),
        PcapError::Eof => "it is empty".to_string(),
        PcapError::UnexpectedEof => "it ends inside a block".to_string(),
        PcapError::ReadError => "a read failed".to_string(),
        PcapError::Incomplete(_) => "it ends inside its header".to_string(),
        PcapError::BufferTooSmall => {
            format!("a block is larger than {} MiB", READ_BUFFER >> 20)
        }
        PcapError::NomError(..) | PcapError::OwnedNomError(..) => {
            "a block is malformed".to_string()
        }
    }
}
