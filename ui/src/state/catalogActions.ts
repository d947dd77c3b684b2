// The host's (or assistant's) own product catalogue: list, save, delete,
// import. The Rust side validates every product and every import row; a
// refusal comes back as a `CommandError` whose message the form shows.

import type { ConfirmDialog } from '../components/confirm';
import type { Toaster } from '../components/toast';
import { t } from '../i18n';
import { LIMITS, type CatalogEntry, type CatalogProduct, type CommandError, type ImportReport, type SavedProduct } from '../ipc';
import { api, isApiError } from '../ipc/api';

export type Result<T> = { ok: true; value: T } | { ok: false; error: CommandError };

export function failed(e: unknown): { ok: false; error: CommandError } {
  return { ok: false, error: isApiError(e) ? e : { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
}

/** A command's answer, or its refusal as data (for forms that show it). */
export async function result<T>(p: Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    return failed(e);
  }
}

/** The largest import file, in MB, for the message. */
export function importLimitMb(): number {
  return Math.floor(LIMITS.import_bytes.max / (1024 * 1024));
}

export class CatalogActions {
  constructor(
    private readonly toast: Toaster,
    private readonly confirmDialog: ConfirmDialog,
  ) {}

  list(query: string): Promise<Result<CatalogEntry[]>> {
    return result(api.catalogList(query));
  }

  save(product: CatalogProduct): Promise<Result<SavedProduct>> {
    return result(api.catalogSave(product));
  }

  /** Asks, then deletes. Resolves whether it was deleted. */
  async remove(id: string, name: string): Promise<boolean> {
    const ok = await this.confirmDialog.ask({
      title: 'products.delete_title',
      message: 'products.delete_message',
      params: { name },
      yes: 'products.delete',
      danger: true,
    });
    if (!ok) return false;
    const r = await result(api.catalogDelete(id));
    if (!r.ok) this.toast.error(r.error, t('products.delete'));
    return r.ok;
  }

  /** Reads a picked file (refusing one over the size limit unread) and imports it. */
  async importFile(file: File): Promise<Result<ImportReport>> {
    if (file.size > LIMITS.import_bytes.max) {
      return { ok: false, error: { code: 'invalid', message: t('products.import_too_big', { max: importLimitMb() }) } };
    }
    let content: string;
    try {
      content = await file.text();
    } catch (e) {
      return failed(e);
    }
    return result(api.catalogImport({ name: file.name, content }));
  }
}
