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

/// A compute pipeline with an explicit layout.
pub(crate) fn compute_pipeline(
    device: &wgpu::Device,
    label: &str,
    module: &wgpu::ShaderModule,
    entry: &str,
    layouts: &[&wgpu::BindGroupLayout],
) -> wgpu::ComputePipeline {
    compute_pipeline_with(device, label, module, entry, layouts, &[])
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
pub(crate) struct Specialised {
    label: &'static str,
    module: wgpu::ShaderModule,
    entry: &'static str,
    layouts: Vec<wgpu::BindGroupLayout>,
    /// Whether the module has OUT_FMT (it always has IN_FMT and FX_FLAGS).
    has_out: bool,
    pipelines: std::collections::HashMap<Variant, wgpu::ComputePipeline>,
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
        }
    }

    /// Compiles the pipeline for `v` unless it exists. Called from
    /// `start()` and on settings changes, never per frame.
    pub fn prepare(&mut self, device: &wgpu::Device, v: Variant) {
        if self.pipelines.contains_key(&v) {
            return;
        }
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
        let pipeline = compute_pipeline_with(
            device,
            &label,
            &self.module,
            self.entry,
            &layouts,
            &constants,
        );
        self.pipelines.insert(v, pipeline);
    }

    /// The pipeline `prepare` made for `v`.
    pub fn get(&self, v: Variant) -> Option<&wgpu::ComputePipeline> {
        let p = self.pipelines.get(&v);
        debug_assert!(p.is_some(), "{} {v:?} not prepared", self.label);
        p
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
