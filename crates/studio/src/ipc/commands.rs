//! One function per desktop command, each a call into the session. The
//! shell runs them on a blocking thread (media start and stop take up to
//! seconds) and maps the error to a [`CommandError`](super::CommandError).

use crate::error::StudioResult;
use crate::luts::LutView;
use crate::mixer::{MixerInput, MixerSource};
use crate::scenes::{CropSides, LayerBox, LayerSource, Scenes};
use crate::session::{
    AppInfo, CatalogEntry, DestinationInput, DestinationOptions, DestinationView, DeviceView,
    ImportFile, LineupRequest, Mode, ReportFormat, SavedProduct, Session, SessionView,
};
use crate::settings::{
    AudioSettings, BeautyLevels, CanvasSettings, LutChoice, RehearsalAudience, Settings,
    VideoChoice,
};

use super::{
    Activity, ActivityOp, ImportReport, LineupRecord, LineupSnapshot, Product, RoomCommand,
    SessionReport, SessionSummary,
};

pub fn app_info(s: &Session) -> StudioResult<AppInfo> {
    Ok(s.app_info())
}

/// The start-up check (GStreamer elements, GPU, WebKitGTK); the page
/// shows its problems on the start screen.
pub fn doctor(_s: &Session) -> StudioResult<crate::doctor::DoctorReport> {
    Ok(crate::doctor::run())
}

pub fn get_settings(s: &Session) -> StudioResult<Settings> {
    Ok(s.settings())
}

pub fn save_settings(s: &Session, settings: Settings) -> StudioResult<Settings> {
    s.save_settings(settings)
}

pub fn enter_mode(
    s: &Session,
    mode: Mode,
    room_url: Option<String>,
    token: Option<String>,
) -> StudioResult<SessionView> {
    s.enter_mode(mode, room_url.as_deref(), token.as_deref())
}

pub fn leave_mode(s: &Session) -> StudioResult<SessionView> {
    s.leave_mode()
}

pub fn list_devices(_: &Session) -> StudioResult<Vec<DeviceView>> {
    Ok(crate::session::list_devices())
}

pub fn list_luts(_: &Session) -> StudioResult<Vec<LutView>> {
    Ok(crate::luts::list())
}

pub fn set_video(s: &Session, video: VideoChoice) -> StudioResult<SessionView> {
    s.set_video(video)
}

pub fn set_canvas(s: &Session, canvas: CanvasSettings) -> StudioResult<SessionView> {
    s.set_canvas(canvas)
}

pub fn set_beauty(s: &Session, beauty: BeautyLevels) -> StudioResult<()> {
    s.set_beauty(beauty)
}

pub fn set_beauty_bypass(s: &Session, bypass: bool) -> StudioResult<SessionView> {
    s.set_beauty_bypass(bypass)
}

pub fn set_lut(s: &Session, lut: LutChoice) -> StudioResult<()> {
    s.set_lut(lut)
}

pub fn set_audio(s: &Session, audio: AudioSettings) -> StudioResult<()> {
    s.set_audio(audio)
}

pub fn add_mixer_input(s: &Session, source: MixerSource) -> StudioResult<SessionView> {
    s.add_mixer_input(source)
}

pub fn remove_mixer_input(s: &Session, id: String) -> StudioResult<SessionView> {
    s.remove_mixer_input(id)
}

pub fn set_mixer_input(s: &Session, input: MixerInput) -> StudioResult<()> {
    s.set_mixer_input(input)
}

pub fn list_destinations(s: &Session) -> StudioResult<Vec<DestinationView>> {
    s.list_destinations()
}

pub fn save_destination(s: &Session, input: DestinationInput) -> StudioResult<DestinationView> {
    s.save_destination(input)
}

pub fn remove_destination(s: &Session, name: String) -> StudioResult<()> {
    s.remove_destination(&name)
}

pub fn set_destination_options(
    s: &Session,
    name: String,
    options: DestinationOptions,
) -> StudioResult<DestinationView> {
    s.set_destination_options(&name, options)
}

pub fn go_live(
    s: &Session,
    destinations: Vec<String>,
    confirmed: bool,
) -> StudioResult<SessionView> {
    s.go_live(&destinations, confirmed)
}

pub fn start_rehearsal(s: &Session, confirmed: bool) -> StudioResult<SessionView> {
    s.start_rehearsal(confirmed)
}

pub fn end_live(s: &Session, confirmed: bool) -> StudioResult<SessionView> {
    s.end_live(confirmed)
}

pub fn reconnect_now(s: &Session, name: String) -> StudioResult<SessionView> {
    s.reconnect_now(&name)
}

pub fn pause(s: &Session) -> StudioResult<SessionView> {
    s.pause()
}

pub fn resume(s: &Session) -> StudioResult<SessionView> {
    s.resume()
}

pub fn switch_scene(s: &Session, id: String) -> StudioResult<SessionView> {
    s.switch_scene(&id)
}

pub fn set_scenes(s: &Session, scenes: Scenes) -> StudioResult<SessionView> {
    s.set_scenes(scenes)
}

pub fn add_layer(s: &Session, scene: String, source: LayerSource) -> StudioResult<SessionView> {
    s.add_layer(&scene, source)
}

pub fn font_families(s: &Session) -> StudioResult<Vec<String>> {
    s.font_families()
}

pub fn set_layer_box(
    s: &Session,
    scene: String,
    layer: String,
    rect: LayerBox,
    crop: CropSides,
    save: bool,
) -> StudioResult<()> {
    s.set_layer_box(&scene, &layer, rect, crop, save)
}

pub fn dismiss_summary(s: &Session) -> StudioResult<SessionView> {
    s.dismiss_summary()
}

pub fn set_audience(s: &Session, audience: RehearsalAudience) -> StudioResult<()> {
    s.set_audience(audience)
}

pub fn room_send(s: &Session, msg: RoomCommand) -> StudioResult<()> {
    s.room_send(msg)
}

pub fn lineup(s: &Session) -> StudioResult<LineupSnapshot> {
    Ok(s.lineup())
}

pub fn lineup_op(s: &Session, request: LineupRequest) -> StudioResult<LineupSnapshot> {
    s.lineup_op(request)
}

pub fn lineup_add(s: &Session, goods_id: String) -> StudioResult<LineupSnapshot> {
    s.lineup_add(goods_id)
}

pub fn lineup_next(s: &Session) -> StudioResult<LineupSnapshot> {
    s.lineup_next()
}

pub fn lineup_image(s: &Session, image_url: String) -> StudioResult<Option<String>> {
    s.lineup_image(image_url)
}

pub fn lineup_history(s: &Session) -> StudioResult<Vec<LineupRecord>> {
    s.lineup_history()
}

pub fn activities(s: &Session) -> StudioResult<Vec<Activity>> {
    Ok(s.activities())
}

pub fn activity_op(s: &Session, op: ActivityOp) -> StudioResult<String> {
    s.activity_op(op)
}

pub fn session_reports(s: &Session) -> StudioResult<Vec<SessionSummary>> {
    s.session_reports()
}

pub fn session_report(s: &Session, id: String) -> StudioResult<SessionReport> {
    s.session_report(&id)
}

pub fn report_export(s: &Session, id: String, format: ReportFormat) -> StudioResult<String> {
    s.report_export(&id, format)
}

pub fn catalog_list(s: &Session, query: String) -> StudioResult<Vec<CatalogEntry>> {
    s.catalog_list(query)
}

pub fn catalog_save(s: &Session, product: Product) -> StudioResult<SavedProduct> {
    s.catalog_save(product)
}

pub fn catalog_delete(s: &Session, id: String) -> StudioResult<()> {
    s.catalog_delete(id)
}

pub fn catalog_import(s: &Session, file: ImportFile) -> StudioResult<ImportReport> {
    s.catalog_import(file)
}

pub fn resume_session(s: &Session, accept: bool) -> StudioResult<SessionView> {
    s.resume_session(accept)
}

pub fn confirm_close(s: &Session) -> StudioResult<()> {
    s.confirm_close();
    Ok(())
}

/// Each entry of the command list has its function, with exactly the
/// listed arguments and answer: a mismatch does not compile.
macro_rules! check_signatures {
    ($( $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty; )*) => {
        $( const _: fn(&Session $(, $ty)*) -> StudioResult<$ret> = $name; )*
    };
}
crate::studio_commands!(check_signatures);
