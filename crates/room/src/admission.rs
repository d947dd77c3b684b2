//! Who may hold a socket: caps on connections in total, per client
//! address and per user, the client's address when a reverse proxy the
//! operator trusts sits in front, and which web origins may connect.
//!
//! A slot is a guard: it is taken before the WebSocket upgrade (address)
//! or after the token is read (user) and given back when dropped, so a
//! connection that fails at any step cannot leak a count.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::http::HeaderMap;
use parking_lot::Mutex;

/// Connection caps (see `ServerSettings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnCaps {
    /// Sockets on this server at once.
    pub total: usize,
    /// Sockets per client address (IPv6 counted per /64).
    pub per_ip: usize,
    /// Sockets per user id.
    pub per_user: usize,
}

impl Default for ConnCaps {
    fn default() -> Self {
        Self {
            total: 20_000,
            // Carrier-grade NAT puts many real viewers behind one IPv4
            // address, so this stops a flood, not a crowded office.
            per_ip: 500,
            // A viewer with a phone, a laptop and a few tabs.
            per_user: 8,
        }
    }
}

/// Which cap refused a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    Total,
    Ip,
    User,
}

impl Full {
    pub fn message(self) -> &'static str {
        match self {
            Full::Total => "this server holds as many connections as it may; try again shortly",
            Full::Ip => "too many connections from this address",
            Full::User => "too many connections for this user; close one first",
        }
    }
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_ip: HashMap<IpAddr, usize>,
    by_user: HashMap<String, usize>,
}

/// The live counts behind the caps.
pub struct Admission {
    caps: ConnCaps,
    counts: Mutex<Counts>,
}

impl Admission {
    pub fn new(caps: ConnCaps) -> Arc<Self> {
        Arc::new(Self {
            caps,
            counts: Mutex::default(),
        })
    }

    /// Takes a slot for a socket from `ip` (already keyed by [`ip_key`]).
    pub fn admit_addr(self: &Arc<Self>, ip: IpAddr) -> Result<AddrSlot, Full> {
        let mut c = self.counts.lock();
        if c.total >= self.caps.total {
            return Err(Full::Total);
        }
        let n = c.by_ip.entry(ip).or_default();
        if *n >= self.caps.per_ip {
            return Err(Full::Ip);
        }
        *n += 1;
        c.total += 1;
        Ok(AddrSlot {
            admission: self.clone(),
            ip,
        })
    }

    /// Takes a slot for one more socket of `user`.
    pub fn admit_user(self: &Arc<Self>, user: &str) -> Result<UserSlot, Full> {
        let mut c = self.counts.lock();
        let n = c.by_user.entry(user.to_string()).or_default();
        if *n >= self.caps.per_user {
            return Err(Full::User);
        }
        *n += 1;
        Ok(UserSlot {
            admission: self.clone(),
            user: user.to_string(),
        })
    }

    /// Sockets held now.
    pub fn total(&self) -> usize {
        self.counts.lock().total
    }
}

/// A socket's place under the total and per-address caps.
pub struct AddrSlot {
    admission: Arc<Admission>,
    ip: IpAddr,
}

impl Drop for AddrSlot {
    fn drop(&mut self) {
        let mut c = self.admission.counts.lock();
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.by_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                c.by_ip.remove(&self.ip);
            }
        }
    }
}

/// A socket's place under the per-user cap.
pub struct UserSlot {
    admission: Arc<Admission>,
    user: String,
}

impl Drop for UserSlot {
    fn drop(&mut self) {
        let mut c = self.admission.counts.lock();
        if let Some(n) = c.by_user.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                c.by_user.remove(&self.user);
            }
        }
    }
}

/// The key a client address is counted and rate-limited under: IPv6
/// per /64, because one subscriber is routinely given a whole /64 and
/// could otherwise take a fresh address per request.
pub fn ip_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The client's address: the TCP peer, unless the peer is a proxy the
/// operator trusts, in which case the nearest `X-Forwarded-For` entry
/// that is not itself a trusted proxy. Entries a client wrote itself sit
/// further left and are never reached, so they cannot be spoofed past
/// the proxy.
pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let peer = ip_key(peer.ip());
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|t| ip_key(*t) == ip_key(*ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            // A garbled hop: whatever lies left of it is untrustworthy,
            // so the proxy itself is the best answer.
            return peer;
        };
        if !is_trusted(&ip) {
            return ip_key(ip);
        }
    }
    peer
}

/// Whether a socket's `Origin` may connect. Browsers always send one;
/// without this check any web page a viewer visits could open sockets
/// to the room in the viewer's name. Allowed: no `Origin` (the studio,
/// bots, scripts), the server's own pages (same host), and the origins
/// the operator lists (`https://shop.example.com`).
pub fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get("origin") else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin.trim_end_matches('/');
    if allowed
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let host = headers.get("host").and_then(|h| h.to_str().ok());
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(total: usize, per_ip: usize, per_user: usize) -> Arc<Admission> {
        Admission::new(ConnCaps {
            total,
            per_ip,
            per_user,
        })
    }

    #[test]
    fn address_and_total_caps_hold_and_slots_come_back() {
        let a = caps(3, 2, 8);
        let ip1: IpAddr = "10.0.0.1".parse().unwrap();
        let ip2: IpAddr = "10.0.0.2".parse().unwrap();
        let s1 = a.admit_addr(ip1).unwrap();
        let _s2 = a.admit_addr(ip1).unwrap();
        assert_eq!(a.admit_addr(ip1).err(), Some(Full::Ip));
        let _s3 = a.admit_addr(ip2).unwrap();
        assert_eq!(a.admit_addr(ip2).err(), Some(Full::Total));
        drop(s1);
        assert_eq!(a.total(), 2);
        assert!(a.admit_addr(ip1).is_ok(), "a slot comes back when dropped");
    }

    #[test]
    fn user_cap_holds_per_user() {
        let a = caps(100, 100, 2);
        let u1 = a.admit_user("u1").unwrap();
        let _u2 = a.admit_user("u1").unwrap();
        assert_eq!(a.admit_user("u1").err(), Some(Full::User));
        assert!(a.admit_user("u2").is_ok());
        drop(u1);
        assert!(a.admit_user("u1").is_ok());
    }

    #[test]
    fn ipv6_is_keyed_per_slash_64_and_mapped_v4_as_v4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ip_key(a), ip_key(b));
        assert_ne!(ip_key(a), ip_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(ip_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn origins_same_host_listed_or_none() {
        let h = |origin: Option<&str>| {
            let mut h = HeaderMap::new();
            h.insert("host", "live.example.com:8090".parse().unwrap());
            if let Some(o) = origin {
                h.insert("origin", o.parse().unwrap());
            }
            h
        };
        let listed = vec!["https://shop.example.com".to_string()];
        assert!(origin_allowed(&h(None), &[]));
        assert!(origin_allowed(
            &h(Some("http://live.example.com:8090")),
            &[]
        ));
        assert!(origin_allowed(
            &h(Some("https://shop.example.com")),
            &listed
        ));
        assert!(!origin_allowed(&h(Some("https://shop.example.com")), &[]));
        assert!(!origin_allowed(&h(Some("https://evil.example")), &listed));
        assert!(!origin_allowed(&h(Some("null")), &listed));
        assert!(!origin_allowed(
            &h(Some("http://live.example.com:9999")),
            &[]
        ));
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let mut h = HeaderMap::new();
        // The client wrote the first entry itself; the proxy appended
        // the address it saw.
        h.insert("x-forwarded-for", "6.6.6.6, 198.51.100.4".parse().unwrap());
        let peer = SocketAddr::new(proxy, 5000);
        assert_eq!(
            client_ip(peer, &h, &[proxy]),
            "198.51.100.4".parse::<IpAddr>().unwrap()
        );
        // Untrusted peer: the header is ignored.
        assert_eq!(client_ip(peer, &h, &[]), proxy);
        let stranger = SocketAddr::new("203.0.113.9".parse().unwrap(), 1);
        assert_eq!(
            client_ip(stranger, &h, &[proxy]),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // Garbage from the proxy's side: the proxy's own address.
        h.insert("x-forwarded-for", "not-an-ip".parse().unwrap());
        assert_eq!(client_ip(peer, &h, &[proxy]), proxy);
    }
}
