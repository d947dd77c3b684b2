//! The audience page at `/r/{room}` and its static files. The page has
//! no inline script or style, so it is served with a strict CSP.

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::server::Shared;

const PAGE: &str = include_str!("../web/audience.html");
const SCRIPT_SOURCE: &str = include_str!("../web/audience.js");

/// The page's script with the protocol version the server speaks, so
/// the number lives in one place.
static SCRIPT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    SCRIPT_SOURCE.replace(
        "__PROTOCOL_VERSION__",
        &crate::protocol::PROTOCOL_VERSION.to_string(),
    )
});
const STYLE: &str = include_str!("../web/audience.css");

/// Same origin only; no inline code, no plugins, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

async fn page() -> Response {
    asset(PAGE, "text/html; charset=utf-8")
}

async fn script() -> Response {
    asset(SCRIPT.as_str(), "text/javascript; charset=utf-8")
}

async fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/r/{room}", get(page))
        .route("/static/audience.js", get(script))
        .route("/static/audience.css", get(style))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_has_no_inline_script_and_script_never_uses_inner_html() {
        assert!(
            !PAGE.contains("<script>"),
            "inline script would break the CSP"
        );
        assert!(PAGE.contains("src=\"/static/audience.js\""));
        assert!(!SCRIPT.contains("innerHTML"));
        assert!(!SCRIPT.contains("insertAdjacentHTML"));
        assert!(!SCRIPT.contains("document.write"));
    }

    #[test]
    fn every_element_the_script_looks_up_is_on_the_page() {
        let ids: Vec<&str> = SCRIPT
            .split("$('")
            .skip(1)
            .filter_map(|rest| rest.split_once("')").map(|(id, _)| id))
            .collect();
        assert!(ids.contains(&"bag-list"), "{ids:?}");
        for id in ids {
            assert!(
                PAGE.contains(&format!("id=\"{id}\"")),
                "the script uses #{id}, which the page lacks"
            );
        }
    }

    #[test]
    fn the_script_speaks_the_servers_protocol_and_keeps_tokens_out_of_urls() {
        let v = crate::protocol::PROTOCOL_VERSION;
        assert!(super::SCRIPT.contains(&format!("const PROTOCOL_VERSION = {v};")));
        assert!(!super::SCRIPT.contains("__PROTOCOL_VERSION__"));
        assert!(!super::SCRIPT.contains("?token="));
    }
}
