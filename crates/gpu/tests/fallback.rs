//! Without a usable adapter the processor fails clearly and
//! `build_processor` falls back to identity. Its own test binary,
//! because it sets process-wide environment variables.

use shopcast_gpu::{EffectSettings, GpuError, GpuProcessor, build_processor};

#[test]
fn no_adapter_gives_a_clear_error_and_an_identity_fallback() {
    // SAFETY: this binary has a single test, so no other thread reads
    // the environment concurrently.
    unsafe { std::env::set_var("WGPU_ADAPTER_NAME", "nonexistent-gpu") };
    let err = GpuProcessor::new(EffectSettings::default()).unwrap_err();
    assert!(err.is_no_gpu(), "{err}");
    assert!(matches!(err, GpuError::NoAdapter(_)));
    let msg = err.to_string();
    assert!(msg.contains("nonexistent-gpu"), "{msg}");

    let (p, control) = build_processor(&EffectSettings::default()).unwrap();
    assert_eq!(p.name(), "identity");
    control.set_beauty("3,3,3".parse().unwrap());

    // Bad settings are still errors, GPU or not.
    let bad = EffectSettings {
        lut: Some("no-such-lut".parse().unwrap()),
        ..Default::default()
    };
    assert!(matches!(
        build_processor(&bad),
        Err(GpuError::UnknownLut { .. })
    ));
}
