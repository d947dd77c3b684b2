// The catalogue: this machine's products (the host's, or an assistant's
// own), searched as you type, each addable to the shared lineup; a form to
// add or edit one, and an import from a CSV or JSON file with its report.

import type { Ctx } from '../../ctx';
import { language, t } from '../../i18n';
import type { CatalogEntry, ImportReport, SavedProduct } from '../../ipc';
import { button, h, placeholder, setI18n, show } from '../../lib/dom';
import { money } from '../../lib/format';
import { importReportLines } from '../../lib/productForm';
import { debounce } from '../../lib/timing';
import { productName, thumb, type Section } from './common';
import { createProductForm } from './productForm';

/** Search waits this long after the last key. */
export const SEARCH_MS = 150;

export function createCatalogue(ctx: Ctx): Section {
  const { store, actions } = ctx;

  const search = h('input', { class: 'input', testid: 'catalog-search', attrs: { type: 'search' } });
  placeholder(search, 'products.search');
  const fileInput = h('input', {
    testid: 'catalog-file',
    attrs: { type: 'file', accept: '.csv,.json', hidden: true },
  });
  const newBtn = button('products.new_product', () => form.open(null), { class: 'btn btn-small', testid: 'catalog-new' });
  const importBtn = button('products.import', () => fileInput.click(), { class: 'btn btn-small', testid: 'catalog-import' });
  const status = h('p', { class: 'hint', testid: 'catalog-status' });
  const report = h('ul', { class: 'import-report', testid: 'import-report' });
  const list = h('ul', { class: 'catalog', testid: 'catalog-list' });
  const form = createProductForm(ctx, (saved) => void afterSave(saved));
  const element = h(
    'section',
    { class: 'catalogue' },
    h('div', { class: 'row' }, search, newBtn, importBtn, fileInput),
    form.element,
    report,
    status,
    list,
  );
  show(report, false);

  let entries: CatalogEntry[] = [];
  let request = 0;
  let query = '';
  const addButtons = new Map<string, HTMLButtonElement>();

  async function load(): Promise<void> {
    const mine = ++request;
    const r = await actions.catalog.list(query);
    if (mine !== request) return; // a newer search answered (or will)
    if (!r.ok) {
      entries = [];
      setI18n(status, 'products.catalog_unavailable', { reason: r.error.message });
      show(status, true);
    } else {
      entries = r.value;
      if (entries.length === 0) setI18n(status, query ? 'products.catalog_no_match' : 'products.catalog_empty');
      show(status, entries.length === 0);
    }
    draw();
  }
  const searchLater = debounce(() => void load(), SEARCH_MS);
  search.addEventListener('input', () => {
    query = search.value.trim();
    searchLater();
  });

  function showReport(lines: string[], warn: boolean): void {
    report.replaceChildren(...lines.map((l) => h('li', { class: warn ? 'hint warn' : 'hint', text: l })));
    show(report, lines.length > 0);
  }

  async function afterSave(saved: SavedProduct): Promise<void> {
    const name = productName(saved.entry.product, language(), saved.entry.product.id);
    const lines = [t('products.saved', { name })];
    for (const e of saved.image_errors) lines.push(t('products.image_warning', { reason: e }));
    showReport(lines, saved.image_errors.length > 0);
    await load();
  }

  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (file) void importFile(file);
  });
  async function importFile(file: File): Promise<void> {
    importBtn.disabled = true;
    const r = await actions.catalog.importFile(file);
    importBtn.disabled = false;
    if (!r.ok) {
      showReport([t('products.import_failed', { reason: r.error.message })], true);
      return;
    }
    const rep: ImportReport = r.value;
    showReport(importReportLines(rep, t), rep.refused.length + rep.image_errors.length > 0);
    await load();
  }

  let drawnIn = language();
  function draw(): void {
    const lang = language();
    drawnIn = lang;
    addButtons.clear();
    list.replaceChildren(
      ...entries.map((entry) => {
        const p = entry.product;
        const name = productName(p, lang, p.id);
        const add = button('products.add_to_lineup', () => void actions.lineup.add(p.id), {
          class: 'btn btn-small btn-primary',
          testid: 'add-to-lineup',
        });
        addButtons.set(p.id, add);
        return h(
          'li',
          { class: 'catalog-row', testid: 'catalog-row', attrs: { 'data-id': p.id } },
          thumb('thumb-sm', entry.thumbnail),
          h('div', { class: 'row-main' }, h('span', { class: 'name', text: name }), h('span', { class: 'dim id', text: p.id })),
          h('span', { class: 'price', text: money(p.price, p.currency, lang) }),
          h('span', { class: 'stock', i18n: p.stock === 0 ? 'products.sold_out' : 'products.stock', i18nParams: { n: p.stock } }),
          h(
            'div',
            { class: 'row-buttons' },
            add,
            button('common.edit', () => form.open(p), { class: 'btn btn-small', testid: 'catalog-edit' }),
            button('products.delete', () => void remove(p.id, name), { class: 'btn btn-small btn-icon danger', testid: 'catalog-delete' }),
          ),
        );
      }),
    );
    markInLineup();
  }

  async function remove(id: string, name: string): Promise<void> {
    if (await actions.catalog.remove(id, name)) await load();
  }

  /** "Add to lineup" is off for products already in it. */
  function markInLineup(): void {
    const inLineup = new Set(store.lineup?.items.map((i) => i.goods_id) ?? []);
    for (const [id, b] of addButtons) {
      const already = inLineup.has(id);
      b.disabled = already || !store.lineup;
      setI18n(b, already ? 'products.in_lineup' : 'products.add_to_lineup');
    }
  }

  let loadedFor: string | null | undefined;
  const render = () => {
    // Each mode (and the first render) lists the catalogue afresh.
    if (store.session.mode !== loadedFor) {
      loadedFor = store.session.mode;
      void load();
    } else if (drawnIn !== language()) draw();
    markInLineup();
  };
  return { element, render, dispose: () => searchLater.cancel() };
}
