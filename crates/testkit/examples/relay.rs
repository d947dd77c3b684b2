//! Runs a throttled relay by hand: `relay UPSTREAM_PORT BYTES_PER_SEC`.
fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let up: u16 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(1935);
    let rate: u64 = args
        .get(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let r = shopcast_testkit::ThrottledRelay::start(up, rate)?;
    println!("{}", r.port());
    std::thread::sleep(std::time::Duration::from_secs(3600));
    Ok(())
}
