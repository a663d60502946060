//! dumpcap-style ring buffer (`-b duration:S`, `-b filesize:KB`,
//! `-b files:N`, `-b packets:N`): when to switch files, what to call them,
//! and which old ones to delete.

use std::path::{Path, PathBuf};
use std::str::FromStr;

/// One `-b KEY:VALUE` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingOption {
    /// Switch after this many seconds.
    Duration(u64),
    /// Switch when the file reaches this many kB (1000 bytes, as dumpcap).
    FileSize(u64),
    /// Keep at most this many files, deleting the oldest.
    Files(usize),
    /// Switch after this many packets.
    Packets(u64),
}

impl FromStr for RingOption {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (key, value) = text
            .split_once(':')
            .ok_or_else(|| format!("'{text}' is not KEY:VALUE; e.g. -b duration:60"))?;
        let number = value
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("'{value}' in -b {key} must be a positive number"))?;
        match key {
            "duration" => Ok(RingOption::Duration(number)),
            "filesize" => Ok(RingOption::FileSize(number)),
            "files" => Ok(RingOption::Files(
                usize::try_from(number).unwrap_or(usize::MAX),
            )),
            "packets" => Ok(RingOption::Packets(number)),
            _ => Err(format!(
                "unknown ring buffer key '{key}'; use duration, filesize, files or packets"
            )),
        }
    }
}

/// The ring buffer settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ring {
    /// Seconds per file.
    pub duration_secs: Option<u64>,
    /// Bytes per file.
    pub filesize_bytes: Option<u64>,
    /// Files kept.
    pub files: Option<usize>,
    /// Packets per file.
    pub packets: Option<u64>,
}

impl Ring {
    /// Combines `-b` arguments; later ones win.
    pub fn from_options(options: &[RingOption]) -> Ring {
        let mut ring = Ring::default();
        for option in options {
            match *option {
                RingOption::Duration(secs) => ring.duration_secs = Some(secs),
                RingOption::FileSize(kb) => ring.filesize_bytes = Some(kb.saturating_mul(1000)),
                RingOption::Files(files) => ring.files = Some(files),
                RingOption::Packets(packets) => ring.packets = Some(packets),
            }
        }
        ring
    }

    /// Whether any condition switches files.
    pub fn rotates(&self) -> bool {
        self.duration_secs.is_some() || self.filesize_bytes.is_some() || self.packets.is_some()
    }

    /// Whether the current file is full before writing another packet.
    pub fn is_due(&self, age_secs: u64, bytes: u64, packets: u64) -> bool {
        self.duration_secs.is_some_and(|limit| age_secs >= limit)
            || self.filesize_bytes.is_some_and(|limit| bytes >= limit)
            || self.packets.is_some_and(|limit| packets >= limit)
    }
}

/// The name of file number `index` (from 1) started at `unix_secs`:
/// `<stem>_<NNNNN>_<YYYYmmddHHMMSS>.<ext>` beside `base`, as dumpcap names
/// them (but in UTC).
pub fn file_name(base: &Path, index: u32, unix_secs: u64) -> PathBuf {
    let stem = base
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "zcap".to_string());
    let name = match base.extension() {
        Some(ext) => format!(
            "{stem}_{index:05}_{}.{}",
            timestamp(unix_secs),
            ext.to_string_lossy()
        ),
        None => format!("{stem}_{index:05}_{}", timestamp(unix_secs)),
    };
    base.with_file_name(name)
}

/// `YYYYmmddHHMMSS` in UTC.
fn timestamp(unix_secs: u64) -> String {
    let time = crate::utc::UtcTime::from_unix(unix_secs);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        time.year, time.month, time.day, time.hour, time.minute, time.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_like_dumpcap() {
        assert_eq!("duration:60".parse(), Ok(RingOption::Duration(60)));
        assert_eq!("filesize:1000".parse(), Ok(RingOption::FileSize(1000)));
        assert_eq!("files:3".parse(), Ok(RingOption::Files(3)));
        assert!("files:0".parse::<RingOption>().is_err());
        assert!("interval:5".parse::<RingOption>().is_err());
        assert!("duration".parse::<RingOption>().is_err());
    }

    #[test]
    fn ring_is_due_on_any_limit() {
        let ring = Ring::from_options(&[RingOption::FileSize(1), RingOption::Duration(10)]);
        assert!(ring.rotates());
        assert!(!ring.is_due(9, 999, 5));
        assert!(ring.is_due(10, 0, 0));
        assert!(ring.is_due(0, 1000, 0));
        assert!(!Ring::default().rotates());
    }

    #[test]
    fn files_are_named_like_dumpcap_in_utc() {
        let name = file_name(Path::new("/tmp/cap.pcapng"), 3, 1_764_147_600);
        assert_eq!(name, PathBuf::from("/tmp/cap_00003_20251126090000.pcapng"));
        assert_eq!(timestamp(951_782_400), "20000229000000");
        assert_eq!(timestamp(0), "19700101000000");
    }
}
