//! Device discovery with GStreamer's device monitor: cameras,
//! microphones and speakers, with stable ids and the caps they offer,
//! and a watcher that reports hot-plug events.

use std::time::Duration;

use gst::prelude::*;

use crate::error::MediaError;

/// What a device is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Camera,
    Microphone,
    Speaker,
}

impl DeviceKind {
    fn from_class(class: &str) -> Option<Self> {
        // Classes look like "Video/Source", "Audio/Source", "Audio/Sink",
        // sometimes with extra parts ("Source/Video", "Audio/Source/Monitor").
        let has = |w: &str| class.split('/').any(|p| p.eq_ignore_ascii_case(w));
        if has("Video") && has("Source") {
            Some(Self::Camera)
        } else if has("Audio") && has("Source") && !has("Monitor") {
            Some(Self::Microphone)
        } else if has("Audio") && has("Sink") {
            Some(Self::Speaker)
        } else {
            None
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Camera => "camera",
            Self::Microphone => "microphone",
            Self::Speaker => "speaker",
        }
    }
}

/// One format a device offers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeviceCaps {
    /// `video/x-raw`, `image/jpeg`, `audio/x-raw`, …
    pub media_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framerate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channels: Option<String>,
}

/// A device as the CLI and the UI show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeviceInfo {
    /// Stable across runs and plug cycles: built from the device's path
    /// or node name where the provider gives one, not from its position.
    pub id: String,
    pub name: String,
    pub kind: DeviceKind,
    pub caps: Vec<DeviceCaps>,
}

/// Properties that identify a device's node rather than its position in
/// a list, in order of preference.
const ID_PROPERTIES: &[&str] = &[
    "api.v4l2.path",
    "device.path",
    "node.name",
    "object.path",
    "device.name",
    "device.bus_path",
    "udev.id",
    "device.strid",
];

fn stable_id(device: &gst::Device) -> String {
    let provider = device
        .properties()
        .and_then(|p| {
            p.get::<String>("device.api")
                .ok()
                .or_else(|| p.get::<String>("device.provider").ok())
        })
        .unwrap_or_else(|| "dev".to_string());
    if let Some(props) = device.properties() {
        for key in ID_PROPERTIES {
            if let Ok(v) = props.get::<String>(*key)
                && !v.is_empty()
            {
                return format!("{provider}:{v}");
            }
        }
    }
    format!("{provider}:{}", device.display_name())
}

fn field_string(s: &gst::StructureRef, name: &str) -> Option<String> {
    let v = s.value(name).ok()?;
    if let Ok(x) = v.get::<String>() {
        return Some(x);
    }
    if let Ok(x) = v.get::<i32>() {
        return Some(x.to_string());
    }
    if let Ok(f) = v.get::<gst::Fraction>() {
        return Some(format!("{}/{}", f.numer(), f.denom()));
    }
    // Lists and ranges: GStreamer's own serialisation is readable enough
    // ("[ 1, 30 ]", "{ (fraction)30/1, (fraction)15/1 }").
    v.serialize().ok().map(|s| s.to_string())
}

fn caps_entries(caps: Option<gst::Caps>) -> Vec<DeviceCaps> {
    let Some(caps) = caps else { return Vec::new() };
    caps.iter()
        .map(|s| DeviceCaps {
            media_type: s.name().to_string(),
            format: field_string(s, "format"),
            width: field_string(s, "width"),
            height: field_string(s, "height"),
            framerate: field_string(s, "framerate"),
            rate: field_string(s, "rate"),
            channels: field_string(s, "channels"),
        })
        .collect()
}

/// PulseAudio lists what each output plays ("Monitor of …") as one
/// more "Audio/Source", marked only in its properties. It is desktop
/// audio, not a microphone: picked as the default microphone it would
/// feed the program its own sound.
fn is_output_monitor(device: &gst::Device) -> bool {
    device
        .properties()
        .and_then(|p| p.get::<String>("device.class").ok())
        .is_some_and(|c| c == "monitor")
}

fn describe(device: &gst::Device) -> Option<DeviceInfo> {
    let kind = DeviceKind::from_class(&device.device_class())?;
    if kind == DeviceKind::Microphone && is_output_monitor(device) {
        return None;
    }
    Some(DeviceInfo {
        id: stable_id(device),
        name: device.display_name().to_string(),
        kind,
        caps: caps_entries(device.caps()),
    })
}

fn monitor() -> Result<gst::DeviceMonitor, MediaError> {
    crate::init()?;
    let monitor = gst::DeviceMonitor::new();
    for class in ["Video/Source", "Audio/Source", "Audio/Sink"] {
        monitor.add_filter(Some(class), None);
    }
    Ok(monitor)
}

fn collect(monitor: &gst::DeviceMonitor) -> Vec<(DeviceInfo, gst::Device)> {
    let mut out: Vec<(DeviceInfo, gst::Device)> = monitor
        .devices()
        .into_iter()
        .filter_map(|d| describe(&d).map(|i| (i, d)))
        .collect();
    out.sort_by(|a, b| (a.0.kind as u8, &a.0.name).cmp(&(b.0.kind as u8, &b.0.name)));
    // Two providers can expose one device (v4l2 and PipeWire); the id
    // keeps the provider, so both stay listed, but exact repeats go.
    out.dedup_by(|a, b| a.0.id == b.0.id);
    out
}

/// Lists the cameras, microphones and speakers present now.
pub fn list_devices() -> Result<Vec<DeviceInfo>, MediaError> {
    let monitor = monitor()?;
    monitor
        .start()
        .map_err(|e| MediaError::Glib(format!("device monitor did not start: {e}")))?;
    let devices = collect(&monitor).into_iter().map(|(i, _)| i).collect();
    monitor.stop();
    Ok(devices)
}

/// Finds a device by id and makes its source or sink element.
pub fn create_device_element(kind: DeviceKind, id: &str) -> Result<gst::Element, MediaError> {
    open_device(kind, id, |found| found.iter().position(|(i, _)| i.id == id))
}

/// Opens the system's default device of `kind` (the one the sound
/// server marks as default, else the first one found). Unlike
/// `autoaudiosink`, which plays into nothing when nothing works, no
/// device is a clear error.
pub fn create_default_device_element(kind: DeviceKind) -> Result<gst::Element, MediaError> {
    open_device(kind, "default", |found| {
        let marked = found.iter().position(|(_, d)| {
            d.properties()
                .and_then(|p| p.get::<bool>("is-default").ok())
                .unwrap_or(false)
        });
        marked.or((!found.is_empty()).then_some(0))
    })
}

fn open_device(
    kind: DeviceKind,
    id: &str,
    pick: impl FnOnce(&[(DeviceInfo, gst::Device)]) -> Option<usize>,
) -> Result<gst::Element, MediaError> {
    let monitor = monitor()?;
    monitor
        .start()
        .map_err(|e| MediaError::Glib(format!("device monitor did not start: {e}")))?;
    let mut found = collect(&monitor);
    monitor.stop();
    found.retain(|(i, _)| i.kind == kind);
    let Some(at) = pick(&found) else {
        let available: Vec<String> = found.iter().map(|(i, _)| i.id.clone()).collect();
        return Err(MediaError::MissingDevice {
            class: kind.label(),
            id: id.to_string(),
            available: if available.is_empty() {
                "none".to_string()
            } else {
                available.join(", ")
            },
        });
    };
    found
        .swap_remove(at)
        .1
        .create_element(None)
        .map_err(|e| MediaError::Glib(format!("could not open {} '{id}': {e}", kind.label())))
}

/// A hot-plug event.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DeviceEvent {
    Added { device: DeviceInfo },
    Removed { device: DeviceInfo },
    Changed { device: DeviceInfo },
}

/// Watches for devices being plugged in and removed.
pub struct DeviceWatcher {
    monitor: gst::DeviceMonitor,
    bus: gst::Bus,
}

impl DeviceWatcher {
    /// Starts watching; returns the watcher and the devices present now.
    pub fn start() -> Result<(Self, Vec<DeviceInfo>), MediaError> {
        let monitor = monitor()?;
        let bus = monitor.bus();
        monitor
            .start()
            .map_err(|e| MediaError::Glib(format!("device monitor did not start: {e}")))?;
        let present = collect(&monitor).into_iter().map(|(i, _)| i).collect();
        // The monitor posts an Added message for every device present at
        // start; those are already in `present`.
        while bus.pop().is_some() {}
        Ok((Self { monitor, bus }, present))
    }

    /// Waits up to `timeout` for the next event.
    pub fn next_event(&self, timeout: Duration) -> Option<DeviceEvent> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let msg = self
                .bus
                .timed_pop(gst::ClockTime::from_nseconds(left.as_nanos() as u64))?;
            let event = match msg.view() {
                gst::MessageView::DeviceAdded(m) => {
                    describe(&m.device()).map(|device| DeviceEvent::Added { device })
                }
                gst::MessageView::DeviceRemoved(m) => {
                    describe(&m.device()).map(|device| DeviceEvent::Removed { device })
                }
                gst::MessageView::DeviceChanged(m) => {
                    describe(&m.device_changed().0).map(|device| DeviceEvent::Changed { device })
                }
                _ => None,
            };
            if event.is_some() {
                return event;
            }
            if left.is_zero() {
                return None;
            }
        }
    }
}

impl Drop for DeviceWatcher {
    fn drop(&mut self) {
        self.monitor.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_to_kinds() {
        assert_eq!(
            DeviceKind::from_class("Video/Source"),
            Some(DeviceKind::Camera)
        );
        assert_eq!(
            DeviceKind::from_class("Audio/Source"),
            Some(DeviceKind::Microphone)
        );
        assert_eq!(
            DeviceKind::from_class("Audio/Sink"),
            Some(DeviceKind::Speaker)
        );
        assert_eq!(DeviceKind::from_class("Audio/Source/Monitor"), None);
        assert_eq!(DeviceKind::from_class("Video/Sink"), None);
    }

    #[test]
    fn listing_works_with_or_without_devices() {
        // CI has no devices; a developer machine may. Either way listing
        // must succeed and every entry must carry an id and a kind.
        let devices = list_devices().expect("device monitor runs");
        for d in devices {
            assert!(!d.id.is_empty());
            assert!(!d.name.is_empty());
        }
    }

    #[test]
    fn a_missing_device_is_a_clear_error() {
        let err = create_device_element(DeviceKind::Camera, "v4l2:/dev/nonexistent-camera")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no camera with id 'v4l2:/dev/nonexistent-camera'"),
            "{err}"
        );
        assert!(err.contains("available"), "{err}");
    }
}
