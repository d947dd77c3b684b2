//! Catalogue import of 10,000 CSV rows (not a test): a fresh import into
//! an empty catalogue, then the same file again (every row an update),
//! alternating, three times each, without images.
//!
//! ```text
//! cargo run --release -p shopcast-commerce --example import_bench
//! ```

use std::fmt::Write as _;
use std::time::Instant;

use shopcast_commerce::{Catalog, ImportOptions};

const ROWS: usize = 10_000;

fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = dir.path().join("goods.csv");
    let mut text = String::from("id,name_zh,name_en,price,currency,stock,list_price,tags\n");
    for i in 0..ROWS {
        let _ = writeln!(
            text,
            "p{i:05},商品{i},Product {i},{},CNY,{},{},demo|bench",
            990 + i,
            i % 500,
            1990 + i
        );
    }
    std::fs::write(&csv, &text).expect("write csv");
    let opts = ImportOptions {
        dry_run: false,
        fetch_images: false,
    };
    println!("run  kind     rows   ms");
    for run in 0..3 {
        let data = dir.path().join(format!("data{run}"));
        std::fs::create_dir_all(&data).expect("data dir");
        let mut catalog = Catalog::open(&data).expect("catalog");
        for kind in ["fresh", "update"] {
            let t = Instant::now();
            let report = catalog.import_file(&csv, &opts).expect("import");
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            assert!(report.refused.is_empty());
            assert_eq!((report.added + report.updated) as usize, ROWS);
            println!("{run:>3}  {kind:<7} {ROWS:>5} {ms:>6.0}");
        }
        assert_eq!(catalog.list().expect("list").len(), ROWS);
    }
}
