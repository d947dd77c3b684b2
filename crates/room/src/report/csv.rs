//! The report's per-product table as CSV (`csv` crate: quoting and
//! embedded newlines are its job, not ours). A product that sold in two
//! currencies gets one row per currency, the other figures repeated.

use super::SessionReport;

/// The header row, in order.
pub const COLUMNS: [&str; 18] = [
    "goods_id",
    "name",
    "explains",
    "explain_seconds",
    "views_during",
    "views_after",
    "clicks_during",
    "clicks_after",
    "orders",
    "units",
    "revenue_minor",
    "currency",
    "coupon_claims",
    "gifts",
    "gift_value",
    "likes",
    "online_start",
    "online_end",
];

/// A spreadsheet runs a cell that starts with one of these as a
/// formula; product names come from people, so they are prefixed.
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn opt(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The per-product table.
pub fn products_csv(r: &SessionReport) -> Result<String, ::csv::Error> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for p in &r.products {
        let revenue: Vec<(String, u64)> = if p.revenue.is_empty() {
            vec![(String::new(), 0)]
        } else {
            p.revenue.iter().map(|(c, v)| (c.clone(), *v)).collect()
        };
        for (currency, minor) in revenue {
            w.write_record([
                defuse(&p.goods_id),
                defuse(&p.name),
                p.explains.to_string(),
                format!("{:.1}", p.explain_ms as f64 / 1000.0),
                p.views_during.to_string(),
                p.views_after.to_string(),
                p.clicks_during.to_string(),
                p.clicks_after.to_string(),
                p.orders.to_string(),
                p.units.to_string(),
                minor.to_string(),
                currency,
                p.coupon_claims.to_string(),
                p.gifts.to_string(),
                p.gift_value.to_string(),
                p.likes.to_string(),
                opt(p.online_start),
                opt(p.online_end),
            ])?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
