fn main() {
    // Every command is listed so that Tauri generates an `allow-*`
    // permission for each; the window gets only those its capability
    // names (capabilities/main.json).
    let commands: &[&str] = &[
        "app_info",
        "get_settings",
        "save_settings",
        "enter_mode",
        "leave_mode",
        "list_devices",
        "list_luts",
        "set_video",
        "set_canvas",
        "set_beauty",
        "set_lut",
        "set_audio",
        "list_destinations",
        "save_destination",
        "remove_destination",
        "go_live",
        "start_rehearsal",
        "end_live",
        "dismiss_summary",
        "set_audience",
        "room_send",
        "lineup",
        "lineup_next",
        "resume_session",
        "confirm_close",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build step");
}
