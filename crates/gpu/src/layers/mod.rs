//! One effect (or stage) per file, each owning its pipelines, buffers
//! and bind groups: `new()` creates pipelines, `resize()` the
//! size-dependent resources (called from `start()`), `prepare()` only
//! writes buffers, `encode()` only records commands.

pub(crate) mod beauty;
pub(crate) mod composite;
pub(crate) mod direct;
pub(crate) mod frame;
pub(crate) mod input;
pub(crate) mod lut;
pub(crate) mod pack;

/// Helpers for the repetitive parts of bind group layouts.
pub(crate) mod bgl {
    pub fn texture(
        binding: u32,
        vis: wgpu::ShaderStages,
        filterable: bool,
    ) -> wgpu::BindGroupLayoutEntry {
        wgpu::BindGroupLayoutEntry {
            binding,
            visibility: vis,
            ty: wgpu::BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Float { filterable },
                view_dimension: wgpu::TextureViewDimension::D2,
                multisampled: false,
            },
            count: None,
        }
    }

    pub fn texture_3d(binding: u32, vis: wgpu::ShaderStages) -> wgpu::BindGroupLayoutEntry {
        wgpu::BindGroupLayoutEntry {
            binding,
            visibility: vis,
            ty: wgpu::BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Float { filterable: true },
                view_dimension: wgpu::TextureViewDimension::D3,
                multisampled: false,
            },
            count: None,
        }
    }

    pub fn storage_texture(
        binding: u32,
        format: wgpu::TextureFormat,
    ) -> wgpu::BindGroupLayoutEntry {
        wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::StorageTexture {
                access: wgpu::StorageTextureAccess::WriteOnly,
                format,
                view_dimension: wgpu::TextureViewDimension::D2,
            },
            count: None,
        }
    }

    pub fn uniform(binding: u32, vis: wgpu::ShaderStages) -> wgpu::BindGroupLayoutEntry {
        wgpu::BindGroupLayoutEntry {
            binding,
            visibility: vis,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        }
    }

    pub fn storage_buffer(binding: u32) -> wgpu::BindGroupLayoutEntry {
        wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Storage { read_only: false },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        }
    }

    pub fn sampler(binding: u32, vis: wgpu::ShaderStages) -> wgpu::BindGroupLayoutEntry {
        wgpu::BindGroupLayoutEntry {
            binding,
            visibility: vis,
            ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
            count: None,
        }
    }
}

/// A compute pipeline with an explicit layout and values for the
/// module's pipeline-overridable constants (see `DYNAMIC` in yuv.wgsl).
pub(crate) fn compute_pipeline_with(
    device: &wgpu::Device,
    label: &str,
    module: &wgpu::ShaderModule,
    entry: &str,
    layouts: &[&wgpu::BindGroupLayout],
    constants: &[(&str, f64)],
) -> wgpu::ComputePipeline {
    let layouts: Vec<Option<&wgpu::BindGroupLayout>> = layouts.iter().map(|l| Some(*l)).collect();
    let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(label),
        bind_group_layouts: &layouts,
        immediate_size: 0,
    });
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(label),
        layout: Some(&layout),
        module,
        entry_point: Some(entry),
        compilation_options: wgpu::PipelineCompilationOptions {
            constants,
            ..Default::default()
        },
        cache: None,
    })
}

/// What a specialised pipeline is compiled for: llvmpipe runs every
/// branch of a uniform `if`/`switch` (see `DYNAMIC` in yuv.wgsl), so each
/// combination gets its own pipeline with the dead code compiled out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Variant {
    /// FMT_* code of the main source (IN_FMT).
    pub in_format: u32,
    /// OUT_* code of the packed output (OUT_FMT).
    pub out_format: u32,
    /// FLAG_* set (FX_FLAGS).
    pub flags: u32,
}

/// One compute entry point compiled per [`Variant`] on first use, and
/// kept for the processor's life (a few dozen small pipelines at most).
///
/// Compiling a variant takes 0.1-0.75 s on lavapipe, far longer than a
/// frame. Only the very first one is compiled on the caller's thread;
/// later ones compile on a thread of their own while frames keep being
/// drawn with the variant drawn last (the previous effects), and the new
/// one takes over with the first frame after it is ready. A slider move
/// never stalls the stream.
pub(crate) struct Specialised {
    label: &'static str,
    module: wgpu::ShaderModule,
    entry: &'static str,
    layouts: Vec<wgpu::BindGroupLayout>,
    /// Whether the module has OUT_FMT (it always has IN_FMT and FX_FLAGS).
    has_out: bool,
    pipelines: std::collections::HashMap<Variant, wgpu::ComputePipeline>,
    pending: std::collections::HashMap<Variant, std::sync::mpsc::Receiver<wgpu::ComputePipeline>>,
    /// The variant drawn last: the stand-in while a newer one compiles.
    last: Option<Variant>,
}

/// Everything a compile needs, cloneable onto another thread (wgpu
/// handles are reference-counted and `Send`).
struct CompileJob {
    device: wgpu::Device,
    module: wgpu::ShaderModule,
    layouts: Vec<wgpu::BindGroupLayout>,
    label: &'static str,
    entry: &'static str,
    has_out: bool,
    variant: Variant,
}

impl CompileJob {
    fn run(&self) -> wgpu::ComputePipeline {
        let v = self.variant;
        tracing::debug!(pass = self.label, variant = ?v, "compiling specialised pipeline");
        let label = format!(
            "{} (in {}, out {}, flags {:#x})",
            self.label, v.in_format, v.out_format, v.flags
        );
        let mut constants = vec![("IN_FMT", v.in_format as f64), ("FX_FLAGS", v.flags as f64)];
        if self.has_out {
            constants.push(("OUT_FMT", v.out_format as f64));
        }
        let layouts: Vec<&wgpu::BindGroupLayout> = self.layouts.iter().collect();
        compute_pipeline_with(
            &self.device,
            &label,
            &self.module,
            self.entry,
            &layouts,
            &constants,
        )
    }
}

impl Specialised {
    pub fn new(
        label: &'static str,
        module: wgpu::ShaderModule,
        entry: &'static str,
        layouts: &[&wgpu::BindGroupLayout],
        has_out: bool,
    ) -> Self {
        Self {
            label,
            module,
            entry,
            layouts: layouts.iter().map(|l| (*l).clone()).collect(),
            has_out,
            pipelines: Default::default(),
            pending: Default::default(),
            last: None,
        }
    }

    /// Starts compiling the pipeline for `v` unless it exists or is under
    /// way. Called from `start()` and on settings changes, never per
    /// frame. With nothing compiled yet for these formats there is
    /// nothing to draw with meanwhile (a stand-in must read and write the
    /// same layouts), so that one is compiled here and now.
    pub fn prepare(&mut self, device: &wgpu::Device, v: Variant) {
        if self.pipelines.contains_key(&v) || self.pending.contains_key(&v) {
            return;
        }
        let job = self.job(device, v);
        let stand_in = self
            .pipelines
            .keys()
            .any(|l| l.in_format == v.in_format && l.out_format == v.out_format);
        if !stand_in {
            self.pipelines.insert(v, job.run());
            return;
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("gpu-compile".into())
            .spawn(move || {
                #[cfg(test)]
                let _held = tests::COMPILE_GATE.lock();
                let _ = tx.send(job.run());
            });
        match spawned {
            Ok(_) => {
                self.pending.insert(v, rx);
            }
            Err(e) => {
                tracing::warn!(error = %e, "no compile thread; compiling on the frame thread");
                let job = self.job(device, v);
                self.pipelines.insert(v, job.run());
            }
        }
    }

    fn job(&self, device: &wgpu::Device, v: Variant) -> CompileJob {
        CompileJob {
            device: device.clone(),
            module: self.module.clone(),
            layouts: self.layouts.clone(),
            label: self.label,
            entry: self.entry,
            has_out: self.has_out,
            variant: v,
        }
    }

    /// Waits for every compile under way (tests and benchmarks, which
    /// want the effects they just set, not the stand-in).
    pub fn settle(&mut self) {
        for (v, rx) in std::mem::take(&mut self.pending) {
            match rx.recv() {
                Ok(p) => {
                    self.pipelines.insert(v, p);
                }
                Err(_) => {
                    tracing::warn!(pass = self.label, variant = ?v, "pipeline compile thread died");
                }
            }
        }
    }

    fn collect(&mut self, v: Variant) {
        let Some(rx) = self.pending.get(&v) else {
            return;
        };
        match rx.try_recv() {
            Ok(p) => {
                self.pipelines.insert(v, p);
                self.pending.remove(&v);
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                tracing::warn!(pass = self.label, variant = ?v, "pipeline compile thread died; will retry on the next change");
                self.pending.remove(&v);
            }
        }
    }

    /// The pipeline to draw `v` with: its own once compiled, until then
    /// the one drawn last (same formats, so the bindings match).
    pub fn get(&mut self, v: Variant) -> Option<&wgpu::ComputePipeline> {
        self.collect(v);
        let same_formats = |l: &Variant| l.in_format == v.in_format && l.out_format == v.out_format;
        let chosen = if self.pipelines.contains_key(&v) {
            v
        } else if let Some(l) = self
            .last
            .filter(|l| same_formats(l) && self.pipelines.contains_key(l))
        {
            l
        } else if let Some(l) = self.pipelines.keys().copied().find(|l| same_formats(l)) {
            // Settings changed before the first frame was drawn.
            l
        } else {
            tracing::warn!(pass = self.label, variant = ?v, "no pipeline for these formats; frame skipped");
            return None;
        };
        self.last = Some(chosen);
        self.pipelines.get(&chosen)
    }
}

/// A 2D texture with one mip level.
pub(crate) fn texture_2d(
    device: &wgpu::Device,
    label: &str,
    width: u32,
    height: u32,
    format: wgpu::TextureFormat,
    usage: wgpu::TextureUsages,
) -> wgpu::Texture {
    device.create_texture(&wgpu::TextureDescriptor {
        label: Some(label),
        size: wgpu::Extent3d {
            width: width.max(1),
            height: height.max(1),
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage,
        view_formats: &[],
    })
}

/// Workgroups of 8x8 covering `w` x `h` invocations.
pub(crate) fn groups(w: u32, h: u32) -> (u32, u32) {
    (w.div_ceil(8), h.div_ceil(8))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Held by a test to keep background compiles from finishing.
    pub(super) static COMPILE_GATE: parking_lot::Mutex<()> = parking_lot::Mutex::new(());

    const PROBE: &str = "
        override IN_FMT: u32 = 0u;
        override FX_FLAGS: u32 = 0u;
        @group(0) @binding(0) var<storage, read_write> out: array<u32>;
        @compute @workgroup_size(1) fn probe() { out[0] = IN_FMT * 100u + FX_FLAGS; }
    ";

    /// Which variant actually ran: dispatches `get(v)` and reads back.
    fn ran(ctx: &crate::device::GpuContext, s: &mut Specialised, v: Variant) -> u32 {
        let d = &ctx.device;
        let buf = d.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: 4,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let read = d.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: 4,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let layout = &s.layouts[0];
        let bg = d.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: buf.as_entire_binding(),
            }],
        });
        let mut enc = d.create_command_encoder(&Default::default());
        {
            let pipeline = s.get(v).expect("a pipeline to draw with").clone();
            let mut pass = enc.begin_compute_pass(&Default::default());
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bg, &[]);
            pass.dispatch_workgroups(1, 1, 1);
        }
        enc.copy_buffer_to_buffer(&buf, 0, &read, 0, 4);
        ctx.queue.submit([enc.finish()]);
        read.slice(..).map_async(wgpu::MapMode::Read, |_| {});
        d.poll(wgpu::PollType::Wait {
            submission_index: None,
            timeout: Some(std::time::Duration::from_secs(10)),
        })
        .expect("poll");
        let view = read.slice(..).get_mapped_range().expect("mapped");
        u32::from_le_bytes(view[..4].try_into().expect("4 bytes"))
    }

    #[test]
    fn a_new_variant_compiles_in_the_background_while_the_last_one_draws() {
        let Ok(ctx) = crate::device::GpuContext::new() else {
            panic!("no GPU adapter (CI uses Mesa lavapipe)");
        };
        let d = &ctx.device;
        let module = d.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("probe"),
            source: wgpu::ShaderSource::Wgsl(PROBE.into()),
        });
        let bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: None,
            entries: &[bgl::storage_buffer(0)],
        });
        let mut s = Specialised::new("probe", module, "probe", &[&bgl], false);
        let plain = Variant {
            in_format: 1,
            out_format: 0,
            flags: 0,
        };
        let smooth = Variant {
            in_format: 1,
            out_format: 0,
            flags: 4,
        };

        // The first variant is compiled at once: there is nothing else.
        s.prepare(d, plain);
        assert_eq!(ran(&ctx, &mut s, plain), 100);

        // A change while its compile cannot finish: frames go on, drawn
        // with the variant drawn last.
        let gate = COMPILE_GATE.lock();
        s.prepare(d, smooth);
        assert_eq!(ran(&ctx, &mut s, smooth), 100, "the stand-in drew");
        assert_eq!(ran(&ctx, &mut s, smooth), 100, "and again, nothing blocked");
        drop(gate);

        // Once compiled, the new variant takes over.
        s.settle();
        assert_eq!(ran(&ctx, &mut s, smooth), 104);
        // Back to the first: already there, no compile.
        assert_eq!(ran(&ctx, &mut s, plain), 100);

        // A source in another format has no stand-in (the bindings would
        // not match): it is compiled at once, never left undrawn, even
        // while background compiles are held up.
        let gate = COMPILE_GATE.lock();
        let other = Variant {
            in_format: 2,
            out_format: 0,
            flags: 0,
        };
        s.prepare(d, other);
        assert_eq!(ran(&ctx, &mut s, other), 200);
        drop(gate);
    }
}
