//! The Redis store against a real `redis-server`: what a retry, a lost
//! answer or a dead process must not do to points and coins.

use super::TickWrite;
use super::redis::RedisStore;
use super::redis_wallet::Paid;
use shopcast_testkit::redis::Redis;

async fn store(r: &Redis) -> RedisStore {
    RedisStore::connect(&r.url()).await.unwrap()
}

async fn hget(s: &RedisStore, key: &str, field: &str) -> Option<i64> {
    redis::cmd("HGET")
        .arg(key)
        .arg(field)
        .query_async(&mut s.conn())
        .await
        .unwrap()
}

/// A tick whose answer was lost is sent again as it was; Redis may have
/// run it already. Its points (and any other count) must land once.
#[tokio::test]
async fn a_tick_sent_twice_counts_once() {
    let r = Redis::start().unwrap();
    let s = store(&r).await;
    let w = TickWrite {
        points: vec![("fan".into(), 7)],
        ..TickWrite::default()
    };
    let p = s.prepare("shop", &w).unwrap();
    s.invoke("shop", "", &p).await.unwrap();
    // The retry of the same tick, as `append` sends it after a failure.
    s.invoke("shop", "", &p).await.unwrap();
    assert_eq!(hget(&s, "sc:points", "fan").await, Some(7));
    // A newer tick is not mistaken for the old one.
    s.append("shop", &w).await.unwrap();
    assert_eq!(hget(&s, "sc:points", "fan").await, Some(14));
}

/// Two rooms run by two processes spend one wallet: the coins go once.
#[tokio::test]
async fn two_processes_cannot_spend_the_same_coins() {
    let r = Redis::start().unwrap();
    let (a, b) = (store(&r).await, store(&r).await);
    assert_eq!(a.wallet("fan", 1500).await.unwrap(), 1500);
    assert_eq!(b.wallet("fan", 1500).await.unwrap(), 1500);
    let ask = [("fan".to_string(), 1000)];
    let (pa, pb) = tokio::join!(a.pay("shop", &ask), b.pay("mall", &ask));
    let mut answers = [pa.unwrap().remove(0), pb.unwrap().remove(0)];
    answers.sort_by_key(|p| matches!(p, Paid::Short(_)));
    assert!(
        matches!(&answers[0], Paid::Yes { left: 500, .. }),
        "{answers:?}"
    );
    assert_eq!(answers[1], Paid::Short(500));
    assert_eq!(hget(&a, "sc:wallets", "fan").await, Some(500));
}

/// A gift paid whose tick never saved (its process died in between) is
/// given back when the room is next loaded; one whose tick saved is not.
#[tokio::test]
async fn a_payment_no_saved_tick_records_is_refunded_at_the_next_load() {
    let r = Redis::start().unwrap();
    let s = store(&r).await;
    s.wallet("fan", 1500).await.unwrap();
    let paid = s
        .pay(
            "shop",
            &[("fan".to_string(), 1000), ("fan".to_string(), 300)],
        )
        .await
        .unwrap();
    let ids: Vec<String> = paid
        .iter()
        .map(|p| match p {
            Paid::Yes { debit, .. } => debit.clone(),
            Paid::Short(_) => panic!("{paid:?}"),
        })
        .collect();
    // The first gift's tick saved; the second's never did.
    let w = TickWrite {
        settled: vec![ids[0].clone()],
        ..TickWrite::default()
    };
    s.append("shop", &w).await.unwrap();
    assert_eq!(hget(&s, "sc:wallets", "fan").await, Some(200));
    // Another process loads the room: only the unrecorded 300 return.
    let next = store(&r).await;
    next.load("shop", 10).await.unwrap();
    assert_eq!(hget(&s, "sc:wallets", "fan").await, Some(500));
    // Loading again refunds nothing more.
    next.load("shop", 10).await.unwrap();
    assert_eq!(hget(&s, "sc:wallets", "fan").await, Some(500));
}
