//! The catalogue end to end: CSV and JSON import and export, refused
//! rows, dry runs, persistence, whole-file refusals and SKU rows.

mod common;

use std::collections::BTreeSet;

use shopcast_commerce::{
    Catalog, CommerceError, ImportReport, MAX_IMPORT_BYTES, Product, Sku, Upserted,
};

use common::*;

const GOOD_CSV: &str = "\
id,name_zh,name_en,name_ja,description,price,currency,list_price,stock,image,link,tags,parent_id
watch,复古手表,Vintage Watch,ヴィンテージ時計,\"Round dial, leather strap\nSecond line\",129900,CNY,199900,35,,https://shop.example.com/w,手表|watch|gift,
watch-brown,棕色表带,,,,129900,CNY,,20,,,,watch
watch-black,,Black strap,,,131900,,,15,,,,watch
tea,西湖龙井,Longjing Tea,,,16800,cny,,200,,,tea|茶,
scarf,真丝围巾,Silk Scarf,,,3990,USD,,0,,,,
";

// ------------------------------------------------------- round trips

#[test]
fn csv_import_export_import_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(dir.path(), "in.csv", GOOD_CSV);
    let mut a = open(&dir.path().join("a"));
    let r = a.import_file(&src, &NO_IMAGES).unwrap();
    assert_eq!((r.added, r.updated), (3, 0), "{r:?}");
    assert!(r.refused.is_empty(), "{:?}", r.refused);

    let watch = a.get("watch").unwrap().unwrap();
    assert_eq!(
        watch.names.get("ja").map(String::as_str),
        Some("ヴィンテージ時計")
    );
    assert_eq!(watch.description, "Round dial, leather strap\nSecond line");
    assert_eq!(watch.list_price, Some(199900));
    assert_eq!(watch.tags, ["手表", "watch", "gift"]);
    assert_eq!(
        watch.skus,
        [
            Sku {
                id: "watch-brown".into(),
                name: "棕色表带".into(),
                price: 129900,
                stock: 20
            },
            Sku {
                id: "watch-black".into(),
                name: "Black strap".into(),
                price: 131900,
                stock: 15
            },
        ]
    );
    assert_eq!(a.get("tea").unwrap().unwrap().currency, "CNY");

    let out = dir.path().join("out.csv");
    assert_eq!(a.export_file(&out).unwrap(), 3);
    let mut b = open(&dir.path().join("b"));
    let r = b.import_file(&out, &NO_IMAGES).unwrap();
    assert_eq!((r.added, r.updated, r.refused.len()), (3, 0, 0), "{r:?}");
    assert_eq!(a.list().unwrap(), b.list().unwrap());
    // And the second export is the same file.
    let out2 = dir.path().join("out2.csv");
    b.export_file(&out2).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&out2).unwrap());
}

#[test]
fn json_import_export_import_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = open(&dir.path().join("a"));
    let r = a.import_demo().unwrap();
    assert_eq!((r.added, r.updated), (6, 0), "{r:?}");
    let json = dir.path().join("out.json");
    assert_eq!(a.export_file(&json).unwrap(), 6);
    let exported: Vec<Product> = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(exported, a.list().unwrap());

    // Without images, everything but the thumbnails comes back.
    let mut b = open(&dir.path().join("b"));
    let r = b.import_file(&json, &NO_IMAGES).unwrap();
    assert_eq!((r.added, r.refused.len()), (6, 0), "{r:?}");
    let strip = |mut v: Vec<Product>| {
        v.iter_mut().for_each(|p| p.thumbnail = None);
        v
    };
    assert_eq!(strip(a.list().unwrap()), b.list().unwrap());

    // And CSV carries the same catalogue (thumbnails aside).
    let csv = dir.path().join("out.csv");
    a.export_file(&csv).unwrap();
    let mut c = open(&dir.path().join("c"));
    let r = c.import_file(&csv, &NO_IMAGES).unwrap();
    assert_eq!((r.added, r.refused.len()), (6, 0), "{r:?}");
    assert_eq!(b.list().unwrap(), c.list().unwrap());
}

// ------------------------------------------------------------ bad rows

#[test]
fn each_bad_csv_row_is_reported_and_the_rest_imported() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(201);
    let text = format!(
        "\
id,name_zh,name_en,price,currency,stock,parent_id
ok-1,好,Good,100,CNY,1,
neg-price,负,Negative,-5,CNY,1,
frac-price,小数,Fraction,12.50,CNY,1,
bad-cur,币,Currency,100,XYZ,1,
too-dear,贵,Dear,1000000000001,CNY,1,
no-zh,,No Chinese,100,CNY,1,
long-en,长,{long},100,CNY,1,
bad id!,坏,Bad id,100,CNY,1,
ok-1,重复,Duplicate,100,CNY,1,
neg-stock,负库存,Negative stock,100,CNY,-1,
ok-2,好二,Good two,200,CNY,2,

orphan,孤儿,Orphan SKU,100,CNY,1,nobody
ok-1-red,红色,,150,CNY,3,ok-1
word-price,字,Word,abc,CNY,1,
"
    );
    let src = write(dir.path(), "bad.csv", &text);
    let mut cat = open(dir.path());
    let r = cat.import_file(&src, &NO_IMAGES).unwrap();
    let expected: BTreeSet<(usize, String)> = [
        (3, "price"),
        (4, "price"),
        (5, "currency"),
        (6, "price"),
        (7, "name_zh"),
        (8, "name_en"),
        (9, "id"),
        (10, "id"),
        (11, "stock"),
        (14, "parent_id"),
        (16, "price"),
    ]
    .into_iter()
    .map(|(r, f)| (r, f.to_string()))
    .collect();
    assert_eq!(rows_and_fields(&r), expected, "{:#?}", r.refused);
    assert_eq!(r.refused.len(), expected.len(), "one error per bad row");
    let reason = |row: usize| {
        r.refused
            .iter()
            .find(|e| e.row == row)
            .map(|e| e.to_string())
            .unwrap()
    };
    assert_eq!(reason(3), "row 3: price: must not be negative");
    assert!(
        reason(4).contains("whole number of minor units"),
        "{}",
        reason(4)
    );
    assert!(
        reason(5).contains("\"XYZ\" is not an ISO 4217 currency code"),
        "{}",
        reason(5)
    );
    assert!(reason(6).contains("at most 1000000000000"), "{}", reason(6));
    assert!(reason(7).contains("must not be empty"), "{}", reason(7));
    assert!(
        reason(8).contains("at most 200 characters"),
        "{}",
        reason(8)
    );
    assert!(reason(9).contains("only ASCII letters"), "{}", reason(9));
    assert!(reason(10).contains("duplicate of row 2"), "{}", reason(10));
    assert_eq!(reason(11), "row 11: stock: must not be negative");
    assert!(
        reason(14).contains("no product \"nobody\""),
        "{}",
        reason(14)
    );
    assert!(reason(16).contains("whole number"), "{}", reason(16));

    assert_eq!((r.added, r.updated), (2, 0));
    let ids: Vec<String> = cat.list().unwrap().into_iter().map(|p| p.id).collect();
    assert_eq!(ids, ["ok-1", "ok-2"]);
    // The first ok-1 is kept, with the SKU row that names it.
    let ok1 = cat.get("ok-1").unwrap().unwrap();
    assert_eq!(ok1.name_en, "Good");
    assert_eq!(ok1.skus.len(), 1);
    assert_eq!(ok1.skus[0].name, "红色");
}

#[test]
fn each_bad_json_element_is_reported_and_the_rest_imported() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"[
      {"id": "a", "name_zh": "甲", "name_en": "A", "price": 100, "currency": "CNY", "stock": 1},
      {"id": "b", "name_zh": "乙", "name_en": "B", "price": -1, "currency": "CNY", "stock": 1},
      "not a product",
      {"id": "c", "name_zh": "丙", "name_en": "C", "price": 1, "currency": "CNY", "stock": 1, "colour": "red"},
      {"id": "d", "name_zh": "丁", "name_en": "D", "price": 12.5, "currency": "CNY", "stock": 1},
      {"id": "e", "name_zh": "戊", "name_en": "E", "price": 1, "currency": "CNY", "stock": 1,
       "skus": [{"id": "e1", "name": "E1", "price": 1, "stock": -3}]},
      {"id": "a", "name_zh": "甲二", "name_en": "A again", "price": 1, "currency": "CNY", "stock": 1},
      {"id": "f", "name_zh": "己", "name_en": "F", "currency": "CNY", "stock": 1},
      {"id": "g", "name_zh": "庚", "name_en": "G", "price": 700, "currency": "EUR", "stock": 7,
       "thumbnail": "../../../etc/passwd", "skus": [{"id": "g1", "name": "G1", "price": 1, "stock": 3}]}
    ]"#;
    let src = write(dir.path(), "bad.json", text);
    let mut cat = open(dir.path());
    let r = cat.import_file(&src, &NO_IMAGES).unwrap();
    let expected: BTreeSet<(usize, String)> = [
        (2, "price"),
        (3, "product"),
        (4, "colour"),
        (5, "price"),
        (6, "skus[0].stock"),
        (7, "id"),
        (8, "price"),
    ]
    .into_iter()
    .map(|(r, f)| (r, f.to_string()))
    .collect();
    assert_eq!(rows_and_fields(&r), expected, "{:#?}", r.refused);
    let text: Vec<String> = r.refused.iter().map(ToString::to_string).collect();
    assert_eq!(text[0], "row 2: price: must not be negative");
    assert_eq!(
        text[1],
        "row 3: product: expected an object, found a string"
    );
    assert_eq!(text[2], "row 4: colour: unknown field");
    assert!(
        text[3].contains("whole number of minor units"),
        "{}",
        text[3]
    );
    assert_eq!(text[4], "row 6: skus[0].stock: must not be negative");
    assert!(text[5].contains("duplicate of row 1"), "{}", text[5]);
    assert_eq!(text[6], "row 8: price: required");
    assert_eq!((r.added, r.updated), (2, 0));
    let g = cat.get("g").unwrap().unwrap();
    assert_eq!(g.thumbnail, None, "a thumbnail is never taken from a file");
    assert_eq!(g.skus.len(), 1);
}

// ---------------------------------------------- updates and dry runs

#[test]
fn importing_again_updates_by_id_and_never_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(dir.path(), "in.csv", GOOD_CSV);
    let mut cat = open(dir.path());
    cat.import_file(&src, &NO_IMAGES).unwrap();
    let changed = GOOD_CSV.replace("16800,cny,,200", "15800,CNY,,180");
    let src2 = write(dir.path(), "in2.csv", &changed);
    let r = cat.import_file(&src2, &NO_IMAGES).unwrap();
    assert_eq!((r.added, r.updated), (0, 3), "{r:?}");
    let all = cat.list().unwrap();
    assert_eq!(all.len(), 3);
    let tea = cat.get("tea").unwrap().unwrap();
    assert_eq!((tea.price, tea.stock), (15800, 180));
    assert_eq!(cat.get("watch").unwrap().unwrap().skus.len(), 2);
}

#[test]
fn a_dry_run_counts_against_the_catalogue_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("photo.png"), png_bytes(300, 200)).unwrap();
    let csv = "id,name_zh,name_en,price,currency,stock,image\n\
               a,甲,A,100,CNY,1,photo.png\n\
               b,乙,B,-1,CNY,1,\n\
               c,丙,C,300,CNY,3,\n";
    let src = write(dir.path(), "in.csv", csv);
    let data = dir.path().join("data");
    // Created and closed first, so the file holds the schema.
    drop(Catalog::open(&data).unwrap());
    let db = std::fs::read(data.join("catalog.sqlite3")).unwrap();
    let mut cat = Catalog::open(&data).unwrap();

    let r = cat.import_file(&src, &DRY_RUN).unwrap();
    assert_eq!((r.added, r.updated), (2, 0), "{r:?}");
    assert_eq!(
        rows_and_fields(&r),
        BTreeSet::from([(3, "price".to_string())])
    );
    assert!(cat.list().unwrap().is_empty());
    assert_eq!(std::fs::read_dir(data.join("thumbs")).unwrap().count(), 0);
    drop(cat);
    assert_eq!(std::fs::read(data.join("catalog.sqlite3")).unwrap(), db);

    let mut cat = Catalog::open(&data).unwrap();
    cat.upsert(&Product {
        id: "c".into(),
        name_zh: "丙".into(),
        name_en: "C".into(),
        names: Default::default(),
        description: String::new(),
        price: 1,
        currency: "CNY".into(),
        list_price: None,
        stock: 1,
        skus: Vec::new(),
        images: Vec::new(),
        link: String::new(),
        tags: Vec::new(),
        thumbnail: None,
    })
    .unwrap();
    let before = cat.list().unwrap();
    let r = cat.import_file(&src, &DRY_RUN).unwrap();
    assert_eq!((r.added, r.updated), (1, 1), "{r:?}");
    assert_eq!(cat.list().unwrap(), before);
}

#[test]
fn everything_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("photo.png"), png_bytes(64, 64)).unwrap();
    let src = write(
        dir.path(),
        "in.csv",
        &GOOD_CSV.replace("129900,CNY,199900,35,,", "129900,CNY,199900,35,photo.png,"),
    );
    let data = dir.path().join("data");
    let before = {
        let mut cat = Catalog::open(&data).unwrap();
        let r = cat.import_file(&src, &WITH_IMAGES).unwrap();
        assert!(r.image_errors.is_empty(), "{:?}", r.image_errors);
        cat.delete("scarf").unwrap();
        cat.list().unwrap()
    };
    let cat = Catalog::open(&data).unwrap();
    let after = cat.list().unwrap();
    assert_eq!(before, after);
    assert_eq!(after.len(), 2);
    let watch = cat.get("watch").unwrap().unwrap();
    assert!(cat.thumbnail_bytes(&watch).is_some());
    assert!(matches!(cat.get("scarf"), Ok(None)));
}

#[test]
fn upsert_validates_and_delete_says_when_nothing_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let mut p = serde_json::from_str::<Product>(
        r#"{"id":"x","name_zh":" 甲 ","name_en":"X","price":5,"currency":"usd","stock":2}"#,
    )
    .unwrap();
    assert_eq!(cat.upsert(&p).unwrap(), Upserted::Added);
    let stored = cat.get("x").unwrap().unwrap();
    assert_eq!(
        (stored.name_zh.as_str(), stored.currency.as_str()),
        ("甲", "USD")
    );
    p.price = 6;
    assert_eq!(cat.upsert(&p).unwrap(), Upserted::Updated);
    p.currency = "ABC".into();
    match cat.upsert(&p) {
        Err(CommerceError::InvalidField { field, .. }) => assert_eq!(field, "currency"),
        other => panic!("{other:?}"),
    }
    assert_eq!(cat.get("x").unwrap().unwrap().price, 6);
    assert!(matches!(
        cat.delete("nope"),
        Err(CommerceError::NotFound(_))
    ));
}

#[test]
fn search_ignores_case_over_ids_names_and_tags() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    cat.import_demo().unwrap();
    let ids =
        |q: &str| -> Vec<String> { cat.search(q).unwrap().into_iter().map(|p| p.id).collect() };
    assert_eq!(ids("LONGJING"), ["tea-longjing"]);
    assert_eq!(ids("龙井"), ["tea-longjing"]);
    assert_eq!(ids("マグ"), ["mug-jingdezhen"]);
    assert_eq!(ids("GIFT"), ["watch-vintage"]);
    assert_eq!(ids("tote-"), ["tote-canvas"]);
    assert_eq!(ids("").len(), 6);
    assert!(ids("no such thing").is_empty());
}

// ----------------------------------------------- whole-file refusals

fn bad_file_reason(r: shopcast_commerce::Result<ImportReport>) -> String {
    match r {
        Err(CommerceError::BadFile { reason, .. }) => reason,
        other => panic!("expected the whole file refused, got {other:?}"),
    }
}

#[test]
fn a_wrong_header_refuses_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let src = write(
        dir.path(),
        "a.csv",
        "id,name_zh,name_en,price,currency,stock,colour\na,甲,A,1,CNY,1,red\n",
    );
    let reason = bad_file_reason(cat.import_file(&src, &NO_IMAGES));
    assert!(reason.contains("wrong header"), "{reason}");
    assert!(reason.contains("unknown columns \"colour\""), "{reason}");

    let src = write(
        dir.path(),
        "b.csv",
        "id,name_zh,name_en,currency\na,甲,A,CNY\n",
    );
    let reason = bad_file_reason(cat.import_file(&src, &NO_IMAGES));
    assert!(
        reason.contains("missing required columns price, stock"),
        "{reason}"
    );

    let src = write(dir.path(), "c.csv", "");
    let reason = bad_file_reason(cat.import_file(&src, &NO_IMAGES));
    assert!(reason.contains("header row is required"), "{reason}");

    // Columns in another order, with a BOM, are fine.
    let src = write(
        dir.path(),
        "d.csv",
        "\u{feff}stock,currency,price,name_en,name_zh,id\n1,CNY,1,A,甲,a\n",
    );
    assert_eq!(cat.import_file(&src, &NO_IMAGES).unwrap().added, 1);
    assert_eq!(cat.list().unwrap().len(), 1);
}

#[test]
fn json_that_is_not_an_array_refuses_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    for (name, text, found) in [
        ("o.json", r#"{"id": "a"}"#, "found an object"),
        ("s.json", r#""products""#, "found a string"),
    ] {
        let src = write(dir.path(), name, text);
        let reason = bad_file_reason(cat.import_file(&src, &NO_IMAGES));
        assert!(
            reason.contains("expected a JSON array of products"),
            "{reason}"
        );
        assert!(reason.contains(found), "{reason}");
    }
    let src = write(dir.path(), "broken.json", "[{");
    assert!(bad_file_reason(cat.import_file(&src, &NO_IMAGES)).contains("not valid JSON"));
    let src = write(dir.path(), "x.xlsx", "");
    assert!(bad_file_reason(cat.import_file(&src, &NO_IMAGES)).contains(".csv or .json"));
    assert!(cat.list().unwrap().is_empty());
}

#[test]
fn a_file_over_50_mb_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let path = dir.path().join("huge.csv");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(MAX_IMPORT_BYTES + 1).unwrap();
    // Read, its zeros would be refused as a wrong header instead.
    let reason = bad_file_reason(cat.import_file(&path, &NO_IMAGES));
    assert!(
        reason.contains("too large") && reason.contains("50 MB"),
        "{reason}"
    );
}

#[test]
fn sku_rows_attach_to_a_parent_in_the_file_or_the_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let src = write(dir.path(), "in.csv", GOOD_CSV);
    cat.import_file(&src, &NO_IMAGES).unwrap();

    // SKU rows only: the parents are in the catalogue. One SKU is
    // updated, one added; a wrong currency, a duplicate, a product
    // column on a SKU row and a missing name are refused.
    let src = write(
        dir.path(),
        "skus.csv",
        "parent_id,id,name_zh,name_en,price,currency,stock,tags\n\
         watch,watch-brown,棕色表带（新）,,125900,CNY,18,\n\
         watch,watch-blue,,Blue strap,135900,,5,\n\
         tea,tea-tin,罐装,,19800,USD,5,\n\
         watch,watch-blue,,Blue again,1,,1,\n\
         tea,tea-gift,礼盒,,29800,,5,gift\n\
         tea,tea-bag,,,100,,5,\n",
    );
    let r = cat.import_file(&src, &NO_IMAGES).unwrap();
    let expected: BTreeSet<(usize, String)> =
        [(4, "currency"), (5, "id"), (6, "tags"), (7, "name_zh")]
            .into_iter()
            .map(|(r, f)| (r, f.to_string()))
            .collect();
    assert_eq!(rows_and_fields(&r), expected, "{:#?}", r.refused);
    assert_eq!((r.added, r.updated), (0, 1), "{r:?}");
    let watch = cat.get("watch").unwrap().unwrap();
    let skus: Vec<(&str, &str, u64, u64)> = watch
        .skus
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str(), s.price, s.stock))
        .collect();
    assert_eq!(
        skus,
        [
            ("watch-brown", "棕色表带（新）", 125900, 18),
            ("watch-black", "Black strap", 131900, 15),
            ("watch-blue", "Blue strap", 135900, 5),
        ]
    );
    // The parent's own fields are untouched.
    assert_eq!(watch.price, 129900);
    assert!(cat.get("tea").unwrap().unwrap().skus.is_empty());
}

// --------------------------------------------------------------- demo

#[test]
fn ten_thousand_csv_rows_import_and_reimport_as_updates() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,name_zh,name_en,price,currency,stock,tags\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "p{i:05},商品{i},Product {i},{},CNY,{},tag{}|bulk\n",
            100 + i,
            i % 50,
            i % 7
        ));
    }
    let src = write(dir.path(), "big.csv", &text);
    let mut cat = open(dir.path());
    // How long this takes is measured by `examples/import_bench.rs`.
    let r = cat.import_file(&src, &NO_IMAGES).unwrap();
    assert_eq!((r.added, r.refused.len()), (10_000, 0));
    assert_eq!(cat.list().unwrap().len(), 10_000);
    let r = cat.import_file(&src, &NO_IMAGES).unwrap();
    assert_eq!(r.updated, 10_000);
}

// ---------------------------------------------------------- the form
