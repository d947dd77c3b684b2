//! `shopcast lineup` against a real room server: add from the
//! catalogue (with its image), reorder, explain, edit, list as JSON; a
//! conflict exits 3 with its reason; the token only ever comes from
//! `SHOPCAST_TOKEN`.

use shopcast_room::protocol::Role;
use shopcast_room::{EmbeddedServer, ServerConfig};

mod room_cli;
use room_cli::{mint, shopcast, text};

#[test]
fn lineup_commands_run_the_rooms_lineup() {
    let data = tempfile::tempdir().unwrap();
    let png = data.path().join("tea.png");
    // A small real image, so `add` uploads a thumbnail.
    let rgba = [30u8, 160, 60, 255].repeat(64);
    std::fs::write(&png, shopcast_gpu::encode_png_rgba(8, 8, &rgba)).unwrap();
    let csv = data.path().join("goods.csv");
    std::fs::write(
        &csv,
        format!(
            "id,name_zh,name_en,price,currency,stock,image\n\
             tea,西湖龙井,Longjing Tea,12800,CNY,40,{}\n\
             scarf,真丝围巾,Silk Scarf,25900,CNY,0,\n",
            png.display()
        ),
    )
    .unwrap();
    let d = data.path().to_str().unwrap();
    let o = shopcast(
        &["catalog", "import", csv.to_str().unwrap(), "--data", d],
        None,
    );
    assert!(o.status.success(), "{}", text(&o.stderr));

    let rt = tokio::runtime::Runtime::new().unwrap();
    let server_dir = tempfile::tempdir().unwrap();
    let (addr, server) = rt
        .block_on(EmbeddedServer::start(ServerConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            server_dir.path(),
        )))
        .unwrap();
    let room = format!("ws://{addr}/ws/shop");
    let host = mint(server_dir.path(), Role::Host, "host");
    let asst = mint(server_dir.path(), Role::Assistant, "asst");
    let viewer = mint(server_dir.path(), Role::Audience, "v1");
    let run = |args: &[&str], token: &str| {
        let mut all = vec!["lineup", "--room", &room, "--data", d];
        all.extend_from_slice(args);
        shopcast(&all, Some(token))
    };

    let o = run(&["add", "tea"], &host);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "1");
    let o = run(&["add", "scarf"], &asst);
    assert_eq!(text(&o.stdout), "2", "{}", text(&o.stderr));
    assert_eq!(text(&run(&["move", "scarf", "0"], &asst).stdout), "3");
    assert_eq!(text(&run(&["explain", "tea"], &host).stdout), "4");
    assert_eq!(text(&run(&["price", "tea", "9900"], &asst).stdout), "5");
    assert_eq!(text(&run(&["pin", "tea"], &host).stdout), "6");

    let o = run(&["list", "--json"], &host);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], 6);
    assert_eq!(v["current"], "tea");
    let items = v["items"].as_array().unwrap();
    let ids: Vec<&str> = items
        .iter()
        .map(|i| i["goods_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["tea", "scarf"]);
    assert_eq!(items[0]["price"], 9900);
    assert_eq!(items[0]["name"], "西湖龙井");
    assert_eq!(items[0]["pinned"], true);
    assert_eq!(items[0]["state"], "explaining");
    assert_eq!(items[1]["state"], "sold_out");
    for k in [
        "goods_id", "name", "price", "currency", "stock", "pinned", "state",
    ] {
        assert!(items[1].get(k).is_some(), "missing {k}");
    }
    // The image went to the room server, which serves it.
    let lineup: serde_json::Value = rt.block_on(async {
        reqwest::Client::new()
            .get(format!("http://{addr}/api/rooms/shop/lineup"))
            .bearer_auth(&host)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let url = lineup["lineup"]["items"][0]["image_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.starts_with("/media/"), "{url}");
    let status = rt.block_on(async {
        reqwest::get(format!("http://{addr}{url}"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);

    // Conflicts exit 3 with the server's reason; nothing changed.
    let o = run(&["remove", "nope"], &host);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o.stderr).contains("nope is not in the lineup"),
        "{}",
        text(&o.stderr)
    );
    let o = run(&["next"], &host);
    assert_eq!(o.status.code(), Some(3), "only a sold-out product follows");
    assert!(
        text(&o.stderr).starts_with("conflict:"),
        "{}",
        text(&o.stderr)
    );
    // The audience may not, and the token never comes from argv.
    let o = run(&["remove", "tea"], &viewer);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("Forbidden"), "{}", text(&o.stderr));
    let o = shopcast(&["lineup", "--room", &room, "list"], None);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("SHOPCAST_TOKEN"),
        "{}",
        text(&o.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&run(&["list", "--json"], &host).stdout).unwrap();
    assert_eq!(v["version"], 6);
    rt.block_on(server.shutdown()).unwrap();
}
