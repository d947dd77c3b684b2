//! Hot-plug: a device provider registered in-process adds and removes a
//! camera, and the watcher reports both, as it would for a USB camera.

use std::time::Duration;

use gst::prelude::*;
use gst::subclass::prelude::*;
use shopcast_media::devices::{DeviceEvent, DeviceKind, DeviceWatcher};

mod fake {
    use super::*;

    #[derive(Default)]
    pub struct FakeCameraImpl;

    #[glib::object_subclass]
    impl ObjectSubclass for FakeCameraImpl {
        const NAME: &'static str = "ShopcastFakeCamera";
        type Type = FakeCamera;
        type ParentType = gst::Device;
    }
    impl ObjectImpl for FakeCameraImpl {}
    impl GstObjectImpl for FakeCameraImpl {}
    impl DeviceImpl for FakeCameraImpl {
        fn create_element(&self, name: Option<&str>) -> Result<gst::Element, gst::LoggableError> {
            let mut b = gst::ElementFactory::make("videotestsrc");
            if let Some(n) = name {
                b = b.name(n);
            }
            b.build()
                .map_err(|e| gst::loggable_error!(gst::CAT_RUST, "{e}"))
        }
    }

    glib::wrapper! {
        pub struct FakeCamera(ObjectSubclass<FakeCameraImpl>) @extends gst::Device, gst::Object;
    }

    #[derive(Default)]
    pub struct FakeProviderImpl;

    #[glib::object_subclass]
    impl ObjectSubclass for FakeProviderImpl {
        const NAME: &'static str = "ShopcastFakeProvider";
        type Type = FakeProvider;
        type ParentType = gst::DeviceProvider;
    }
    impl ObjectImpl for FakeProviderImpl {}
    impl GstObjectImpl for FakeProviderImpl {}
    impl DeviceProviderImpl for FakeProviderImpl {
        fn metadata() -> Option<&'static gst::subclass::DeviceProviderMetadata> {
            static META: std::sync::OnceLock<gst::subclass::DeviceProviderMetadata> =
                std::sync::OnceLock::new();
            Some(META.get_or_init(|| {
                gst::subclass::DeviceProviderMetadata::new(
                    "Fake cameras",
                    "Source/Video",
                    "Cameras that tests plug in",
                    "Shopcast",
                )
            }))
        }
        fn probe(&self) -> Vec<gst::Device> {
            Vec::new()
        }
        fn start(&self) -> Result<(), gst::LoggableError> {
            Ok(())
        }
    }

    glib::wrapper! {
        pub struct FakeProvider(ObjectSubclass<FakeProviderImpl>) @extends gst::DeviceProvider, gst::Object;
    }

    pub fn camera(path: &str) -> FakeCamera {
        let caps = gst::Caps::builder("video/x-raw")
            .field("format", "YUY2")
            .field("width", 1280i32)
            .field("height", 720i32)
            .field("framerate", gst::Fraction::new(30, 1))
            .build();
        let props = gst::Structure::builder("properties")
            .field("device.api", "fake")
            .field("device.path", path)
            .build();
        glib::Object::builder()
            .property("display-name", "Fake USB Camera")
            .property("device-class", "Video/Source")
            .property("caps", caps)
            .property("properties", props)
            .build()
    }
}

use gst::glib;

#[test]
fn plugging_and_unplugging_a_camera_is_reported() {
    shopcast_media::init().expect("gst init");
    gst::DeviceProvider::register(
        None,
        "shopcastfakeprovider",
        gst::Rank::PRIMARY,
        fake::FakeProvider::static_type(),
    )
    .expect("register provider");
    let (watcher, present) = DeviceWatcher::start().expect("watcher starts");
    assert!(present.iter().all(|d| !d.id.starts_with("fake:")));

    let provider = gst::DeviceProviderFactory::by_name("shopcastfakeprovider").expect("provider");
    let cam = fake::camera("/dev/fake-video7");
    provider.device_add(&cam);
    let added = watcher
        .next_event(Duration::from_secs(5))
        .expect("an added event");
    match added {
        DeviceEvent::Added { device } => {
            assert_eq!(device.kind, DeviceKind::Camera);
            assert_eq!(device.id, "fake:/dev/fake-video7");
            assert_eq!(device.name, "Fake USB Camera");
            let c = &device.caps[0];
            assert_eq!(c.format.as_deref(), Some("YUY2"));
            assert_eq!(c.width.as_deref(), Some("1280"));
            assert_eq!(c.framerate.as_deref(), Some("30/1"));
        }
        other => panic!("expected Added, got {other:?}"),
    }
    provider.device_remove(&cam);
    let removed = watcher
        .next_event(Duration::from_secs(5))
        .expect("a removed event");
    assert!(
        matches!(&removed, DeviceEvent::Removed { device } if device.id == "fake:/dev/fake-video7"),
        "{removed:?}"
    );
    drop(watcher);

    // Plugged in again, the camera opens by its id, like a real one.
    provider.device_add(&cam);
    let el =
        shopcast_media::devices::create_device_element(DeviceKind::Camera, "fake:/dev/fake-video7")
            .expect("opens by id");
    assert_eq!(
        el.factory().map(|f| f.name().to_string()).as_deref(),
        Some("videotestsrc")
    );

    provider.device_remove(&cam);
}
