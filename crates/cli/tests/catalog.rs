//! `shopcast catalog …` end to end: refused rows on stderr and exit 1,
//! a whole-file refusal and exit 2, a dry run that writes nothing,
//! `list --json`, and an export that imports back.

use std::path::Path;
use std::process::{Command, Output};

fn shopcast(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shopcast"))
        .arg("catalog")
        .args(args)
        .output()
        .expect("run shopcast")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn list_json(data: &Path) -> serde_json::Value {
    let out = shopcast(&["list", "--json", "--data", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("a JSON array")
}

const CSV: &str = "\
id,name_zh,name_en,price,currency,stock,parent_id
tea,西湖龙井,Longjing Tea,16800,CNY,200,
tea-tin,罐装,,19800,CNY,50,tea
bad,坏,Bad,-5,CNY,1,
scarf,真丝围巾,Silk Scarf,39900,CNY,80,
odd,奇,Odd,100,XYZ,1,
";

#[test]
fn import_reports_each_refused_row_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let file = dir.path().join("in.csv");
    std::fs::write(&file, CSV).unwrap();
    let file = file.to_str().unwrap();

    // A dry run counts and writes nothing.
    let out = shopcast(&["import", file, "--dry-run", "--no-images", "--data", data]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("added 2, updated 0, refused 2"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(list_json(Path::new(data)), serde_json::json!([]));

    let out = shopcast(&["import", file, "--data", data]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let rows: Vec<&str> = stderr.lines().filter(|l| l.starts_with("row ")).collect();
    assert_eq!(
        rows,
        [
            "row 4: price: must not be negative",
            "row 6: currency: \"XYZ\" is not an ISO 4217 currency code (such as CNY, USD, EUR)",
        ],
        "{stderr}"
    );
    assert!(
        text(&out.stdout).contains("added 2, updated 0, refused 2"),
        "{}",
        text(&out.stdout)
    );

    let products = list_json(Path::new(data));
    let ids: Vec<&str> = products
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["scarf", "tea"]);
    assert_eq!(products[1]["skus"][0]["id"], "tea-tin");
    assert_eq!(products[1]["price"], 16800);

    // The readable table names every product.
    let out = shopcast(&["list", "--data", data]);
    assert!(out.status.success());
    let table = text(&out.stdout);
    assert!(
        table.contains("¥168.00") && table.contains("西湖龙井 / Longjing Tea"),
        "{table}"
    );
}

#[test]
fn a_clean_import_exits_0_and_export_imports_back() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let file = dir.path().join("in.json");
    std::fs::write(
        &file,
        r#"[{"id":"mug","name_zh":"马克杯","name_en":"Mug","price":6800,"currency":"CNY","stock":3,
             "tags":["mug"],"skus":[{"id":"mug-blue","name":"蓝","price":6800,"stock":3}]}]"#,
    )
    .unwrap();
    let out = shopcast(&[
        "import",
        file.to_str().unwrap(),
        "--data",
        a.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "added 1, updated 0, refused 0");

    for ext in ["csv", "json"] {
        let exported = dir.path().join(format!("out.{ext}"));
        let out = shopcast(&[
            "export",
            exported.to_str().unwrap(),
            "--data",
            a.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("exported 1 products"));
        let out = shopcast(&[
            "import",
            exported.to_str().unwrap(),
            "--data",
            b.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(list_json(&a), list_json(&b), "{ext}");
    }
}

#[test]
fn a_whole_file_refusal_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("in.csv");
    std::fs::write(&file, "id,name,price\n1,x,1\n").unwrap();
    let out = shopcast(&[
        "import",
        file.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("wrong header"), "{stderr}");
    assert!(stderr.contains("missing required columns"), "{stderr}");

    let file = dir.path().join("in.json");
    std::fs::write(&file, r#"{"products": []}"#).unwrap();
    let out = shopcast(&[
        "import",
        file.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("expected a JSON array of products"));
}
