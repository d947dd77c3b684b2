//! Headless wgpu device selection.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::error::GpuError;

/// An open wgpu device and queue plus what we learnt about the adapter.
///
/// Cheap to clone; wgpu's handles are reference counted and `Send + Sync`.
#[derive(Clone)]
pub struct GpuContext {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
    /// The first validation/out-of-memory error wgpu reported, if any.
    /// wgpu's default handler panics; we record and surface it instead
    /// so a GPU fault ends the processor, not the broadcast thread.
    pub(crate) fault: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuContext")
            .field("adapter", &self.info.name)
            .field("backend", &self.info.backend)
            .finish()
    }
}

impl GpuContext {
    /// Opens the best adapter headlessly.
    ///
    /// - `WGPU_BACKEND` (e.g. `vulkan`, `gl`) limits the backends tried.
    /// - `WGPU_ADAPTER_NAME` picks the first adapter whose name contains
    ///   it (case-insensitive); if none matches this is an error rather
    ///   than a silent fallback, so a typo is noticed.
    /// - Otherwise discrete > integrated > virtual > CPU (lavapipe).
    pub fn new() -> Result<Self, GpuError> {
        pollster::block_on(Self::new_async())
    }

    async fn new_async() -> Result<Self, GpuError> {
        let adapter = pick_adapter().await?;
        let info = adapter.get_info();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("shopcast-gpu device"),
                required_features: wgpu::Features::empty(),
                // Our largest need is a 1920x1080 storage texture, well
                // inside the WebGPU defaults.
                required_limits: wgpu::Limits::default().using_resolution(adapter.limits()),
                // A handful of textures of at most 1080p: wgpu's
                // "performance" blocks (64-256 MiB) would be mostly empty,
                // and on a software GPU (lavapipe) they are this
                // process's own memory.
                memory_hints: wgpu::MemoryHints::MemoryUsage,
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::RequestDevice {
                adapter: info.name.clone(),
                reason: e.to_string(),
            })?;
        let fault: Arc<Mutex<Option<String>>> = Arc::default();
        let sink = fault.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            tracing::error!(error = %e, "wgpu error");
            sink.lock().get_or_insert_with(|| e.to_string());
        }));
        tracing::info!(adapter = %info.name, backend = ?info.backend, kind = ?info.device_type, "GPU device open");
        Ok(Self {
            device,
            queue,
            info,
            fault,
        })
    }

    /// A short human description: "llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan, Cpu)".
    pub fn describe(&self) -> String {
        format!(
            "{} ({:?}, {:?})",
            self.info.name, self.info.backend, self.info.device_type
        )
    }

    pub(crate) fn check_fault(&self) -> Result<(), GpuError> {
        match self.fault.lock().clone() {
            Some(e) => Err(GpuError::Gpu(e)),
            None => Ok(()),
        }
    }
}

/// The adapter the processor would use, without opening a device: the
/// start-up check (`shopcast doctor`) asks this, cheaply.
pub fn probe_adapter() -> Result<wgpu::AdapterInfo, GpuError> {
    pollster::block_on(pick_adapter()).map(|a| a.get_info())
}

/// The adapter per [`GpuContext::new`]'s rules.
async fn pick_adapter() -> Result<wgpu::Adapter, GpuError> {
    let desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    let backends = desc.backends;
    let instance = wgpu::Instance::new(desc);
    let adapters = instance.enumerate_adapters(backends).await;
    let names: Vec<String> = adapters
        .iter()
        .map(|a| {
            let i = a.get_info();
            format!("{} ({:?})", i.name, i.backend)
        })
        .collect();
    let wanted = std::env::var("WGPU_ADAPTER_NAME")
        .ok()
        .filter(|s| !s.is_empty());
    match &wanted {
        Some(name) => {
            let lower = name.to_lowercase();
            adapters
                .into_iter()
                .find(|a| a.get_info().name.to_lowercase().contains(&lower))
                .ok_or_else(|| {
                    GpuError::NoAdapter(format!(
                        "WGPU_ADAPTER_NAME={name:?} matches none of [{}]",
                        names.join(", ")
                    ))
                })
        }
        None => adapters
            .into_iter()
            .min_by_key(|a| rank(a.get_info().device_type))
            .ok_or_else(|| {
                GpuError::NoAdapter(format!(
                    "no adapter found for backends {backends:?} (is a Vulkan driver such as mesa-vulkan-drivers installed?)"
                ))
            }),
    }
}

fn rank(t: wgpu::DeviceType) -> u8 {
    match t {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Cpu => 3,
        wgpu::DeviceType::Other => 4,
    }
}
