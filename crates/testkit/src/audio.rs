//! Sound checks on real files: a clip made by ffmpeg with a known tone,
//! the decoded samples of a recording, and the strength of one frequency
//! in them.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// The rate recordings are decoded at.
pub const RATE: u32 = 48_000;

/// Writes a clip of `seconds` with a moving test picture (320x180,
/// 30 fps, H.264) and a stereo sine of `freq` Hz at `amplitude` (of
/// full scale), stored losslessly (FLAC in Matroska) so the tone's level
/// is exact.
pub fn tone_clip(path: &Path, seconds: f64, freq: f64, amplitude: f64) -> anyhow::Result<()> {
    let tone = format!("{amplitude}*sin(2*PI*{freq}*t)");
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc=size=320x180:rate=30:duration={seconds}"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!("aevalsrc={tone}|{tone}:s={RATE}:d={seconds}"))
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "flac",
        ])
        .arg(path)
        .output()
        .context("running ffmpeg (apt-get install ffmpeg)")?;
    if !out.status.success() {
        bail!(
            "ffmpeg could not write {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// The first audio track of `path`, decoded to f32 at [`RATE`], one
/// vector per channel (left, right).
pub fn decode_stereo(path: &Path) -> anyhow::Result<[Vec<f32>; 2]> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-vn",
            "-ac",
            "2",
            "-ar",
            &RATE.to_string(),
            "-f",
            "f32le",
            "-",
        ])
        .output()
        .context("running ffmpeg")?;
    if !out.status.success() {
        bail!(
            "ffmpeg could not decode the sound of {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut channels = [Vec::new(), Vec::new()];
    for (i, c) in out.stdout.chunks_exact(4).enumerate() {
        channels[i % 2].push(f32::from_le_bytes([c[0], c[1], c[2], c[3]]));
    }
    Ok(channels)
}

/// The amplitude of `freq` in `samples` (1.0 for a full-scale sine),
/// by the Goertzel algorithm: one bin of a DFT, all a check for a known
/// tone needs, with a Hann window so a strong tone does not leak into
/// its neighbours' bins.
pub fn tone_amplitude(samples: &[f32], freq: f64) -> f64 {
    let n = samples.len();
    if n == 0 {
        return 0.0;
    }
    let w = 2.0 * std::f64::consts::PI * freq / RATE as f64;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    let mut window_sum = 0.0;
    for (i, &x) in samples.iter().enumerate() {
        let hann = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos();
        window_sum += hann;
        let s0 = x as f64 * hann + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    2.0 * power.max(0.0).sqrt() / window_sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_sine_reads_at_its_amplitude_and_nowhere_else() {
        let samples: Vec<f32> = (0..RATE)
            .map(|i| {
                let t = i as f64 / RATE as f64;
                (0.5 * (2.0 * std::f64::consts::PI * 1000.0 * t).sin()
                    + 0.1 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()) as f32
            })
            .collect();
        let at = |f| tone_amplitude(&samples, f);
        assert!((at(1000.0) - 0.5).abs() < 0.01, "{}", at(1000.0));
        assert!((at(440.0) - 0.1).abs() < 0.01, "{}", at(440.0));
        assert!(at(700.0) < 0.001, "{}", at(700.0));
    }
}
