// Every command of the desktop shell, once: its name, its arguments and
// what it answers. This file is plain tokens so that three places can
// read it without copying it:
// - `crate::ipc::commands` checks each entry against its function;
// - `crate::ipc::bindings` writes the TypeScript wrappers;
// - `src-tauri` builds its Tauri commands and handler from it, and its
//   build script (which `include!`s this file) the permission set.
// Add a command here and in `commands.rs`; nothing else lists them.

/// Calls `$callback! { name(arg: Type, …) -> Answer; … }` with every
/// command of the desktop shell.
#[macro_export]
macro_rules! studio_commands {
    ($callback:ident) => {
        $callback! {
            app_info() -> $crate::session::AppInfo;
            doctor() -> $crate::doctor::DoctorReport;
            get_settings() -> $crate::settings::Settings;
            save_settings(settings: $crate::settings::Settings) -> $crate::settings::Settings;
            enter_mode(
                mode: $crate::session::Mode,
                room_url: Option<String>,
                token: Option<String>
            ) -> $crate::session::SessionView;
            leave_mode() -> $crate::session::SessionView;
            list_devices() -> Vec<$crate::session::DeviceView>;
            list_luts() -> Vec<$crate::luts::LutView>;
            set_video(video: $crate::settings::VideoChoice) -> $crate::session::SessionView;
            set_canvas(canvas: $crate::settings::CanvasSettings) -> $crate::session::SessionView;
            set_beauty(beauty: $crate::settings::BeautyLevels) -> ();
            set_beauty_bypass(bypass: bool) -> $crate::session::SessionView;
            set_lut(lut: $crate::settings::LutChoice) -> ();
            set_audio(audio: $crate::settings::AudioSettings) -> ();
            add_mixer_input(source: $crate::mixer::MixerSource) -> $crate::session::SessionView;
            remove_mixer_input(id: String) -> $crate::session::SessionView;
            set_mixer_input(input: $crate::mixer::MixerInput) -> ();
            list_destinations() -> Vec<$crate::session::DestinationView>;
            save_destination(input: $crate::session::DestinationInput) -> $crate::session::DestinationView;
            remove_destination(name: String) -> ();
            set_destination_options(
                name: String,
                options: $crate::session::DestinationOptions
            ) -> $crate::session::DestinationView;
            go_live(destinations: Vec<String>, confirmed: bool) -> $crate::session::SessionView;
            start_rehearsal(confirmed: bool) -> $crate::session::SessionView;
            end_live(confirmed: bool) -> $crate::session::SessionView;
            reconnect_now(name: String) -> $crate::session::SessionView;
            pause() -> $crate::session::SessionView;
            resume() -> $crate::session::SessionView;
            switch_scene(id: String) -> $crate::session::SessionView;
            set_scenes(scenes: $crate::scenes::Scenes) -> $crate::session::SessionView;
            add_layer(scene: String, source: $crate::scenes::LayerSource) -> $crate::session::SessionView;
            font_families() -> Vec<String>;
            set_layer_box(
                scene: String,
                layer: String,
                rect: $crate::scenes::LayerBox,
                crop: $crate::scenes::CropSides,
                save: bool
            ) -> ();
            dismiss_summary() -> $crate::session::SessionView;
            set_audience(audience: $crate::settings::RehearsalAudience) -> ();
            room_send(msg: $crate::ipc::RoomCommand) -> ();
            lineup() -> $crate::ipc::LineupSnapshot;
            lineup_op(request: $crate::session::LineupRequest) -> $crate::ipc::LineupSnapshot;
            lineup_add(goods_id: String) -> $crate::ipc::LineupSnapshot;
            lineup_next() -> $crate::ipc::LineupSnapshot;
            lineup_image(image_url: String) -> Option<String>;
            lineup_history() -> Vec<$crate::ipc::LineupRecord>;
            activities() -> Vec<$crate::ipc::Activity>;
            activity_op(op: $crate::ipc::ActivityOp) -> String;
            session_reports() -> Vec<$crate::ipc::SessionSummary>;
            session_report(id: String) -> $crate::ipc::SessionReport;
            report_export(id: String, format: $crate::session::ReportFormat) -> String;
            catalog_list(query: String) -> Vec<$crate::session::CatalogEntry>;
            catalog_save(product: $crate::ipc::Product) -> $crate::session::SavedProduct;
            catalog_delete(id: String) -> ();
            catalog_import(file: $crate::session::ImportFile) -> $crate::ipc::ImportReport;
            resume_session(accept: bool) -> $crate::session::SessionView;
            confirm_close() -> ();
        }
    };
}
