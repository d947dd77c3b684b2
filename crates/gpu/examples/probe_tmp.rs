// TEMPORARY probe, to be deleted.
use gst_video::VideoFormat;
use shopcast_gpu::{Beauty, EffectSettings, GpuProcessor, LutArg};
use shopcast_media::{FrameProcessor, ProcessorConfig};
fn main() -> anyhow::Result<()> {
    gst::init()?;
    let w: u32 = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(1280);
    let h = w * 9 / 16;
    let info = gst_video::VideoInfo::builder(VideoFormat::Nv12, w, h).fps(gst::Fraction::new(30, 1)).build()?;
    let cfg = ProcessorConfig { input: info.clone(), output_format: VideoFormat::I420, extras: vec![] };
    let mut buf = gst::Buffer::with_size(info.size())?;
    { let b = buf.get_mut().unwrap(); let mut m = b.map_writable()?; for (k, v) in m.iter_mut().enumerate() { *v = (150 + (k * 7919 % 16)) as u8; } }
    let cases: Vec<(&str, Beauty, Option<LutArg>)> = vec![
        ("convert", Beauty::default(), None),
        ("smooth9", "9,0,0".parse()?, None),
        ("whiten5", "0,5,0".parse()?, None),
        ("ruddy3", "0,0,3".parse()?, None),
        ("lut", Beauty::default(), Some("film".parse()?)),
        ("9,5,3", "9,5,3".parse()?, None),
        ("chain", "9,5,3".parse()?, Some("film".parse()?)),
    ];
    for (name, beauty, lut) in cases {
        let (mut p, _c) = GpuProcessor::new(EffectSettings { beauty, lut, ..Default::default() })?;
        p.start(&cfg)?;
        for _ in 0..2 { p.process_timed(buf.clone(), &[])?; }
        let mut v = vec![];
        for _ in 0..5 { let (_, t) = p.process_timed(buf.clone(), &[])?; v.push(t.compute.as_secs_f64() * 1000.0); }
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!("{w}x{h} {name}: compute min {:.2} med {:.2} ms", v[0], v[2]);
    }
    Ok(())
}
