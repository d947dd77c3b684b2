//! Tencent Cloud IM backend: the REST calls a live-commerce room needs,
//! through reqwest (async, rustls/ring).
//!
//! - `group_open_http_svc/send_group_msg` with a `TIMCustomElem`
//!   (gifts, product pop-ups…: seed channel A);
//! - `group_open_http_svc/modify_group_base_info` with `AppDefinedData`
//!   (the current product: seed channel B);
//! - `group_open_http_svc/get_online_member_num`.
//!
//! Every call is signed with an administrator UserSig v2
//! ([`shopcast_push::usersig`]), cached until shortly before it expires.
//! The request URL carries the UserSig, so it is never logged or put in
//! an error. Replies with `ActionStatus: FAIL` become
//! [`RoomError::Tencent`] with a [`TencentErrorKind`].

use std::time::Duration;

use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{Result, RoomError, TencentErrorKind};
use crate::protocol::ProductExplain;
use crate::token::now_unix;

/// Tencent's production endpoint.
pub const DEFAULT_BASE_URL: &str = "https://console.tim.qq.com";

/// How to reach and sign for one IM application.
#[derive(Clone)]
pub struct TencentConfig {
    /// `https://console.tim.qq.com` (or a regional / test endpoint).
    pub base_url: String,
    pub sdkappid: u64,
    pub secret_key: String,
    /// The administrator account, usually `administrator`.
    pub admin: String,
    pub usersig_ttl_secs: u64,
    pub timeout: Duration,
}

impl std::fmt::Debug for TencentConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TencentConfig")
            .field("base_url", &self.base_url)
            .field("sdkappid", &self.sdkappid)
            .field("secret_key", &"***")
            .field("admin", &self.admin)
            .finish()
    }
}

impl TencentConfig {
    pub fn new(sdkappid: u64, secret_key: impl Into<String>) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.into(),
            sdkappid,
            secret_key: secret_key.into(),
            admin: "administrator".into(),
            usersig_ttl_secs: 24 * 3600,
            timeout: Duration::from_secs(10),
        }
    }
}

/// A `TIMCustomElem` payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomElem {
    /// The message JSON (Tencent calls it `Data`).
    pub data: String,
    pub desc: String,
    pub ext: String,
}

/// What `send_group_msg` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentMsg {
    pub msg_seq: u64,
    pub msg_time: u64,
}

/// Tencent's reply envelope.
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "ActionStatus")]
    action_status: String,
    #[serde(rename = "ErrorCode", default)]
    error_code: i64,
    #[serde(rename = "ErrorInfo", default)]
    error_info: String,
    #[serde(flatten)]
    rest: serde_json::Map<String, Value>,
}

/// Client for one IM application.
pub struct TencentIm {
    http: reqwest::Client,
    cfg: TencentConfig,
    /// `(usersig, expires_at)`.
    sig: Mutex<Option<(String, u64)>>,
}

impl std::fmt::Debug for TencentIm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TencentIm").field("cfg", &self.cfg).finish()
    }
}

impl TencentIm {
    pub fn new(cfg: TencentConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .build()
            .map_err(|e| RoomError::Http(e.without_url().to_string()))?;
        Ok(Self {
            http,
            cfg,
            sig: Mutex::new(None),
        })
    }

    fn usersig(&self) -> Result<String> {
        let now = now_unix();
        let mut cached = self.sig.lock();
        if let Some((sig, exp)) = cached.as_ref()
            && *exp > now + 300
        {
            return Ok(sig.clone());
        }
        let sig = shopcast_push::usersig::generate(
            self.cfg.sdkappid,
            &self.cfg.secret_key,
            &self.cfg.admin,
            self.cfg.usersig_ttl_secs,
            now,
        )?;
        *cached = Some((sig.clone(), now + self.cfg.usersig_ttl_secs));
        Ok(sig)
    }

    /// Calls `v4/{service}/{command}` and returns the reply's other
    /// fields on success.
    async fn call(
        &self,
        service: &str,
        command: &str,
        body: &Value,
    ) -> Result<serde_json::Map<String, Value>> {
        let random: u32 = rand::random();
        let mut url = url::Url::parse(&self.cfg.base_url)
            .map_err(|e| RoomError::config(format!("Tencent base URL: {e}")))?;
        url.set_path(&format!("/v4/{service}/{command}"));
        url.query_pairs_mut()
            .append_pair("sdkappid", &self.cfg.sdkappid.to_string())
            .append_pair("identifier", &self.cfg.admin)
            .append_pair("usersig", &self.usersig()?)
            .append_pair("random", &random.to_string())
            .append_pair("contenttype", "json");
        // `without_url`: the URL holds the UserSig.
        let resp = self
            .http
            .post(url)
            .json(body)
            .send()
            .await
            .map_err(|e| RoomError::Http(e.without_url().to_string()))?;
        let status = resp.status();
        let text = resp
            .text()
            .await
            .map_err(|e| RoomError::Http(e.without_url().to_string()))?;
        if !status.is_success() {
            return Err(RoomError::Http(format!("{command}: HTTP {status}")));
        }
        let env: Envelope = serde_json::from_str(&text)
            .map_err(|_| RoomError::Http(format!("{command}: reply is not a Tencent envelope")))?;
        if env.action_status == "OK" && env.error_code == 0 {
            Ok(env.rest)
        } else {
            tracing::warn!(command, code = env.error_code, info = %env.error_info, "Tencent IM refused");
            Err(RoomError::Tencent {
                code: env.error_code,
                kind: TencentErrorKind::from_code(env.error_code),
                info: env.error_info,
            })
        }
    }

    /// Sends a custom message to a group.
    pub async fn send_group_msg(&self, group_id: &str, elem: &CustomElem) -> Result<SentMsg> {
        let body = json!({
            "GroupId": group_id,
            "Random": rand::random::<u32>(),
            "MsgPriority": "High",
            "MsgBody": [{
                "MsgType": "TIMCustomElem",
                "MsgContent": { "Data": elem.data, "Desc": elem.desc, "Ext": elem.ext },
            }],
        });
        let r = self
            .call("group_open_http_svc", "send_group_msg", &body)
            .await?;
        Ok(SentMsg {
            msg_seq: r.get("MsgSeq").and_then(Value::as_u64).unwrap_or(0),
            msg_time: r.get("MsgTime").and_then(Value::as_u64).unwrap_or(0),
        })
    }

    /// Sets group custom fields (`AppDefinedData`); an empty value
    /// deletes the field.
    pub async fn modify_group_base_info(
        &self,
        group_id: &str,
        app_defined: &[(&str, &str)],
    ) -> Result<()> {
        let data: Vec<Value> = app_defined
            .iter()
            .map(|(k, v)| json!({ "Key": k, "Value": v }))
            .collect();
        let body = json!({ "GroupId": group_id, "AppDefinedData": data });
        self.call("group_open_http_svc", "modify_group_base_info", &body)
            .await?;
        Ok(())
    }

    /// Online members of an AVChatRoom group.
    pub async fn get_online_member_num(&self, group_id: &str) -> Result<u64> {
        let body = json!({ "GroupId": group_id });
        let r = self
            .call("group_open_http_svc", "get_online_member_num", &body)
            .await?;
        r.get("OnlineMemberNum")
            .and_then(Value::as_u64)
            .ok_or_else(|| RoomError::Http("get_online_member_num: no OnlineMemberNum".into()))
    }

    /// The seed's dual channel: write the group field first (late
    /// joiners), then push the `GOODS_ON_SHELF` custom message.
    pub async fn explain_product(
        &self,
        group_id: &str,
        field: &str,
        p: &ProductExplain,
    ) -> Result<SentMsg> {
        self.modify_group_base_info(group_id, &[(field, &p.metadata_value())])
            .await?;
        self.send_group_msg(
            group_id,
            &CustomElem {
                data: p.tencent_custom_data(),
                desc: "GOODS_ON_SHELF".into(),
                ext: String::new(),
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_debug_hides_secret() {
        let c = TencentConfig::new(1, "topsecretkey");
        assert!(!format!("{c:?}").contains("topsecretkey"));
    }

    #[test]
    fn error_codes_map_to_kinds() {
        assert_eq!(TencentErrorKind::from_code(70001), TencentErrorKind::Auth);
        assert_eq!(
            TencentErrorKind::from_code(10010),
            TencentErrorKind::GroupNotFound
        );
        assert_eq!(TencentErrorKind::from_code(1), TencentErrorKind::Other);
    }
}
