//! `shopcast broadcast` and `shopcast devices`.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use shopcast_media::{
    Broadcast, BroadcastConfig, BroadcastEvent, Canvas, DefaultProcessor, EncoderChoice,
    OutputState, PushOutput, VideoSourceSpec, audio::parse_audio_inputs, config::parse_size,
};

#[derive(Debug, clap::Args)]
pub struct BroadcastArgs {
    /// A video source: test, file:PATH (looped), file-once:PATH (played
    /// once, then its window leaves; not for the main source),
    /// image:PATH, camera:ID or screen:ID. The first is the main source;
    /// up to two more are shown picture-in-picture.
    #[arg(long = "video", value_name = "SOURCE", default_value = "test")]
    pub video: Vec<VideoSourceSpec>,
    /// An audio source to mix: test, silence, mic:ID, file (the main
    /// video file's own sound track), file:PATH (another file's) or
    /// desktop (what this computer plays), each with an optional gain in
    /// dB, e.g. mic:ID@-6. Repeat to mix several; none for a stream
    /// without sound.
    #[arg(long = "audio", value_name = "SOURCE[@DB]", default_value = "test")]
    pub audio: Vec<String>,
    /// Canvas size, e.g. 1280x720, or 720x1280 for phones.
    #[arg(long, value_name = "WxH", default_value = "1280x720", value_parser = parse_size_arg)]
    pub size: (u32, u32),
    /// Frames per second (1-60).
    #[arg(long, default_value_t = 30)]
    pub fps: u32,
    /// Video bitrate in kbps (100-50000).
    #[arg(long, value_name = "KBPS", default_value_t = 2500)]
    pub bitrate: u32,
    /// Audio bitrate in kbps (32-320).
    #[arg(long, value_name = "KBPS", default_value_t = 128)]
    pub audio_bitrate: u32,
    /// An RTMP(S) or SRT push URL. Repeat for several destinations.
    #[arg(long = "push", value_name = "URL")]
    pub push: Vec<String>,
    /// Lower the video bitrate while a push destination's link is
    /// congested, and climb back when it clears. On by default for
    /// every --push URL (a saved --dest keeps its own setting).
    #[arg(long, overrides_with = "no_dynamic_bitrate")]
    pub dynamic_bitrate: bool,
    /// Keep the video bitrate fixed on the --push URLs, however
    /// congested their links get.
    #[arg(long)]
    pub no_dynamic_bitrate: bool,
    /// Seconds before the first retry when a --push URL's server goes
    /// away (each later wait is 1.5 times longer, OBS's default).
    #[arg(long, value_name = "SECONDS")]
    pub retry_delay: Option<f64>,
    /// Retries before a --push URL counts as failed.
    #[arg(long, value_name = "N")]
    pub max_retries: Option<u32>,
    /// A saved destination (see `shopcast dest`). Repeatable.
    #[arg(long = "dest", value_name = "NAME")]
    pub dest: Vec<String>,
    /// Write a crash-safe recording (.mkv, or .mp4 for fragmented MP4).
    #[arg(long, value_name = "PATH")]
    pub record: Option<PathBuf>,
    /// Stop after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,
    /// Write stats as JSON lines to this file ("-" for standard output).
    #[arg(long, value_name = "PATH")]
    pub stats_json: Option<PathBuf>,
    /// H.264 encoder: auto (hardware if it works, else x264), x264,
    /// hardware, or a GStreamer element name.
    #[arg(long, default_value = "auto")]
    pub encoder: EncoderChoice,
    /// Play the mixed inputs back to your speakers (ear-return).
    #[arg(long)]
    pub monitor: bool,
    /// The speaker the ear-return plays on: a device id from `shopcast
    /// devices` (default: the system's output).
    #[arg(long, value_name = "ID", requires = "monitor")]
    pub speaker: Option<String>,
    /// Beauty levels 0-9: smoothing, whitening, ruddy and optionally
    /// sharpen, e.g. 6,4,2 or 6,4,2,3. Runs on the GPU (wgpu).
    #[arg(long, value_name = "S,W,R[,SHARPEN]")]
    pub beauty: Option<shopcast_gpu::Beauty>,
    /// A colour filter by name (see assets/luts) or a .cube/.png path,
    /// with an optional strength 0-100, e.g. warm:60.
    #[arg(long, value_name = "NAME|PATH[:STRENGTH]")]
    pub lut: Option<shopcast_gpu::LutArg>,
    /// An RGBA image over the program, e.g. logo.png@20,20,0.5,0.8.
    /// Repeatable.
    #[arg(long = "overlay", value_name = "PATH@X,Y[,SCALE][,OPACITY]")]
    pub overlay: Vec<shopcast_gpu::OverlayArg>,
    /// How extra video sources are placed: pip or side-by-side.
    #[arg(long, default_value = "pip")]
    pub layout: shopcast_gpu::Layout,
}

impl BroadcastArgs {
    /// The GPU effect settings, or `None` when nothing asks for the GPU:
    /// then frames take the zero-copy identity path.
    pub fn effects(&self) -> Option<shopcast_gpu::EffectSettings> {
        let settings = shopcast_gpu::EffectSettings {
            beauty: self.beauty.unwrap_or_default(),
            lut: self.lut.clone(),
            overlays: self.overlay.clone(),
            layout: self.layout,
        };
        let wanted = !settings.beauty.is_off()
            || settings.lut.is_some()
            || !settings.overlays.is_empty()
            || settings.layout != shopcast_gpu::Layout::default();
        wanted.then_some(settings)
    }
}

fn parse_size_arg(s: &str) -> Result<(u32, u32), String> {
    parse_size(s).map_err(|e| e.to_string())
}

impl BroadcastArgs {
    /// Validates the arguments into a broadcast config.
    pub fn to_config(&self) -> anyhow::Result<BroadcastConfig> {
        let canvas = Canvas::new(self.size.0, self.size.1, self.fps)?;
        let mut config = BroadcastConfig::new(canvas);
        config.video = self.video.clone();
        config.audio = parse_audio_inputs(&self.audio)?;
        if self.monitor {
            // Every input is heard, except what this computer already
            // plays: monitoring desktop audio would echo it.
            for input in &mut config.audio {
                input.monitor = input.source != shopcast_media::AudioSourceSpec::Desktop;
            }
        }
        config.video_kbps = self.bitrate;
        config.audio_kbps = self.audio_bitrate;
        config.record = self.record.clone();
        config.encoder = self.encoder.clone();
        config.monitor = self.monitor;
        config.speaker = self.speaker.clone();
        for (i, url) in self.push.iter().enumerate() {
            let target = shopcast_push::PushTarget::parse(url)
                .with_context(|| format!("push URL {}", shopcast_push::redact_url(url)))?;
            let mut output = PushOutput::new(format!("push{}", i + 1), target);
            if let Some(d) = self.retry_delay {
                if !(d.is_finite() && d > 0.0 && d <= 3600.0) {
                    bail!(
                        "retry delay {d} is out of range: accepted is more than 0 and at most 3600 seconds"
                    );
                }
                output.reconnect.first_delay = Duration::from_secs_f64(d);
                output.reconnect.max_delay =
                    output.reconnect.max_delay.max(output.reconnect.first_delay);
            }
            if let Some(n) = self.max_retries {
                output.reconnect.max_retries = n;
            }
            output.reconnect.validate()?;
            // The later of the two flags wins (clap's overrides_with).
            if self.dynamic_bitrate || !self.no_dynamic_bitrate {
                output.dynamic_bitrate = Some(shopcast_push::DynamicBitrateConfig::default());
            }
            config.push.push(output);
        }
        for name in &self.dest {
            config.push.push(crate::cmd_push::resolve_dest(name)?);
        }
        if let Some(d) = self.duration {
            if !(d.is_finite() && d > 0.0 && d <= 7.0 * 24.0 * 3600.0) {
                bail!(
                    "duration {d} is out of range: accepted is more than 0 and at most a week, in seconds"
                );
            }
            config.duration = Some(Duration::from_secs_f64(d));
        }
        config.validate()?;
        Ok(config)
    }
}

/// Runs a broadcast until its duration ends or Ctrl-C. Returns an error
/// naming every output that failed, after the rest finished cleanly.
pub fn broadcast(args: BroadcastArgs) -> anyhow::Result<()> {
    let config = args.to_config()?;
    if config.push.is_empty() {
        eprintln!("rehearsal: no --push given, recording only");
    }
    let mut stats_out: Option<Box<dyn Write + Send>> = match &args.stats_json {
        None => None,
        Some(p) if p.as_os_str() == "-" => Some(Box::new(std::io::stdout())),
        Some(p) => Some(Box::new(std::io::BufWriter::new(
            std::fs::File::create(p)
                .with_context(|| format!("cannot write stats to {}", p.display()))?,
        ))),
    };
    let processor: Box<dyn shopcast_media::FrameProcessor> = match args.effects() {
        // Falls back to the identity processor, with a warning, when no
        // GPU adapter can be created.
        Some(settings) => shopcast_gpu::build_processor(&settings)?.0,
        None => Box::new(DefaultProcessor::new()),
    };
    let names: Vec<String> = config.push.iter().map(|p| p.name.clone()).collect();
    let mut bc = Broadcast::start(config, processor)?;
    let events = bc
        .take_events()
        .context("broadcast events were already taken")?;
    let stop = bc.stop_handle();
    ctrlc::set_handler(move || stop.stop()).context("cannot install the Ctrl-C handler")?;
    if !names.is_empty() {
        spawn_console(bc.output_control(), names);
    }

    let printer = std::thread::spawn(move || {
        for ev in events {
            match &ev {
                BroadcastEvent::Started {
                    encoder,
                    processor,
                    sources,
                    outputs,
                } => eprintln!(
                    "live: encoder {encoder}, processor {processor}, sources [{}], outputs [{}]",
                    sources.join(", "),
                    outputs.join(", ")
                ),
                BroadcastEvent::Output {
                    output: name,
                    state,
                } => match state {
                    OutputState::Failed { reason } => eprintln!("error: output {name}: {reason}"),
                    OutputState::Reconnecting {
                        attempt,
                        of,
                        next_try_in,
                    } => eprintln!(
                        "output {name}: reconnecting {attempt}/{of}, next try in {:.1} s \
                         (type \"reconnect\" and Enter to try now)",
                        next_try_in.as_secs_f64()
                    ),
                    s => eprintln!("output {name}: {}", state_word(s)),
                },
                BroadcastEvent::ExtraSourceStopped { source, reason } => {
                    eprintln!("warning: picture-in-picture source stopped: {source}: {reason}")
                }
                BroadcastEvent::SoundStopped { source, reason } => {
                    eprintln!("warning: sound source stopped: {source}: {reason}")
                }
                BroadcastEvent::EarReturnStopped { reason } => {
                    eprintln!("warning: monitoring is off: {reason}")
                }
                BroadcastEvent::Error(cause) => eprintln!("error: {cause}"),
                BroadcastEvent::Stats(_) | BroadcastEvent::AudioLevel { .. } => {}
                BroadcastEvent::Stopped => break,
            }
            if let Some(out) = stats_out.as_mut()
                && matches!(ev, BroadcastEvent::Stats(_))
                && let Ok(line) = serde_json::to_string(&ev)
            {
                let _ = writeln!(out, "{line}");
                let _ = out.flush();
            }
        }
    });
    let summary = bc.wait();
    let _ = printer.join();
    eprintln!("stopped after {} frames", summary.frames_out);
    let failures = summary.failures();
    if failures.is_empty() {
        Ok(())
    } else {
        bail!("{}", failures.join("\n"))
    }
}

/// Reads commands from standard input while the broadcast runs:
/// `reconnect` retries every destination that is waiting to reconnect,
/// `reconnect NAME` one of them. Anything else is answered with what is
/// understood. The thread ends with standard input.
fn spawn_console(control: shopcast_media::OutputControl, names: Vec<String>) {
    let _ = std::thread::Builder::new()
        .name("console".into())
        .spawn(move || {
            for line in std::io::stdin().lines() {
                let Ok(line) = line else { break };
                let mut words = line.split_whitespace();
                match (words.next(), words.next()) {
                    (None, _) => {}
                    (Some("reconnect" | "r"), None) => {
                        for name in &names {
                            control.reconnect_now(name);
                        }
                        eprintln!("reconnecting now: {}", names.join(", "));
                    }
                    (Some("reconnect" | "r"), Some(name)) => {
                        if control.reconnect_now(name) {
                            eprintln!("reconnecting now: {name}");
                        } else {
                            eprintln!(
                                "no output named {name:?}; the outputs are {}",
                                names.join(", ")
                            );
                        }
                    }
                    (Some(other), _) => {
                        eprintln!("unknown command {other:?}: type reconnect [NAME]")
                    }
                }
            }
        });
}

fn state_word(s: &OutputState) -> &'static str {
    match s {
        OutputState::Connecting => "connecting",
        OutputState::Live => "live",
        OutputState::Reconnecting { .. } => "reconnecting",
        OutputState::Failed { .. } => "failed",
        OutputState::Stopped => "stopped",
    }
}

#[derive(Debug, clap::Args)]
pub struct DevicesArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Keep running and report devices being plugged in and removed,
    /// for this many seconds (0 = until Ctrl-C).
    #[arg(long, value_name = "SECONDS")]
    pub watch: Option<u64>,
}

pub fn devices(args: DevicesArgs) -> anyhow::Result<()> {
    let (watcher, present) = shopcast_media::devices::DeviceWatcher::start()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&present)?);
    } else if present.is_empty() {
        println!("No cameras, microphones or speakers found.");
    } else {
        for d in &present {
            println!("{:<10} {:<40} {}", d.kind.label(), d.id, d.name);
            for c in &d.caps {
                let mut parts = vec![c.media_type.clone()];
                parts.extend(c.format.clone());
                if let (Some(w), Some(h)) = (&c.width, &c.height) {
                    parts.push(format!("{w}x{h}"));
                }
                parts.extend(c.framerate.clone().map(|f| format!("@{f}")));
                parts.extend(c.rate.clone().map(|r| format!("{r} Hz")));
                parts.extend(c.channels.clone().map(|ch| format!("{ch} ch")));
                println!("{:<10} {:<40}   {}", "", "", parts.join(" "));
            }
        }
    }
    let Some(secs) = args.watch else {
        return Ok(());
    };
    let deadline = (secs > 0).then(|| std::time::Instant::now() + Duration::from_secs(secs));
    let running = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let r = running.clone();
    ctrlc::set_handler(move || r.store(false, std::sync::atomic::Ordering::SeqCst))?;
    while running.load(std::sync::atomic::Ordering::SeqCst)
        && deadline.is_none_or(|d| std::time::Instant::now() < d)
    {
        if let Some(ev) = watcher.next_event(Duration::from_millis(250)) {
            if args.json {
                println!("{}", serde_json::to_string(&ev)?);
            } else {
                match ev {
                    shopcast_media::devices::DeviceEvent::Added { device } => {
                        println!(
                            "added    {} {} ({})",
                            device.kind.label(),
                            device.id,
                            device.name
                        )
                    }
                    shopcast_media::devices::DeviceEvent::Removed { device } => {
                        println!(
                            "removed  {} {} ({})",
                            device.kind.label(),
                            device.id,
                            device.name
                        )
                    }
                    shopcast_media::devices::DeviceEvent::Changed { device } => {
                        println!(
                            "changed  {} {} ({})",
                            device.kind.label(),
                            device.id,
                            device.name
                        )
                    }
                }
            }
        }
    }
    Ok(())
}
