import { describe, expect, it, vi } from 'vitest';
vi.mock('../../ipc/api', async () => (await import('../../test/apiMock')).apiMock);

import { catalogProduct, session, makeFakeApi } from '../../test/fakeApi';
import { fake } from '../../test/apiMock';
import { EVIL, settled, setup, three, useProductsPanel } from '../../test/productsRig';

useProductsPanel();

describe('the catalogue', () => {
  it('searches (debounced), and adds a product to the lineup unless it is there', async () => {
    fake.current = makeFakeApi();
    const { api, q, host } = setup(three());
    api.catalogList.mockResolvedValue([
      { product: catalogProduct({ id: 'p1', name_en: EVIL }), thumbnail: null },
      { product: catalogProduct({ id: 'n1', name_en: 'New Mug' }), thumbnail: 'data:image/png;base64,AAAA' },
    ]);
    q<HTMLInputElement>('catalog-search')!.value = 'mu';
    q('catalog-search')!.dispatchEvent(new Event('input'));
    q<HTMLInputElement>('catalog-search')!.value = 'mug';
    q('catalog-search')!.dispatchEvent(new Event('input'));
    const catalogRows = () => [...host.querySelectorAll<HTMLElement>('[data-testid="catalog-row"]')];
    await settled(() => expect(catalogRows()).toHaveLength(2));
    expect(api.catalogList).toHaveBeenLastCalledWith('mug');
    expect(api.catalogList.mock.calls.filter((c) => c[0] !== '')).toHaveLength(1);
    const rows = catalogRows();
    expect(rows[0]!.querySelector('.name')!.textContent).toBe(EVIL);
    expect(rows[1]!.querySelector('img')!.getAttribute('src')).toBe('data:image/png;base64,AAAA');
    expect(q<HTMLButtonElement>('add-to-lineup', rows[0]!)!.disabled).toBe(true);
    q('add-to-lineup', rows[1]!)!.click();
    expect(api.lineupAdd).toHaveBeenCalledWith('n1');
  });

  it('imports a file and lists every refused row', async () => {
    const { api, q, ctx } = setup(three());
    api.catalogImport.mockResolvedValueOnce({
      added: 2,
      updated: 1,
      refused: [{ row: 3, field: 'price', reason: EVIL }],
      image_errors: [],
    });
    const file = { name: 'goods.csv', size: 20, text: () => Promise.resolve('id,name\n') } as unknown as File;
    const input = q<HTMLInputElement>('catalog-file')!;
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    input.dispatchEvent(new Event('change'));
    await settled(() => expect(q('import-report')!.hidden).toBe(false));
    expect(api.catalogImport).toHaveBeenCalledWith({ name: 'goods.csv', content: 'id,name\n' });
    const lines = [...q('import-report')!.querySelectorAll('li')].map((l) => l.textContent);
    expect(lines).toEqual(['Added 2, updated 1, refused 1.', `row 3: price: ${EVIL}`]);
    expect(q('import-report')!.querySelector('img')).toBeNull();

    const big = { name: 'huge.json', size: Number.MAX_SAFE_INTEGER, text: vi.fn() } as unknown as File;
    const r = await ctx.actions.catalog.importFile(big);
    expect(r.ok).toBe(false);
    expect((big as unknown as { text: ReturnType<typeof vi.fn> }).text).not.toHaveBeenCalled();
  });

  it('saves from the form and shows the server’s refusal and image warnings', async () => {
    const { api, q } = setup(three());
    q('catalog-new')!.click();
    const form = q<HTMLFormElement>('product-form')!;
    expect(form.hidden).toBe(false);
    const set = (k: string, v: string) => (q<HTMLInputElement>(`product-${k}`, form)!.value = v);
    set('id', 'mug');
    set('name_zh', '杯子');
    set('name_en', 'Mug');
    set('price', '25');
    set('currency', 'CNY');
    set('stock', '5');
    set('image', '/nope.png');
    api.catalogSave.mockRejectedValueOnce({ code: 'invalid', message: 'link must be http(s)' });
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await settled(() => expect(q('product-form-error')!.textContent).toContain('link must be http(s)'));
    expect(form.hidden).toBe(false);

    api.catalogSave.mockImplementationOnce((product) =>
      Promise.resolve({ entry: { product, thumbnail: null }, image_errors: ['/nope.png: not found'] }),
    );
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await settled(() => expect(form.hidden).toBe(true));
    expect(api.catalogSave).toHaveBeenLastCalledWith(expect.objectContaining({ id: 'mug', price: 2500, images: ['/nope.png'] }));
    expect(form.hidden).toBe(true);
    expect(q('import-report')!.textContent).toContain('/nope.png: not found');
  });
});

describe('the card on the stream and the panel’s life', () => {
  it('saves the card settings through the settings action', () => {
    const { ctx, q } = setup(three());
    const toggle = q<HTMLInputElement>('product-card-toggle')!;
    expect(toggle.checked).toBe(false);
    toggle.checked = true;
    toggle.dispatchEvent(new Event('change'));
    expect(ctx.store.settings.product_card).toMatchObject({ enabled: true, corner: 'bottom_left', scale: 1 });
  });

  it('gives an assistant the same lineup controls, but not the host’s card', async () => {
    const { ctx, api, rows, q } = setup(three());
    ctx.store.setSession(session({ mode: 'assistant', role: 'assistant', phase: 'preview', can_stream: false }));
    await settled(() => expect(q<HTMLInputElement>('product-card-toggle')!.closest('fieldset')!.disabled).toBe(true));
    const explain = q<HTMLButtonElement>('explain', rows()[0]!)!;
    expect(explain.disabled).toBe(false);
    expect(explain.closest('fieldset')).toBeNull();
    explain.click();
    expect(api.lineupOp).toHaveBeenCalledWith({ base: 7, op: { kind: 'explain', goods_id: 'p1' } });
    expect(q<HTMLInputElement>('product-card-toggle')!.closest('fieldset')!.disabled).toBe(true);
  });

  it('lets go of the lineup store when closed', () => {
    const { ctx, close } = setup(three());
    expect(ctx.store.lineupStore.subscriberCount).toBe(1);
    close();
    expect(ctx.store.lineupStore.subscriberCount).toBe(0);
  });
});
