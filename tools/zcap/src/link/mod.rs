//! Link types a captured frame can have, how the user chooses them
//! (`--link`, `-y`, `--cooked-sllv1`/`v2`, net-capture.py's scapy names),
//! and what a frame of a given type tells about itself (direction,
//! damage).

pub mod detect;
pub mod inspect;

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use zephyr_net_capture::wire::link::linktype;

/// pcap link type of PPP (protocol field first, optionally after FF 03).
pub const LINKTYPE_PPP: u32 = 9;
/// pcap link type of IEEE 802.15.4 MAC frames with FCS.
pub const LINKTYPE_IEEE802_15_4_WITHFCS: u32 = 195;
/// pcap link type of IEEE 802.15.4 MAC frames without FCS.
pub const LINKTYPE_IEEE802_15_4_NOFCS: u32 = 230;

/// The link type of a stream of captured frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkType {
    /// Ethernet II frames without FCS.
    Ethernet,
    /// Linux cooked capture v1 (16-byte SLL header).
    Sll,
    /// Linux cooked capture v2 (20-byte SLL2 header).
    Sll2,
    /// Bare IPv4 or IPv6 packets.
    RawIp,
    /// PPP frames (serial streams name their link type per packet).
    Ppp,
    /// IEEE 802.15.4 MAC frames with their FCS.
    Ieee802154Fcs,
    /// IEEE 802.15.4 MAC frames without FCS.
    Ieee802154,
    /// Any other pcap link type, written as it is.
    Other(u16),
}

impl LinkType {
    /// The pcap/pcapng link type number.
    pub fn linktype(self) -> u32 {
        match self {
            LinkType::Ethernet => linktype::ETHERNET,
            LinkType::Sll => linktype::LINUX_SLL,
            LinkType::Sll2 => linktype::LINUX_SLL2,
            LinkType::RawIp => linktype::RAW,
            LinkType::Ppp => LINKTYPE_PPP,
            LinkType::Ieee802154Fcs => LINKTYPE_IEEE802_15_4_WITHFCS,
            LinkType::Ieee802154 => LINKTYPE_IEEE802_15_4_NOFCS,
            LinkType::Other(linktype) => u32::from(linktype),
        }
    }

    /// The link type a pcap link type number names.
    pub fn from_linktype(linktype: u16) -> LinkType {
        [
            LinkType::Ethernet,
            LinkType::Sll,
            LinkType::Sll2,
            LinkType::RawIp,
            LinkType::Ppp,
            LinkType::Ieee802154Fcs,
            LinkType::Ieee802154,
        ]
        .into_iter()
        .find(|link| link.linktype() == u32::from(linktype))
        .unwrap_or(LinkType::Other(linktype))
    }

    /// The short name used on the command line and in summaries (`Other`
    /// shows its number in [`fmt::Display`]).
    pub fn name(self) -> &'static str {
        match self {
            LinkType::Ethernet => "eth",
            LinkType::Sll => "sll",
            LinkType::Sll2 => "sll2",
            LinkType::RawIp => "raw",
            LinkType::Ppp => "ppp",
            LinkType::Ieee802154Fcs => "wpan-fcs",
            LinkType::Ieee802154 => "wpan",
            LinkType::Other(_) => "linktype",
        }
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkType::Other(linktype) => write!(f, "linktype{linktype}"),
            known => f.write_str(known.name()),
        }
    }
}

/// A link type chosen by the user, or `auto`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkChoice {
    /// Always this type.
    Fixed(LinkType),
    /// Recognise SLL v1/v2 and raw IP headers, else Ethernet.
    Auto,
}

impl FromStr for LinkChoice {
    type Err = String;

    /// Accepts our names, the pcap names, and the scapy class names that
    /// net-capture.py's `-t` takes.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fixed = |link| Ok(LinkChoice::Fixed(link));
        match text.to_ascii_lowercase().as_str() {
            "eth" | "ether" | "ethernet" | "en10mb" => fixed(LinkType::Ethernet),
            "sll" | "sll1" | "linux_sll" | "cookedlinux" => fixed(LinkType::Sll),
            "sll2" | "linux_sll2" | "cookedlinuxv2" => fixed(LinkType::Sll2),
            "raw" | "ip" | "ipv6" | "raw_ip" => fixed(LinkType::RawIp),
            "auto" => Ok(LinkChoice::Auto),
            _ => Err(format!(
                "unknown link type '{text}'; use eth, sll, sll2, raw or auto"
            )),
        }
    }
}

/// What a `--link` rule applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every frame.
    All,
    /// Frames sent to this UDP port.
    Port(u16),
    /// Frames from this device (inner source) address.
    Device(IpAddr),
}

/// One `--link [SCOPE=]TYPE` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkRule {
    /// Which frames it applies to.
    pub scope: Scope,
    /// The type it gives them.
    pub choice: LinkChoice,
}

impl FromStr for LinkRule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let Some((scope, choice)) = text.rsplit_once('=') else {
            return Ok(LinkRule {
                scope: Scope::All,
                choice: text.parse()?,
            });
        };
        let scope = if let Ok(port) = scope.parse::<u16>() {
            Scope::Port(port)
        } else if let Ok(addr) = scope.trim_matches(['[', ']']).parse::<IpAddr>() {
            Scope::Device(canonical(addr))
        } else {
            return Err(format!(
                "'{scope}' is neither a port nor an address; write PORT=TYPE or ADDRESS=TYPE"
            ));
        };
        Ok(LinkRule {
            scope,
            choice: choice.parse()?,
        })
    }
}

/// The rules in force, resolved most specific first: device, then port,
/// then global, then the default.
#[derive(Clone, Debug)]
pub struct LinkRules {
    rules: Vec<LinkRule>,
    default: LinkChoice,
}

impl LinkRules {
    /// Rules with a default for frames no rule names.
    pub fn new(rules: Vec<LinkRule>, default: LinkChoice) -> LinkRules {
        LinkRules { rules, default }
    }

    /// The choice for a frame from `device` sent to `port`; later rules of
    /// the same scope win, as with repeated options elsewhere.
    pub fn choose(&self, device: IpAddr, port: u16) -> LinkChoice {
        let last = |want: &dyn Fn(&Scope) -> bool| {
            self.rules
                .iter()
                .rev()
                .find(|rule| want(&rule.scope))
                .map(|rule| rule.choice)
        };
        last(&|scope| *scope == Scope::Device(device))
            .or_else(|| last(&|scope| *scope == Scope::Port(port)))
            .or_else(|| last(&|scope| *scope == Scope::All))
            .unwrap_or(self.default)
    }
}

/// IPv4-mapped IPv6 addresses (what a dual-stack socket reports for IPv4
/// senders) as plain IPv4, so one device has one name.
pub fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_capture_type_names_are_accepted() {
        assert_eq!(
            "Ether".parse::<LinkChoice>(),
            Ok(LinkChoice::Fixed(LinkType::Ethernet))
        );
        assert_eq!(
            "CookedLinuxV2".parse::<LinkChoice>(),
            Ok(LinkChoice::Fixed(LinkType::Sll2))
        );
        assert!("token-ring".parse::<LinkChoice>().is_err());
    }

    #[test]
    fn device_rule_beats_port_rule_beats_global() {
        let rules = LinkRules::new(
            vec![
                "auto".parse().unwrap(),
                "4243=sll".parse().unwrap(),
                "[2001:db8::1]=sll2".parse().unwrap(),
                "::ffff:192.0.2.1=raw".parse().unwrap(),
            ],
            LinkChoice::Fixed(LinkType::Ethernet),
        );
        let dev: IpAddr = "2001:db8::1".parse().unwrap();
        let other: IpAddr = "2001:db8::9".parse().unwrap();
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(rules.choose(dev, 4243), LinkChoice::Fixed(LinkType::Sll2));
        assert_eq!(rules.choose(other, 4243), LinkChoice::Fixed(LinkType::Sll));
        assert_eq!(rules.choose(other, 4242), LinkChoice::Auto);
        assert_eq!(rules.choose(v4, 4242), LinkChoice::Fixed(LinkType::RawIp));
    }

    #[test]
    fn link_type_numbers_map_both_ways() {
        for number in [1u16, 9, 101, 113, 195, 230, 276, 127, 0] {
            assert_eq!(
                LinkType::from_linktype(number).linktype(),
                u32::from(number)
            );
        }
        assert_eq!(LinkType::from_linktype(195), LinkType::Ieee802154Fcs);
        assert_eq!(LinkType::from_linktype(127).to_string(), "linktype127");
        assert_eq!(LinkType::from_linktype(230).to_string(), "wpan");
    }

    #[test]
    fn rule_with_unparsable_scope_is_refused() {
        let err = "zeth=sll".parse::<LinkRule>().unwrap_err();
        assert!(err.contains("neither a port nor an address"), "{err}");
    }
}
