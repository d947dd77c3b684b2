//! A client is cut off, the server restarts on the same data directory,
//! the client resumes: every gift and product event reaches it exactly
//! once.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use parking_lot::Mutex;
use shopcast_room::client::ClientEvent;
use shopcast_room::protocol::{ClientMsg, EventBody, ProductExplainReq, Role};
use shopcast_room::{ClientConfig, RoomClient};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// A loopback TCP proxy that can cut every connection and refuse new
/// ones until healed: a network outage for one client only.
struct Proxy {
    addr: SocketAddr,
    cut: Arc<Mutex<bool>>,
    live: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let cut = Arc::new(Mutex::new(false));
        let live: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let (c, l) = (cut.clone(), live.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if *c.lock() {
                    continue; // dropped: connection refused in effect
                }
                let h = tokio::spawn(async move {
                    if let Ok(mut out) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
                l.lock().push(h);
            }
        });
        Self { addr, cut, live }
    }

    fn cut(&self) {
        *self.cut.lock() = true;
        for h in self.live.lock().drain(..) {
            h.abort();
        }
    }

    fn heal(&self) {
        *self.cut.lock() = false;
    }
}

fn product(goods: &str) -> ClientMsg {
    ClientMsg::ProductExplain(ProductExplainReq {
        goods_id: goods.into(),
        goods_name: goods.to_uppercase(),
        goods_name_zh: String::new(),
        goods_name_en: String::new(),
        price: 100,
        price_usd: 1.0,
        price_cny: 7.0,
        image_url: String::new(),
        start_timestamp: None,
    })
}

/// What the viewer saw of gifts and products, keyed by seq.
#[derive(Default)]
struct Seen {
    gifts: BTreeMap<u64, u32>,
    products: BTreeMap<u64, String>,
    popups: Vec<String>,
    duplicate_seqs: Vec<u64>,
    resumed: usize,
}

fn record(seen: &mut Seen, e: &ClientEvent) {
    match e {
        ClientEvent::Event(ev) => {
            let Some(seq) = ev.seq else { return };
            let duplicate = match &ev.body {
                EventBody::Gift { count, .. } => seen.gifts.insert(seq, *count).is_some(),
                EventBody::ProductExplain { product, .. } => seen
                    .products
                    .insert(seq, product.goods_id.clone())
                    .is_some(),
                _ => false,
            };
            if duplicate {
                seen.duplicate_seqs.push(seq);
            }
        }
        ClientEvent::Popup(card) => seen.popups.push(card.goods_id.clone()),
        ClientEvent::Connected { resume, .. }
            if *resume == shopcast_room::protocol::ResumeMode::Replayed =>
        {
            seen.resumed += 1
        }
        _ => {}
    }
}

/// Waits until the host has seen `total` gift units and product `goods`.
async fn host_saw(rx: &mut mpsc::Receiver<ClientEvent>, gifts: &mut u64, total: u64, goods: &str) {
    let mut product_seen = false;
    while *gifts < total || !product_seen {
        let e = wait_event(rx, |e| Some(e.clone())).await;
        if let ClientEvent::Event(ev) = e {
            match ev.body {
                EventBody::Gift { count, .. } => *gifts += count as u64,
                EventBody::ProductExplain { product, .. } if product.goods_id == goods => {
                    product_seen = true
                }
                _ => {}
            }
        }
    }
}

async fn send_gifts(giver: &RoomClient, multi: &[u32], combo_hits: u32) {
    for &c in multi {
        giver
            .send(ClientMsg::Gift {
                gift_id: "heart".into(),
                count: c,
            })
            .await
            .unwrap();
    }
    for _ in 0..combo_hits {
        giver
            .send(ClientMsg::Gift {
                gift_id: "rose".into(),
                count: 1,
            })
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_off_client_resumes_across_restart_exactly_once() {
    let mut settings = gifting();
    // The test sends many gifts from one user; rate limits are tested elsewhere.
    settings.limits.other_per_s = 1000.0;
    settings.limits.other_burst = 1000.0;
    let mut s = start_with(settings.clone()).await;
    let addr = s.addr;
    let proxy = Proxy::start(addr).await;

    let mut vcfg = ClientConfig::new(
        format!("ws://{}/ws/shop", proxy.addr),
        s.token(Role::Audience, "shop", "viewer"),
    );
    vcfg.reconnect_max = Duration::from_millis(300);
    let (_viewer, mut vrx) = RoomClient::connect(vcfg);
    let fast = |url: String, token: String| {
        let mut c = ClientConfig::new(url, token);
        c.reconnect_max = Duration::from_millis(300);
        RoomClient::connect(c)
    };
    let (giver, mut grx) = fast(s.ws_url("shop"), s.token(Role::Audience, "shop", "giver"));
    let (host, mut hrx) = fast(s.ws_url("shop"), s.token(Role::Host, "shop", "host"));
    connected(&mut vrx).await;
    connected(&mut grx).await;
    connected(&mut hrx).await;

    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut host_gifts = 0u64;

    // Phase 1: online.
    send_gifts(&giver, &[5, 5, 5], 0).await;
    host.send(product("prod_1")).await.unwrap();
    host_saw(&mut hrx, &mut host_gifts, 15, "prod_1").await;
    {
        let seen = seen.clone();
        wait_event(&mut vrx, move |e| {
            let mut s = seen.lock();
            record(&mut s, e);
            (s.products.values().any(|g| g == "prod_1") && s.gifts.values().sum::<u32>() == 15)
                .then_some(())
        })
        .await;
    }

    // Phase 2: the viewer is cut off; the room goes on.
    proxy.cut();
    wait_event(&mut vrx, |e| {
        matches!(e, ClientEvent::Disconnected { .. }).then_some(())
    })
    .await;
    send_gifts(&giver, &[3, 4, 6, 7], 25).await;
    host.send(product("prod_2")).await.unwrap();
    host.send(product("prod_3")).await.unwrap();
    host_saw(&mut hrx, &mut host_gifts, 15 + 20 + 25, "prod_3").await;

    // Restart on the same port and data directory.
    s.stop().await;
    let dir = std::mem::replace(&mut s.dir, tempfile::tempdir().unwrap());
    let mut s2 = start_in(dir, addr, settings).await;
    connected(&mut grx).await;
    connected(&mut hrx).await;

    // Phase 3: the restarted room goes on, viewer still cut off.
    send_gifts(&giver, &[9, 1], 7).await;
    host.send(product("prod_4")).await.unwrap();
    host_saw(&mut hrx, &mut host_gifts, 60 + 17, "prod_4").await;

    // The viewer comes back and resumes.
    proxy.heal();
    host.send(ClientMsg::Announce {
        text: "marker".into(),
    })
    .await
    .unwrap();
    {
        let seen = seen.clone();
        wait_event(&mut vrx, move |e| {
            record(&mut seen.lock(), e);
            match e {
                ClientEvent::Event(ev) => {
                    matches!(&ev.body, EventBody::Announcement { text } if text == "marker")
                        .then_some(())
                }
                _ => None,
            }
        })
        .await;
    }
    {
        let s_ = seen.lock();
        assert!(
            s_.duplicate_seqs.is_empty(),
            "duplicates: {:?}",
            s_.duplicate_seqs
        );
        assert_eq!(
            s_.gifts.values().map(|&c| c as u64).sum::<u64>(),
            77,
            "every gift, once"
        );
        let products: Vec<&String> = s_.products.values().collect();
        assert_eq!(
            products,
            vec!["prod_1", "prod_2", "prod_3", "prod_4"],
            "every product event, once, in order"
        );
        let popups: HashSet<&String> = s_.popups.iter().collect();
        assert_eq!(
            s_.popups.len(),
            popups.len(),
            "one pop-up per explanation: {:?}",
            s_.popups
        );
        assert!(s_.popups.contains(&"prod_4".to_string()));
        assert!(
            s_.resumed >= 1,
            "the viewer resumed rather than starting fresh"
        );
    }
    s2.stop().await;
}
