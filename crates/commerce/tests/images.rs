//! Catalogue images: from files and from a tiny HTTP server, refused
//! when unusable (the product stays), thumbnails, and the demo
//! catalogue's pictures.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;

use shopcast_commerce::{MAX_IMAGE_BYTES, Product, THUMBNAIL_PX};

use common::*;

// ------------------------------------------------------------- images

/// What the test server answers for a path.
fn respond(path: &str, stream: &mut std::net::TcpStream) -> std::io::Result<()> {
    let big = usize::try_from(MAX_IMAGE_BYTES).unwrap() + 1024 * 1024;
    match path {
        "/page.png" => {
            let body = b"<html><body>not an image</body></html>";
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(body)
        }
        "/good.png" => {
            let body = png_bytes(512, 256);
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)
        }
        "/declared-big.png" => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {big}\r\nConnection: close\r\n\r\n"
            )?;
            stream.write_all(&vec![0u8; big])
        }
        "/streamed-big.png" => {
            // No Content-Length: the size is only known by reading.
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nConnection: close\r\n\r\n"
            )?;
            let chunk = vec![0u8; 64 * 1024];
            for _ in 0..(big / chunk.len()) {
                stream.write_all(&chunk)?;
            }
            Ok(())
        }
        _ => stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    }
}

/// A tiny HTTP server on a free port; answers `http://127.0.0.1:PORT`.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    return;
                }
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) if line == "\r\n" => break,
                        Ok(_) => {}
                    }
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("/");
                // The client hangs up on purpose for the large ones.
                let _ = respond(path, &mut stream);
            });
        }
    });
    format!("http://{addr}")
}

#[test]
fn unusable_images_are_reported_and_their_products_kept_without_them() {
    let dir = tempfile::tempdir().unwrap();
    let base = serve();
    let unreachable = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        format!("http://127.0.0.1:{port}/gone.png")
    };
    std::fs::write(dir.path().join("notes.png"), "just some text, not a PNG").unwrap();
    let big = std::fs::File::create(dir.path().join("big.png")).unwrap();
    big.set_len(MAX_IMAGE_BYTES + 1).unwrap();
    std::fs::write(dir.path().join("wide.png"), png_bytes(1000, 400)).unwrap();
    let csv = format!(
        "id,name_zh,name_en,price,currency,stock,image\n\
         text,文本,Text,1,CNY,1,notes.png\n\
         big,大,Big,1,CNY,1,big.png\n\
         html,网页,HTML,1,CNY,1,{base}/page.png\n\
         declared,声明,Declared,1,CNY,1,{base}/declared-big.png\n\
         streamed,流,Streamed,1,CNY,1,{base}/streamed-big.png\n\
         missing,缺,Missing,1,CNY,1,{base}/missing.png\n\
         gone,无,Gone,1,CNY,1,{unreachable}\n\
         nofile,无文件,No file,1,CNY,1,nowhere.png\n\
         wide,宽,Wide,1,CNY,1,wide.png\n\
         remote,远,Remote,1,CNY,1,{base}/page.png|{base}/good.png\n"
    );
    let src = write(dir.path(), "img.csv", &csv);
    let mut cat = open(dir.path());
    let r = cat.import_file(&src, &WITH_IMAGES).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    assert_eq!(r.added, 10);
    let by_row = |row: usize| -> String {
        r.image_errors
            .iter()
            .filter(|e| e.row == row)
            .map(|e| {
                assert_eq!(e.field, "image");
                e.reason.clone()
            })
            .collect::<Vec<_>>()
            .join(" / ")
    };
    assert!(by_row(2).contains("not an image"), "{}", by_row(2));
    assert!(by_row(3).contains("too large"), "{}", by_row(3));
    assert!(
        by_row(4).contains("content type text/html is not an image"),
        "{}",
        by_row(4)
    );
    assert!(by_row(5).contains("too large"), "{}", by_row(5));
    assert!(
        by_row(6).contains("too large: more than 10.0 MB"),
        "{}",
        by_row(6)
    );
    assert!(by_row(7).contains("HTTP 404"), "{}", by_row(7));
    assert!(by_row(8).contains("could not fetch"), "{}", by_row(8));
    assert!(by_row(9).contains("cannot read"), "{}", by_row(9));
    assert_eq!(by_row(10), "");
    assert!(
        by_row(11).contains("content type text/html"),
        "{}",
        by_row(11)
    );
    assert_eq!(r.image_errors.len(), 9, "{:#?}", r.image_errors);

    for id in [
        "text", "big", "html", "declared", "streamed", "missing", "gone", "nofile",
    ] {
        let p = cat.get(id).unwrap().expect("kept");
        assert!(p.images.is_empty(), "{id}: {:?}", p.images);
        assert_eq!(p.thumbnail, None, "{id}");
    }
    let wide = cat.get("wide").unwrap().unwrap();
    assert_eq!(wide.images, ["wide.png"]);
    let thumb = image::open(cat.thumbnail_path(&wide).expect("a thumbnail")).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (THUMBNAIL_PX, 102));

    let remote = cat.get("remote").unwrap().unwrap();
    assert_eq!(remote.images, [format!("{base}/good.png")]);
    let bytes = cat.thumbnail_bytes(&remote).expect("a thumbnail");
    let thumb = image::load_from_memory(&bytes).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (THUMBNAIL_PX, 128));
    assert!(remote.thumbnail.unwrap().ends_with(".jpg"));
}

#[test]
fn without_images_a_product_keeps_its_thumbnail_while_its_images_stay() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.png"), png_bytes(20, 20)).unwrap();
    let src = write(
        dir.path(),
        "a.csv",
        "id,name_zh,name_en,price,currency,stock,image\na,甲,A,1,CNY,1,p.png\n",
    );
    let mut cat = open(dir.path());
    cat.import_file(&src, &WITH_IMAGES).unwrap();
    let thumb = cat.get("a").unwrap().unwrap().thumbnail;
    assert!(thumb.is_some());
    let src = write(
        dir.path(),
        "b.csv",
        "id,name_zh,name_en,price,currency,stock,image\na,甲,A,2,CNY,1,p.png\n",
    );
    cat.import_file(&src, &NO_IMAGES).unwrap();
    assert_eq!(cat.get("a").unwrap().unwrap().thumbnail, thumb);
    let src = write(
        dir.path(),
        "c.csv",
        "id,name_zh,name_en,price,currency,stock,image\na,甲,A,2,CNY,1,other.png\n",
    );
    cat.import_file(&src, &NO_IMAGES).unwrap();
    let a = cat.get("a").unwrap().unwrap();
    assert_eq!(
        (a.thumbnail, a.images),
        (None, vec!["other.png".to_string()])
    );
}

// --------------------------------------------------------------- SKUs

#[test]
fn the_demo_catalogue_imports_with_thumbnails() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let r = cat.import_demo().unwrap();
    assert_eq!((r.added, r.updated), (6, 0));
    assert!(r.refused.is_empty() && r.image_errors.is_empty(), "{r:?}");
    let all = cat.list().unwrap();
    for p in &all {
        assert!(!p.name_zh.is_empty() && !p.name_en.is_empty());
        assert_eq!(p.currency, "CNY");
        let bytes = cat.thumbnail_bytes(p).expect("a thumbnail");
        let t = image::load_from_memory(&bytes).unwrap();
        assert!(t.width() <= THUMBNAIL_PX && t.height() <= THUMBNAIL_PX);
    }
    assert!(all.iter().any(|p| p.skus.len() >= 2));
    assert!(all.iter().any(|p| p.list_price.is_some()));
    // Again: the same six, updated.
    let r = cat.import_demo().unwrap();
    assert_eq!((r.added, r.updated), (0, 6));
    // The file on disk imports the same way, finding its images beside it.
    let mut other = open(&dir.path().join("other"));
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo_catalog.json");
    let r = other.import_file(&file, &WITH_IMAGES).unwrap();
    assert_eq!((r.added, r.image_errors.len()), (6, 0), "{r:?}");
    assert_eq!(other.list().unwrap(), all);
}

// ---------------------------------------------------------------- size

#[test]
fn saving_with_images_makes_a_thumbnail_and_drops_what_cannot_be_used() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.png");
    std::fs::write(&good, png_bytes(600, 300)).unwrap();
    let bad = dir.path().join("bad.png");
    std::fs::write(&bad, "<html>").unwrap();
    let mut cat = open(dir.path());
    let mut p: Product = serde_json::from_str(
        r#"{"id":"x","name_zh":"甲","name_en":"X","price":5,"currency":"CNY","stock":2,
            "thumbnail":"0123456789abcdef.jpg"}"#,
    )
    .unwrap();
    p.images = vec![bad.display().to_string(), good.display().to_string()];
    let (saved, errors) = cat.save_with_images(p).unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("bad.png") && errors[0].contains("not an image"),
        "{errors:?}"
    );
    assert_eq!(saved.images, [good.display().to_string()]);
    assert_ne!(saved.thumbnail.as_deref(), Some("0123456789abcdef.jpg"));
    assert_eq!(cat.get("x").unwrap().unwrap(), saved);
    let t = image::open(cat.thumbnail_path(&saved).unwrap()).unwrap();
    assert_eq!((t.width(), t.height()), (THUMBNAIL_PX, 128));

    // Saved again with the same images: kept as it was, nothing reloaded
    // (the file is gone, and the thumbnail stays).
    std::fs::remove_file(&good).unwrap();
    let mut again = saved.clone();
    again.price = 7;
    let (saved2, errors) = cat.save_with_images(again).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!((saved2.price, &saved2.thumbnail), (7, &saved.thumbnail));
}
