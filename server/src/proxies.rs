//! The client's address behind reverse proxies (`GATEHOUSE_TRUSTED_PROXIES`). Each proxy appends
//! the address it received the request from to `X-Forwarded-For` (or `Forwarded: for=`), so the
//! right end of the list is what our own proxies saw and the left end is whatever the client
//! chose to send. The client is therefore the right-most address that is not a trusted proxy.

use axum::http::{HeaderMap, HeaderName, header};
use ipnet::IpNet;
use std::{net::IpAddr, sync::Arc};

/// The address ranges whose forwarding headers are believed; none by default.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<Vec<IpNet>>);

impl TrustedProxies {
    /// A comma-separated list of CIDR ranges (`10.0.0.0/8, fd00::/8`) or single addresses.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let net = match item.parse::<IpNet>() {
                Ok(net) => net.trunc(),
                Err(_) => match item.parse::<IpAddr>() {
                    Ok(ip) => IpNet::from(ip.to_canonical()),
                    Err(_) => {
                        return Err(format!(
                            "GATEHOUSE_TRUSTED_PROXIES: `{item}` is not an address or a CIDR range \
                             such as 10.0.0.0/8 or fd00::/8"
                        ));
                    }
                },
            };
            nets.push(net);
        }
        Ok(TrustedProxies(Arc::new(nets)))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request that came from `peer` with `headers`. An untrusted
    /// peer's forwarding headers are ignored: anyone can send them.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let mut nearest = peer;
        for hop in forwarded_chain(headers).into_iter().rev() {
            match hop {
                Some(ip) if self.trusts(ip) => nearest = ip,
                Some(ip) => return ip,
                // Unreadable or obfuscated: the last trusted hop is as near as can be told.
                None => return nearest,
            }
        }
        // Every hop is a trusted proxy: the request began at the left-most one.
        nearest
    }
}

/// The forwarded addresses from left (first hop) to right, `None` for an entry that is not an
/// address; `X-Forwarded-For` if there is one, else `Forwarded`.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
    let values = |name: &HeaderName| -> Vec<Option<String>> {
        headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    };
    let xff = values(&X_FORWARDED_FOR);
    if !xff.is_empty() {
        return xff
            .iter()
            .flat_map(|v| match v {
                Some(v) => v.split(',').map(hop).collect::<Vec<_>>(),
                None => vec![None],
            })
            .collect();
    }
    values(&header::FORWARDED)
        .iter()
        .flat_map(|v| match v {
            Some(v) => v.split(',').map(forwarded_for).collect::<Vec<_>>(),
            None => vec![None],
        })
        .collect()
}

/// The `for=` of one `Forwarded` element (RFC 7239: `for=192.0.2.60;proto=http`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| hop(value))?
    })
}

/// One hop: `192.0.2.60`, `192.0.2.60:4711`, `2001:db8::1`, `[2001:db8::1]:4711`, possibly
/// quoted.
fn hop(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    let ip = if let Some(rest) = text.strip_prefix('[') {
        rest.split_once(']')?.0.parse().ok()?
    } else if let Ok(ip) = text.parse::<IpAddr>() {
        ip
    } else {
        let (host, port) = text.rsplit_once(':')?;
        port.parse::<u16>().ok()?;
        IpAddr::V4(host.parse().ok()?)
    };
    Some(IpAddr::to_canonical(&ip))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use axum::http::HeaderValue;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_static(value));
        }
        h
    }

    fn proxies() -> TrustedProxies {
        TrustedProxies::parse("10.0.0.0/8, 2001:db8:ffff::/48, 192.0.2.1").unwrap()
    }

    #[test]
    fn an_untrusted_peers_headers_are_ignored() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(proxies().client(ip("198.51.100.7"), &h), ip("198.51.100.7"));
        assert_eq!(
            TrustedProxies::default().client(ip("10.0.0.5"), &h),
            ip("10.0.0.5"),
            "no proxies are trusted by default"
        );
    }

    #[test]
    fn a_trusted_peer_yields_the_right_most_untrusted_address() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9, 10.1.2.3")]);
        assert_eq!(proxies().client(ip("10.0.0.5"), &h), ip("203.0.113.9"));
        // A single address in the list is trusted as a /32.
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(proxies().client(ip("192.0.2.1"), &h), ip("203.0.113.9"));
        assert_eq!(proxies().client(ip("192.0.2.2"), &h), ip("192.0.2.2"));
    }

    #[test]
    fn spoofed_left_most_entries_do_not_count() {
        // The client sent "1.2.3.4, 10.9.9.9" itself; our proxy appended what it saw.
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4, 10.9.9.9"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(proxies().client(ip("10.0.0.5"), &h), ip("203.0.113.9"));
    }

    #[test]
    fn forwarded_header_is_read_when_there_is_no_x_forwarded_for() {
        let h = headers(&[(
            "forwarded",
            "for=1.2.3.4, for=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.0.0.9;by=10.0.0.5",
        )]);
        assert_eq!(
            proxies().client(ip("10.0.0.5"), &h),
            ip("2001:db8:cafe::17")
        );
        let h = headers(&[("forwarded", "For=198.51.100.3:1234")]);
        assert_eq!(proxies().client(ip("10.0.0.5"), &h), ip("198.51.100.3"));
    }

    #[test]
    fn unreadable_entries_stop_at_the_nearest_trusted_hop() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9, unknown, 10.1.1.1")]);
        assert_eq!(proxies().client(ip("10.0.0.5"), &h), ip("10.1.1.1"));
        let h = headers(&[("forwarded", "for=_hidden")]);
        assert_eq!(proxies().client(ip("10.0.0.5"), &h), ip("10.0.0.5"));
        // No header at all from a trusted peer: the peer is the client.
        assert_eq!(
            proxies().client(ip("10.0.0.5"), &HeaderMap::new()),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn ipv6_and_mapped_ipv4_peers_are_matched() {
        let h = headers(&[("x-forwarded-for", "2001:db8:1:2::99")]);
        assert_eq!(
            proxies().client(ip("2001:db8:ffff:1::1"), &h),
            ip("2001:db8:1:2::99")
        );
        // A dual-stack listener sees an IPv4 proxy as ::ffff:10.0.0.5.
        assert_eq!(
            proxies().client(ip("::ffff:10.0.0.5"), &h),
            ip("2001:db8:1:2::99")
        );
        let h = headers(&[("x-forwarded-for", "203.0.113.9:5555")]);
        assert_eq!(proxies().client(ip("10.0.0.5"), &h), ip("203.0.113.9"));
    }

    #[test]
    fn bad_ranges_are_refused_naming_the_variable() {
        for bad in [
            "10.0.0.0/33",
            "proxy.internal",
            "10.0.0.0/8,,nope",
            "::/129",
        ] {
            let e = TrustedProxies::parse(bad).unwrap_err();
            assert!(e.contains("GATEHOUSE_TRUSTED_PROXIES"), "{bad}: {e}");
        }
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse(" 10.0.0.0/8 ,fd00::/8 ").is_ok());
    }
}
