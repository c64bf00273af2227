//! The client's address. Behind a reverse proxy every connection comes
//! from the proxy; its `Forwarded` / `X-Forwarded-For` header names the
//! client, but anyone can send that header, so it is read only when the
//! connection comes from a `trusted_proxies` address, and then only as far
//! as the chain is trusted: the rightmost address that is not one of ours
//! is the client.
use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

/// Parses the `trusted_proxies` setting: addresses (`10.0.0.5`, `::1`)
/// or networks (`10.0.0.0/8`).
pub fn parse_trusted(entries: &[String]) -> anyhow::Result<Vec<IpNet>> {
    entries
        .iter()
        .map(|e| {
            let e = e.trim();
            e.parse::<IpNet>()
                .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| anyhow::anyhow!("trusted_proxies: {e:?} is not an address or network"))
        })
        .collect()
}

fn trusted(ip: &IpAddr, nets: &[IpNet]) -> bool {
    nets.iter().any(|n| n.contains(ip))
}

/// One `for=` value of `Forwarded` or one entry of `X-Forwarded-For`:
/// `192.0.2.60`, `"[2001:db8::1]:4711"`, `192.0.2.60:8080`.
fn parse_node(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    let (host, _port) = s.rsplit_once(':')?;
    host.parse().ok()
}

/// The forwarding chain, the client first (`None` for an entry that is
/// not an address, such as `unknown` or garbage).
fn chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<Option<IpAddr>> = headers
        .get_all("forwarded")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim().eq_ignore_ascii_case("for").then(|| parse_node(v))
            })
        })
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(parse_node)
        .collect()
}

/// The client's address as far as we can trust it.
pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, nets: &[IpNet]) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if !trusted(&peer, nets) {
        return peer;
    }
    let mut last_trusted = peer;
    for node in chain(headers).into_iter().rev() {
        match node {
            Some(ip) if trusted(&ip, nets) => last_trusted = ip,
            Some(ip) => return ip,
            // Not an address where a trusted proxy should have put one.
            None => return last_trusted,
        }
    }
    last_trusted
}

pub fn client_ip(req: &HttpRequest, nets: &[IpNet]) -> IpAddr {
    resolve(req.peer_addr().map(|a| a.ip()), req.headers(), nets)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let nets = parse_trusted(&["10.0.0.0/8".into(), "192.0.2.1".into()]).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = Some(ip("10.0.0.5"));
        let stranger = Some(ip("203.0.113.9"));
        for (peer, h, want) in [
            // Straight from the internet: the header is the client's own word.
            (
                stranger,
                vec![("x-forwarded-for", "198.51.100.7")],
                "203.0.113.9",
            ),
            (
                proxy,
                vec![("x-forwarded-for", "198.51.100.7")],
                "198.51.100.7",
            ),
            // A spoofed first entry: the proxy appended the real one.
            (
                proxy,
                vec![("x-forwarded-for", "1.2.3.4, 198.51.100.7")],
                "198.51.100.7",
            ),
            // Two proxies of ours.
            (
                proxy,
                vec![("x-forwarded-for", "198.51.100.7, 10.1.1.1")],
                "198.51.100.7",
            ),
            (
                proxy,
                vec![("x-forwarded-for", "198.51.100.7:4711")],
                "198.51.100.7",
            ),
            (
                proxy,
                vec![("forwarded", "for=198.51.100.8;proto=https")],
                "198.51.100.8",
            ),
            (
                proxy,
                vec![("forwarded", "for=\"[2001:db8::1]:4711\"")],
                "2001:db8::1",
            ),
            (
                proxy,
                vec![
                    ("forwarded", "for=1.2.3.4, for=198.51.100.8"),
                    ("x-forwarded-for", "9.9.9.9"),
                ],
                "198.51.100.8",
            ),
            (proxy, vec![("x-forwarded-for", "garbage")], "10.0.0.5"),
            (
                proxy,
                vec![("x-forwarded-for", "unknown, 10.1.1.1")],
                "10.1.1.1",
            ),
            (proxy, vec![], "10.0.0.5"),
            (None, vec![("x-forwarded-for", "198.51.100.7")], "0.0.0.0"),
        ] {
            assert_eq!(
                resolve(peer, &headers(&h), &nets),
                ip(want),
                "{peer:?} {h:?}"
            );
        }
        assert!(parse_trusted(&["not-an-address".into()]).is_err());
        assert!(parse_trusted(&[]).unwrap().is_empty());
    }
}
