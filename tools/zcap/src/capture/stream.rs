//! What the capture loop does with the items of a serial capture stream:
//! packets go to their (capture device, interface, link type) interface
//! with their direction and the losses before them; the device's hello,
//! restarts and damaged frames are reported once each.

use zephyr_net_capture::wire::stream::Direction as WireDirection;

use super::{Session, StreamKey};
use crate::error::Fatal;
use crate::link::inspect::{self, Direction, Reception};
use crate::link::LinkType;
use crate::output::pcapng::{InterfaceDesc, PacketRecord};
use crate::output::Output;
use crate::stats::DeviceId;
use crate::stream::{Item, Packet};

impl Session<'_> {
    /// Handles one item of a serial capture stream.
    pub(super) fn stream_item(&mut self, item: Item, output: &mut Output) -> Result<(), Fatal> {
        match item {
            Item::Packet(packet) => return self.stream_packet(packet, output),
            Item::Hello {
                text,
                ring_capacity,
                restart,
            } => {
                let what = if restart {
                    "the device restarted; timestamps re-anchored"
                } else {
                    "the device's capture stream started"
                };
                let text = if text.is_empty() { "(no text)" } else { &text };
                self.notice(&format!(
                    "{what}: {text}, ring buffer {ring_capacity} bytes"
                ));
                self.device_text = Some(text.to_string());
            }
            Item::Restart => self.notice(
                "the sequence numbers started again without a hello: the device restarted; timestamps re-anchored",
            ),
            Item::Corrupt { what, .. } => self.report_once(
                None,
                what,
                format!("damaged frame on the serial line ({what}); counted, skipped up to the next delimiter, further ones are not reported"),
            ),
            Item::Malformed { what } => {
                self.totals.device(None).malformed += 1;
                self.report_once(
                    None,
                    what,
                    format!("a record with a correct CRC is malformed ({what}); counted and skipped"),
                );
            }
            Item::Unknown { kind, version } => self.report_once(
                None,
                "unknown record",
                format!("skipping records of kind {kind}, version {version}, which this zcap does not know; a newer zcap may read them"),
            ),
            Item::Stats(_) | Item::Skipped { .. } => {}
        }
        Ok(())
    }

    fn stream_packet(&mut self, packet: Packet, output: &mut Output) -> Result<(), Fatal> {
        let link = LinkType::from_linktype(packet.link_type);
        let id = DeviceId::Capture(packet.device);
        let dropcount = packet.device_drops + packet.line_drops;
        self.totals.device(Some(id)).drops += dropcount;
        let wire_len = usize::try_from(packet.orig_len).unwrap_or(usize::MAX);
        if !self.keeps(link, &packet.data, wire_len) {
            return Ok(());
        }
        let facts = inspect::inspect(link, &packet.data);
        let direction = direction(packet.direction, facts.direction);
        if let Some(problem) = facts.problem {
            self.malformed(Some(id), problem);
        }
        let key = StreamKey::Serial {
            device: packet.device,
            ifindex: packet.ifindex,
            link,
        };
        let snaplen = self.recorded_snaplen();
        let source = match &self.config.source {
            crate::cli::Source::Serial { path, .. } => path.display().to_string(),
            _ => String::new(),
        };
        let device_text = self.device_text.clone();
        let stream = self.stream_for(key, || InterfaceDesc {
            linktype: link.linktype(),
            snaplen,
            name: format!(
                "zephyr-serial-NET_CAPTURE{}-if{}-{link}",
                packet.device, packet.ifindex
            ),
            description: format!(
                "Zephyr net capture NET_CAPTURE{} on interface {}, link type {link}, over serial {source}{}",
                packet.device,
                packet.ifindex,
                device_text.map(|text| format!("; device: {text}")).unwrap_or_default()
            ),
            comment: None,
            counts_if_drops: true,
        });
        let record = PacketRecord {
            ts_ns: packet.ts_ns,
            data: &packet.data,
            orig_len: packet.orig_len,
            flags: direction.epb_flags(),
            dropcount,
            if_drops: packet.device_drops,
            comment: facts.problem,
        };
        let label = format!("NET_CAPTURE{} if{}", packet.device, packet.ifindex);
        self.deliver(stream, id, &label, link, direction, record, output)
    }
}

/// The record's direction, refined by what the frame says (an SLL packet
/// type tells how an inbound frame was addressed).
fn direction(record: WireDirection, frame: Direction) -> Direction {
    match (record, frame) {
        (WireDirection::Inbound, Direction::Inbound(reception)) => Direction::Inbound(reception),
        (WireDirection::Inbound, _) => Direction::Inbound(Reception::Unspecified),
        (WireDirection::Outbound, _) => Direction::Outbound,
        (WireDirection::Unknown, frame) => frame,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_direction_wins_and_the_frame_refines_it() {
        let broadcast = Direction::Inbound(Reception::Broadcast);
        assert_eq!(direction(WireDirection::Inbound, broadcast), broadcast);
        assert_eq!(
            direction(WireDirection::Inbound, Direction::Unknown).epb_flags(),
            0b01
        );
        assert_eq!(
            direction(WireDirection::Outbound, broadcast),
            Direction::Outbound
        );
        assert_eq!(direction(WireDirection::Unknown, broadcast), broadcast);
    }
}
