use super::*;

const DEBIAN: &str =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";
const MINT: &str = "NAME=\"Linux Mint\"\nID=linuxmint\nID_LIKE=\"ubuntu debian\"\n";
const FEDORA: &str = "NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=41\n";
const ROCKY: &str = "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n";
const ENDEAVOUR: &str = "ID=endeavouros\nID_LIKE=arch\n";
const VOID: &str = "ID=\"void\"\n";

fn probe<'a>(os: Os, os_release: Option<&'a str>, has: &'a dyn Fn(&str) -> bool) -> Probe<'a> {
    Probe {
        os,
        os_release,
        gstreamer: Ok((1, 22, 0)),
        has_element: has,
        gpu: Ok("llvmpipe (Vulkan, Cpu)".into()),
        webkit: (os == Os::Linux).then_some(Ok((2, 48, 3))),
        assets: Ok("/usr/lib/Shopcast Studio/assets".into()),
    }
}

fn check(r: &DoctorReport, req: Requirement) -> &Check {
    r.checks
        .iter()
        .find(|c| c.requirement == req)
        .expect("check present")
}

#[test]
fn package_manager_comes_from_os_release() {
    assert_eq!(PackageManager::from_os_release(DEBIAN), PackageManager::Apt);
    assert_eq!(PackageManager::from_os_release(MINT), PackageManager::Apt);
    assert_eq!(PackageManager::from_os_release(FEDORA), PackageManager::Dnf);
    assert_eq!(PackageManager::from_os_release(ROCKY), PackageManager::Dnf);
    assert_eq!(
        PackageManager::from_os_release(ENDEAVOUR),
        PackageManager::Pacman
    );
    assert_eq!(
        PackageManager::from_os_release(VOID),
        PackageManager::Unknown
    );
    assert_eq!(PackageManager::from_os_release(""), PackageManager::Unknown);
    // VERSION_ID must not be read as ID.
    assert_eq!(
        PackageManager::from_os_release("VERSION_ID=debian\nID=void\n"),
        PackageManager::Unknown
    );
}

#[test]
fn everything_present_is_ok() {
    let all = |_: &str| true;
    let r = evaluate(&probe(Os::Linux, Some(DEBIAN), &all));
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.problems().count(), 0);
    assert_eq!(r.install_all, None);
    assert_eq!(
        r.checks.len(),
        12,
        "nine GStreamer checks, the GPU, WebKit and the assets"
    );
    assert_eq!(
        check(&r, Requirement::H264Encoder).state,
        CheckState::Ok {
            found: "x264enc".into()
        }
    );
    // Off Linux there is no WebKitGTK to check.
    let r = evaluate(&probe(Os::Windows, None, &all));
    assert!(r.ok);
    assert!(
        r.checks
            .iter()
            .all(|c| c.requirement != Requirement::Webkit)
    );
}

#[test]
fn a_missing_x264_names_the_ugly_plugins_for_the_distribution() {
    let no_h264 = |e: &str| !e.contains("h264") && e != "x264enc";
    let r = evaluate(&probe(Os::Linux, Some(DEBIAN), &no_h264));
    assert!(!r.ok);
    let problems: Vec<_> = r.problems().collect();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let c = problems[0];
    assert_eq!(c.requirement, Requirement::H264Encoder);
    let CheckState::Missing { wanted, .. } = &c.state else {
        panic!("{c:?}")
    };
    assert_eq!(wanted[0], "x264enc");
    assert!(
        wanted.iter().any(|w| w == "vah264enc"),
        "hardware encoders count too"
    );
    assert_eq!(
        c.fix,
        Some(Fix::Packages {
            manager: PackageManager::Apt,
            packages: vec!["gstreamer1.0-plugins-ugly".into()],
            command: "sudo apt install gstreamer1.0-plugins-ugly".into(),
        })
    );
    let line = c.describe();
    assert!(
        line.starts_with("MISSING  an H.264 video encoder"),
        "{line}"
    );
    assert!(
        line.contains("fix: sudo apt install gstreamer1.0-plugins-ugly"),
        "{line}"
    );

    // The same hole on Fedora and Arch names their packages.
    let r = evaluate(&probe(Os::Linux, Some(FEDORA), &no_h264));
    assert!(
        check(&r, Requirement::H264Encoder)
            .describe()
            .contains("sudo dnf install gstreamer1-plugins-ugly")
    );
    let r = evaluate(&probe(Os::Linux, Some(ENDEAVOUR), &no_h264));
    assert!(
        check(&r, Requirement::H264Encoder)
            .describe()
            .contains("sudo pacman -S gst-plugins-ugly")
    );
}

#[test]
fn a_hardware_encoder_is_enough() {
    let hw_only = |e: &str| e != "x264enc";
    let r = evaluate(&probe(Os::Linux, Some(DEBIAN), &hw_only));
    assert!(r.ok);
    assert_eq!(
        check(&r, Requirement::H264Encoder).state,
        CheckState::Ok {
            found: "nvh264enc".into()
        }
    );
}

#[test]
fn each_element_maps_to_its_plugin_package() {
    for (element, req, package) in [
        ("avenc_aac", Requirement::AacEncoder, "gstreamer1.0-libav"),
        ("flvmux", Requirement::FlvMuxer, "gstreamer1.0-plugins-good"),
        (
            "rtmpsink",
            Requirement::RtmpSink,
            "gstreamer1.0-plugins-bad",
        ),
        (
            "matroskamux",
            Requirement::MatroskaMuxer,
            "gstreamer1.0-plugins-good",
        ),
        ("mp4mux", Requirement::Mp4Muxer, "gstreamer1.0-plugins-good"),
        (
            "videoconvert",
            Requirement::VideoConvert,
            "gstreamer1.0-plugins-base",
        ),
        (
            "audioconvert",
            Requirement::AudioConvert,
            "gstreamer1.0-plugins-base",
        ),
    ] {
        // Remove every element that satisfies the requirement.
        let wanted = req.elements();
        assert!(wanted.contains(&element), "{req:?} accepts {element}");
        let has = move |e: &str| !wanted.contains(&e);
        let r = evaluate(&probe(Os::Linux, Some(DEBIAN), &has));
        let c = check(&r, req);
        match &c.fix {
            Some(Fix::Packages { packages, .. }) => {
                assert_eq!(packages, &vec![package.to_string()])
            }
            other => panic!("{req:?}: {other:?}"),
        }
        assert_eq!(r.problems().count(), 1, "{req:?} only");
    }
}

#[test]
fn windows_and_macos_point_at_the_runtime_installer_or_the_driver() {
    let none = |_: &str| false;
    for os in [Os::Windows, Os::MacOs] {
        let mut p = probe(os, None, &none);
        p.gpu = Err("no adapter found".into());
        let r = evaluate(&p);
        let c = check(&r, Requirement::Mp4Muxer);
        assert_eq!(
            c.fix,
            Some(Fix::GstreamerInstaller {
                url: packages::GSTREAMER_DOWNLOAD_URL.into()
            })
        );
        assert!(c.describe().contains("reinstall Shopcast Studio"));
        assert_eq!(
            check(&r, Requirement::GpuAdapter).fix,
            Some(Fix::GraphicsDriver)
        );
    }
}

#[test]
fn an_unknown_distribution_gets_the_plugin_set_by_name() {
    let no_aac = |e: &str| !Requirement::AacEncoder.elements().contains(&e);
    let r = evaluate(&probe(Os::Linux, Some(VOID), &no_aac));
    assert_eq!(r.package_manager, PackageManager::Unknown);
    assert_eq!(
        check(&r, Requirement::AacEncoder).fix,
        Some(Fix::AnyPackageManager {
            what: "GStreamer's libav plugins".into()
        })
    );
}

#[test]
fn old_or_absent_libraries_fail_with_what_was_found() {
    let all = |_: &str| true;
    let mut p = probe(Os::Linux, Some(DEBIAN), &all);
    p.gstreamer = Ok((1, 18, 4));
    p.webkit = Some(Ok((2, 34, 1)));
    p.gpu = Err("no adapter found for backends VULKAN".into());
    let r = evaluate(&p);
    assert_eq!(
        check(&r, Requirement::Gstreamer).state,
        CheckState::TooOld {
            found: "1.18.4".into(),
            needed: "1.20.0".into()
        }
    );
    assert_eq!(
        check(&r, Requirement::Webkit).state,
        CheckState::TooOld {
            found: "2.34.1".into(),
            needed: "2.42.0".into()
        }
    );
    // One line installs everything, each package once.
    assert_eq!(
        r.install_all.as_deref(),
        Some(
            "sudo apt install libgstreamer1.0-0 mesa-vulkan-drivers libvulkan1 libwebkit2gtk-4.1-0"
        )
    );
    let gpu = check(&r, Requirement::GpuAdapter);
    assert!(
        gpu.describe()
            .contains("fix: sudo apt install mesa-vulkan-drivers libvulkan1"),
        "{}",
        gpu.describe()
    );

    // GStreamer that will not start: its elements are not trusted.
    p.gstreamer = Err("no libgstreamer".into());
    let r = evaluate(&p);
    assert!(check(&r, Requirement::VideoConvert).fix.is_some());
    assert!(
        check(&r, Requirement::Gstreamer)
            .describe()
            .contains("sudo apt install libgstreamer1.0-0")
    );
}

#[test]
fn missing_assets_mean_a_reinstall() {
    let all = |_: &str| true;
    let mut p = probe(Os::Linux, Some(DEBIAN), &all);
    p.assets = Err("no colour filters in /usr/lib/Shopcast Studio/assets/luts".into());
    let r = evaluate(&p);
    let c = check(&r, Requirement::Assets);
    assert_eq!(c.fix, Some(Fix::Reinstall));
    assert!(
        c.describe().contains("fix: reinstall Shopcast Studio"),
        "{}",
        c.describe()
    );
    // Nothing to apt-get for it.
    assert_eq!(r.install_all, None);
}

#[test]
fn the_report_serialises_with_tags_the_window_reads() {
    let none = |e: &str| e != "mp4mux";
    let r = evaluate(&probe(Os::Linux, Some(DEBIAN), &none));
    let v = serde_json::to_value(&r).expect("json");
    let mp4 = v["checks"]
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["requirement"] == "mp4_muxer")
        .expect("mp4 check");
    assert_eq!(mp4["state"]["state"], "missing");
    assert_eq!(mp4["fix"]["via"], "packages");
    assert_eq!(mp4["fix"]["manager"], "apt");
    assert_eq!(v["package_manager"], "apt");
    assert_eq!(
        v["install_all"],
        "sudo apt install gstreamer1.0-plugins-good"
    );
    assert_eq!(v["ok"], false);
}
