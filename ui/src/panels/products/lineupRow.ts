// One row of the lineup list: handle, thumbnail, name, state, price and
// stock (click to edit in place: Enter saves, Escape cancels), and the
// row's buttons. A row is kept across renders (keyed by goods_id) so an
// edit in progress and the focus survive the lineup changing around it.

import { language, t, type MessageKey, type Params } from '../../i18n';
import type { LineupItem } from '../../ipc';
import { button, h, setI18n, setText, show } from '../../lib/dom';
import { majorText, money } from '../../lib/format';
import { checkPrice, checkStock, type Checked } from '../../lib/productForm';
import { productName, setThumb, STATE_KEYS, thumb } from './common';

export interface RowHandlers {
  explain(item: LineupItem): void;
  pin(item: LineupItem, pinned: boolean): void;
  soldOut(item: LineupItem): void;
  remove(item: LineupItem): void;
  setPrice(item: LineupItem, minor: number): void;
  setStock(item: LineupItem, stock: number): void;
  image(url: string): string | null | undefined;
  loadImage(url: string): Promise<string | null>;
}

type Editable = 'price' | 'stock';

export class LineupRow {
  readonly el: HTMLLIElement;
  readonly handle: HTMLElement;
  item: LineupItem;
  private editing: Editable | null = null;
  private index = 0;
  private imageUrl: string | null = null;
  private readonly idx = h('span', { class: 'idx' });
  private readonly image = thumb('thumb-sm', null);
  private readonly name = h('span', { class: 'name' });
  private readonly state = h('span', { class: 'tag state' });
  private readonly pinned = h('span', { class: 'tag pinned', i18n: 'products.pinned' });
  private readonly price: HTMLButtonElement;
  private readonly stock: HTMLButtonElement;
  private readonly error = h('div', { class: 'field-error row-error' });
  private readonly pinBtn: HTMLButtonElement;
  private readonly soldOutBtn: HTMLButtonElement;

  constructor(item: LineupItem, private readonly on: RowHandlers) {
    this.item = item;
    this.handle = h('span', {
      class: 'drag-handle',
      testid: 'drag-handle',
      text: '⠿',
      title: 'products.drag',
      attrs: { 'aria-hidden': 'true' },
    });
    this.price = h('button', {
      class: 'cell-value price',
      testid: 'price',
      title: 'products.edit_price',
      attrs: { type: 'button' },
      on: { click: () => this.edit('price') },
    });
    this.stock = h('button', {
      class: 'cell-value stock',
      testid: 'stock',
      title: 'products.edit_stock',
      attrs: { type: 'button' },
      on: { click: () => this.edit('stock') },
    });
    const explain = button('products.explain_now', () => this.on.explain(this.item), {
      class: 'btn btn-small btn-primary',
      testid: 'explain',
    });
    this.pinBtn = button('products.pin', () => this.on.pin(this.item, !this.item.pinned), {
      class: 'btn btn-small',
      testid: 'pin',
    });
    this.soldOutBtn = button('products.mark_sold_out', () => this.on.soldOut(this.item), {
      class: 'btn btn-small',
      testid: 'sold-out',
    });
    const remove = button('products.remove', () => this.on.remove(this.item), {
      class: 'btn btn-small btn-icon danger',
      testid: 'remove',
    });
    this.el = h(
      'li',
      { class: 'lineup-row', testid: 'lineup-row', attrs: { tabindex: 0, 'data-goods-id': item.goods_id } },
      this.handle,
      this.idx,
      this.image,
      h('div', { class: 'row-main' }, this.name, h('div', { class: 'row-tags' }, this.state, this.pinned)),
      this.price,
      this.stock,
      h('div', { class: 'row-buttons' }, explain, this.pinBtn, this.soldOutBtn, remove),
      this.error,
    );
    show(this.error, false);
  }

  get isEditing(): boolean {
    return this.editing !== null;
  }

  update(item: LineupItem, index: number): void {
    this.item = item;
    this.index = index;
    const lang = language();
    setText(this.idx, `#${index + 1}`);
    setText(this.name, productName(item, lang, item.goods_id));
    setI18n(this.state, STATE_KEYS[item.state]);
    this.state.dataset.state = item.state;
    this.el.classList.toggle('current', item.state === 'explaining');
    this.el.classList.toggle('sold-out', item.sold_out);
    this.el.setAttribute('aria-current', item.state === 'explaining' ? 'true' : 'false');
    show(this.pinned, item.pinned);
    setI18n(this.pinBtn, item.pinned ? 'products.unpin' : 'products.pin');
    this.soldOutBtn.disabled = item.sold_out;
    if (this.editing !== 'price') this.price.replaceChildren(...this.priceParts(item, lang));
    if (this.editing !== 'stock') {
      if (item.sold_out) setI18n(this.stock, 'products.sold_out');
      else setI18n(this.stock, 'products.stock', { n: item.stock });
    }
    if (item.image_url !== this.imageUrl) {
      const url = item.image_url;
      this.imageUrl = url;
      const known = this.on.image(url);
      setThumb(this.image, known);
      if (known === undefined) {
        void this.on.loadImage(url).then((src) => {
          if (this.imageUrl === url) setThumb(this.image, src);
        });
      }
    }
  }

  private priceParts(item: LineupItem, lang: string): Node[] {
    const parts: Node[] = [h('span', { text: money(item.price, item.currency, lang) })];
    if (item.list_price !== null && item.list_price > item.price) {
      parts.push(h('s', { class: 'list-price', text: money(item.list_price, item.currency, lang) }));
    }
    return parts;
  }

  /** Replaces the price or stock with an input until Enter or Escape. */
  edit(which: Editable): void {
    if (this.editing) return;
    this.editing = which;
    const cell = which === 'price' ? this.price : this.stock;
    const input = h('input', {
      class: 'input cell-input',
      testid: `${which}-input`,
      attrs: {
        type: 'text',
        inputmode: which === 'price' ? 'decimal' : 'numeric',
        'aria-label': t(which === 'price' ? 'products.field_price' : 'products.field_stock'),
        value: which === 'price' ? majorText(this.item.price, this.item.currency) : String(this.item.stock),
      },
    });
    const done = () => {
      if (this.editing !== which) return;
      this.editing = null;
      input.replaceWith(cell);
      this.setError(null);
      this.update(this.item, this.index);
      this.el.focus();
    };
    input.addEventListener('keydown', (e) => {
      // The row's own keys (Alt+arrows) must not act while typing.
      e.stopPropagation();
      if (e.key === 'Escape') {
        e.preventDefault();
        done();
      } else if (e.key === 'Enter') {
        e.preventDefault();
        const r: Checked<number> = which === 'price' ? checkPrice(input.value, this.item.currency) : checkStock(input.value);
        if (!r.ok) {
          input.setAttribute('aria-invalid', 'true');
          this.setError(r.key, r.params);
          return;
        }
        const item = this.item;
        done();
        if (which === 'price') this.on.setPrice(item, r.value);
        else this.on.setStock(item, r.value);
      }
    });
    input.addEventListener('blur', () => {
      // Leaving the field cancels (only Enter saves).
      if (input.isConnected) done();
    });
    cell.replaceWith(input);
    input.focus();
    input.select();
  }

  private setError(key: MessageKey | null, params?: Params): void {
    if (key) setI18n(this.error, key, params);
    else setText(this.error, '');
    show(this.error, key !== null);
  }
}
