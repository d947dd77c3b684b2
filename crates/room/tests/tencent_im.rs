//! The Tencent IM adapter against a local HTTP server that checks each
//! request's shape the way Tencent documents it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::routing::post;
use axum::{Json, Router};
use parking_lot::Mutex;
use serde_json::{Value, json};
use shopcast_room::RoomError;
use shopcast_room::error::TencentErrorKind;
use shopcast_room::protocol::{ProductExplain, ProductExplainReq};
use shopcast_room::tencent::{CustomElem, TencentConfig, TencentIm};

const APP: u64 = 1_400_123_456;
const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[derive(Default)]
struct Mock {
    calls: Mutex<Vec<(String, Value)>>,
}

fn fail(code: i64, info: &str) -> Json<Value> {
    Json(json!({"ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": info}))
}

/// Checks what Tencent checks, then answers like Tencent.
async fn handler(
    State(mock): State<Arc<Mock>>,
    Path((svc, cmd)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Json<Value> {
    assert_eq!(svc, "group_open_http_svc");
    assert_eq!(
        q.get("sdkappid").map(String::as_str),
        Some(APP.to_string().as_str())
    );
    assert_eq!(
        q.get("identifier").map(String::as_str),
        Some("administrator")
    );
    assert_eq!(q.get("contenttype").map(String::as_str), Some("json"));
    assert!(
        q.get("random")
            .and_then(|r| r.parse::<u32>().ok())
            .is_some(),
        "random is a u32"
    );
    let sig = q.get("usersig").cloned().unwrap_or_default();
    let now = shopcast_room::token::now_unix();
    if shopcast_push::usersig::verify(&sig, APP, KEY, "administrator", now).is_err() {
        return fail(70001, "UserSig expired or invalid");
    }
    mock.calls.lock().push((cmd.clone(), body.clone()));
    let group = body["GroupId"].as_str().unwrap_or_default();
    if group == "missing" {
        return fail(10010, "group dismissed or not found");
    }
    match cmd.as_str() {
        "send_group_msg" => {
            assert!(body["Random"].is_u64());
            let elems = body["MsgBody"].as_array().expect("MsgBody array");
            assert_eq!(elems.len(), 1);
            assert_eq!(elems[0]["MsgType"], "TIMCustomElem");
            let content = &elems[0]["MsgContent"];
            assert!(
                content["Data"].is_string()
                    && content["Desc"].is_string()
                    && content["Ext"].is_string()
            );
            Json(
                json!({"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0, "MsgTime": 1_700_000_000u64, "MsgSeq": 42}),
            )
        }
        "modify_group_base_info" => {
            for kv in body["AppDefinedData"]
                .as_array()
                .expect("AppDefinedData array")
            {
                assert!(kv["Key"].is_string() && kv["Value"].is_string(), "{kv}");
            }
            Json(json!({"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0}))
        }
        "get_online_member_num" => Json(
            json!({"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0, "OnlineMemberNum": 1234}),
        ),
        _ => fail(10004, "unknown command"),
    }
}

async fn mock_server() -> (String, Arc<Mock>) {
    let mock = Arc::new(Mock::default());
    let app = Router::new()
        .route("/v4/{svc}/{cmd}", post(handler))
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), mock)
}

fn im(base: &str, key: &str) -> TencentIm {
    let mut cfg = TencentConfig::new(APP, key);
    cfg.base_url = base.to_string();
    TencentIm::new(cfg).unwrap()
}

#[tokio::test]
async fn calls_have_the_documented_shape_and_parse_replies() {
    let (base, mock) = mock_server().await;
    let im = im(&base, KEY);
    let sent = im
        .send_group_msg(
            "@TGS#live1",
            &CustomElem {
                data: r#"{"type":"live_gift"}"#.into(),
                desc: "gift".into(),
                ext: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(sent.msg_seq, 42);
    im.modify_group_base_info("@TGS#live1", &[("current_product", "{}")])
        .await
        .unwrap();
    assert_eq!(im.get_online_member_num("@TGS#live1").await.unwrap(), 1234);
    let calls = mock.calls.lock();
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].1["GroupId"], "@TGS#live1");
    assert_eq!(calls[1].1["AppDefinedData"][0]["Key"], "current_product");
}

#[tokio::test]
async fn product_explain_writes_the_group_field_then_sends_goods_on_shelf() {
    let (base, mock) = mock_server().await;
    let im = im(&base, KEY);
    let p = ProductExplain::from_request(
        ProductExplainReq {
            goods_id: "prod_001".into(),
            goods_name: "Vintage Watch".into(),
            goods_name_zh: "复古手表".into(),
            goods_name_en: "Vintage Watch".into(),
            price: 9900,
            price_usd: 99.0,
            price_cny: 712.8,
            image_url: "/static/products/watch.png".into(),
            start_timestamp: Some(1_773_321_389_000),
        },
        0,
    );
    im.explain_product("@TGS#live1", "current_product", &p)
        .await
        .unwrap();
    let calls = mock.calls.lock();
    assert_eq!(calls[0].0, "modify_group_base_info", "channel B first");
    let meta: Value =
        serde_json::from_str(calls[0].1["AppDefinedData"][0]["Value"].as_str().unwrap()).unwrap();
    assert_eq!(meta["goods_id"], "prod_001");
    assert_eq!(meta["start_timestamp"], 1_773_321_389_000u64);
    assert_eq!(calls[1].0, "send_group_msg");
    let data: Value = serde_json::from_str(
        calls[1].1["MsgBody"][0]["MsgContent"]["Data"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(data["type"], "GOODS_ON_SHELF");
    assert_eq!(data["eventId"], "evt_prod_001_1773321389000");
    assert_eq!(data["goodsNameZH"], "复古手表");
}

#[tokio::test]
async fn error_envelopes_become_typed_errors_without_secrets() {
    let (base, _mock) = mock_server().await;
    let good = im(&base, KEY);
    match good.get_online_member_num("missing").await {
        Err(RoomError::Tencent { code, kind, .. }) => {
            assert_eq!(code, 10010);
            assert_eq!(kind, TencentErrorKind::GroupNotFound);
        }
        other => panic!("{other:?}"),
    }
    let wrong_key = im(&base, "not-the-key-not-the-key");
    let e = wrong_key
        .get_online_member_num("@TGS#live1")
        .await
        .unwrap_err();
    match &e {
        RoomError::Tencent { kind, .. } => assert_eq!(*kind, TencentErrorKind::Auth),
        other => panic!("{other:?}"),
    }
    let text = format!("{e} {e:?}");
    assert!(
        !text.contains("usersig=") && !text.contains("not-the-key"),
        "{text}"
    );
    // A gateway answering HTML: an HTTP error, not a panic.
    let app = Router::new().route(
        "/v4/{svc}/{cmd}",
        post(|| async { "<html>gateway error</html>" }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let e = im(&format!("http://{addr}"), KEY)
        .get_online_member_num("g")
        .await
        .unwrap_err();
    assert!(matches!(e, RoomError::Http(_)), "{e:?}");
    // Nobody listening: a transport error without the URL.
    let dead = im("http://127.0.0.1:9", KEY);
    let e = dead.get_online_member_num("@TGS#live1").await.unwrap_err();
    assert!(matches!(e, RoomError::Http(_)), "{e:?}");
    assert!(!format!("{e}").contains("usersig"), "{e}");
}
