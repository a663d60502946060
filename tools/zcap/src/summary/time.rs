//! `-t`: the time column of packet lines, in tshark's formats (those that
//! need no time zone).

use std::str::FromStr;

use crate::utc::UtcTime;

/// How packet lines show time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeFormat {
    /// Seconds since the first packet (tshark `-t r`).
    Relative,
    /// Seconds since the previous packet (`-t d`).
    Delta,
    /// Seconds since 1970 (`-t e`).
    Epoch,
    /// Time of day in UTC (`-t u`).
    Utc,
    /// Date and time of day in UTC (`-t ud`).
    UtcDate,
}

impl FromStr for TimeFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "r" => Ok(TimeFormat::Relative),
            "d" | "dd" => Ok(TimeFormat::Delta),
            "e" => Ok(TimeFormat::Epoch),
            "u" => Ok(TimeFormat::Utc),
            "ud" => Ok(TimeFormat::UtcDate),
            "a" | "ad" | "adoy" => Err(format!(
                "zcap shows no local time; use -t u or -t ud for UTC instead of -t {text}"
            )),
            _ => Err(format!(
                "unknown time format '{text}'; use r, d, e, u or ud as in tshark (the link type is --link)"
            )),
        }
    }
}

/// Renders the time column, remembering the first and previous packet.
#[derive(Clone, Debug)]
pub struct TimeColumn {
    format: TimeFormat,
    first_ns: Option<u64>,
    previous_ns: Option<u64>,
}

fn seconds(ns: u64) -> String {
    format!("{:>11.6}", ns as f64 / 1e9)
}

impl TimeColumn {
    /// A column in `format`.
    pub fn new(format: TimeFormat) -> TimeColumn {
        TimeColumn {
            format,
            first_ns: None,
            previous_ns: None,
        }
    }

    /// The column for a packet received at `ts_ns` (ns since 1970).
    pub fn render(&mut self, ts_ns: u64) -> String {
        let first = *self.first_ns.get_or_insert(ts_ns);
        let previous = self.previous_ns.replace(ts_ns).unwrap_or(ts_ns);
        let micros = ts_ns % 1_000_000_000 / 1000;
        let time = UtcTime::from_unix(ts_ns / 1_000_000_000);
        match self.format {
            TimeFormat::Relative => seconds(ts_ns.saturating_sub(first)),
            TimeFormat::Delta => seconds(ts_ns.saturating_sub(previous)),
            TimeFormat::Epoch => format!("{}.{micros:06}", ts_ns / 1_000_000_000),
            TimeFormat::Utc => format!(
                "{:02}:{:02}:{:02}.{micros:06}",
                time.hour, time.minute, time.second
            ),
            TimeFormat::UtcDate => format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{micros:06}",
                time.year, time.month, time.day, time.hour, time.minute, time.second
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_764_147_600_000_000_000;

    #[test]
    fn each_format_renders_like_tshark() {
        let render = |format: &str| {
            let mut column = TimeColumn::new(format.parse().unwrap());
            let _ = column.render(T0);
            column.render(T0 + 3_723_250_000_000)
        };
        assert_eq!(render("r"), "3723.250000");
        assert_eq!(render("d"), "3723.250000");
        assert_eq!(render("e"), "1764151323.250000");
        assert_eq!(render("u"), "10:02:03.250000");
        assert_eq!(render("ud"), "2025-11-26 10:02:03.250000");
    }

    #[test]
    fn delta_counts_from_the_previous_packet() {
        let mut column = TimeColumn::new(TimeFormat::Delta);
        assert_eq!(column.render(T0), "   0.000000");
        assert_eq!(column.render(T0 + 500_000_000), "   0.500000");
        assert_eq!(column.render(T0 + 750_000_000), "   0.250000");
    }

    #[test]
    fn local_time_and_link_names_are_refused_with_the_fix() {
        assert!("a".parse::<TimeFormat>().unwrap_err().contains("-t u"));
        assert!("sll2".parse::<TimeFormat>().unwrap_err().contains("--link"));
    }
}
