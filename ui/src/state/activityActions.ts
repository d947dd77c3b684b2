// What the user does to the room's activities and reports. The room
// server checks every limit and role; its refusal comes back as a
// `CommandError` whose message is shown next to the activities (and the
// form stays open, so nothing typed is lost).

import type { ConfirmDialog } from '../components/confirm';
import type { Activity, ActivitySpec, ReportFormat, SessionReport, SessionSummary } from '../ipc';
import { api, isApiError } from '../ipc/api';
import { result, type Result } from './catalogActions';
import type { Store } from './store';

export class ActivityActions {
  constructor(
    private readonly store: Store,
    private readonly confirmDialog: ConfirmDialog,
  ) {}

  private get state() {
    return this.store.activityStore;
  }

  /** Loads the list (a room connected, or the window joined late). */
  async refresh(): Promise<void> {
    try {
      this.state.apply(await api.activities());
    } catch (e) {
      this.state.setError(isApiError(e) ? e.message : String(e));
    }
  }

  /** Starts an activity; resolves its id, or the server's refusal. */
  async create(spec: ActivitySpec): Promise<Result<string>> {
    const r = await result(api.activityOp({ op: 'create', spec }));
    this.state.setRefusal(r.ok ? null : r.error.message);
    return r;
  }

  /** Asks, then ends a running activity (a draw or bag draws its winners now). */
  async end(a: Activity, title: string): Promise<boolean> {
    const ok = await this.confirmDialog.ask({
      title: 'activities.end_title',
      message: 'activities.end_message',
      params: { title },
      yes: 'activities.end',
      danger: true,
    });
    if (!ok) return false;
    const r = await result(api.activityOp({ op: 'end', activity_id: a.id }));
    this.state.setRefusal(r.ok ? null : r.error.message);
    return r.ok;
  }

  // ---- reports ----

  reports(): Promise<Result<SessionSummary[]>> {
    return result(api.sessionReports());
  }

  report(id: string): Promise<Result<SessionReport>> {
    return result(api.sessionReport(id));
  }

  /** Writes the report; resolves the file's path. */
  exportReport(id: string, format: ReportFormat): Promise<Result<string>> {
    return result(api.reportExport(id, format));
  }
}
