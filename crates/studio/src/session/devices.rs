//! Cameras, microphones and speakers, and the thread that tells the
//! window when one is plugged in or out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::EventSink;
use super::view::{DeviceKind, DeviceView, SessionEvent};

pub(super) struct DeviceThread {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for DeviceThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(super) fn start_device_thread(sink: EventSink) -> Option<DeviceThread> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("devices".into())
        .spawn(move || {
            let Ok((watcher, _)) = shopcast_media::devices::DeviceWatcher::start() else {
                return;
            };
            while !flag.load(Ordering::Acquire) {
                if watcher.next_event(Duration::from_millis(250)).is_some() {
                    sink(SessionEvent::Devices(list_devices()));
                }
            }
        })
        .ok()?;
    Some(DeviceThread {
        stop,
        thread: Some(thread),
    })
}

/// Cameras, microphones and speakers now.
pub fn list_devices() -> Vec<DeviceView> {
    use shopcast_media::devices::DeviceKind as Kind;
    shopcast_media::devices::list_devices()
        .unwrap_or_default()
        .into_iter()
        .map(|d| DeviceView {
            id: d.id,
            name: d.name,
            kind: match d.kind {
                Kind::Camera => DeviceKind::Camera,
                Kind::Microphone => DeviceKind::Microphone,
                Kind::Speaker => DeviceKind::Speaker,
            },
        })
        .collect()
}
