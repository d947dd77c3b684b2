// The add/edit form for a push destination (Tencent CSS, custom RTMP(S),
// SRT). Secrets are typed into password fields, sent once, and never shown
// back: a saved secret is only ever displayed as "••••".

import { t } from '../i18n';
import { button, clear, h, placeholder, setI18n } from '../lib/dom';
import {
  emptyDestinationForm,
  validateDestination,
  type DestinationForm,
  type FieldError,
} from '../lib/validate';
import { LIMITS, type DestinationInput, type DestinationKind, type DestinationView } from '../ipc';

export interface DestinationFormHandle {
  element: HTMLElement;
  edit(d: DestinationView): void;
  reset(): void;
}

type TextField = Exclude<keyof DestinationForm, 'kind'>;

const FIELDS_BY_KIND: Record<DestinationKind, TextField[]> = {
  tencent: ['name', 'push_domain', 'app', 'stream', 'key', 'valid_hours'],
  custom: ['name', 'url', 'stream_key'],
  srt: ['name', 'url', 'passphrase'],
};
const SECRET_FIELDS: TextField[] = ['key', 'stream_key', 'passphrase'];

export function createDestinationForm(save: (input: DestinationInput) => Promise<boolean>): DestinationFormHandle {
  let editing: DestinationView | null = null;

  const kindSel = h('select', { class: 'input', testid: 'dest-kind', attrs: { id: 'dest-kind' } });
  for (const k of ['tencent', 'custom', 'srt'] as const) {
    kindSel.appendChild(h('option', { i18n: `dest.kind_${k}`, attrs: { value: k } }));
  }
  kindSel.value = 'custom';

  const inputs = {} as Record<TextField, HTMLInputElement>;
  const rows = {} as Record<TextField, HTMLElement>;
  const errors = {} as Record<TextField, HTMLElement>;
  const all: TextField[] = ['name', 'push_domain', 'app', 'stream', 'key', 'valid_hours', 'url', 'stream_key', 'passphrase'];
  for (const f of all) {
    const secret = SECRET_FIELDS.includes(f);
    const input = h('input', {
      class: 'input',
      testid: `dest-${f}`,
      attrs: {
        id: `dest-${f}`,
        type: secret ? 'password' : f === 'valid_hours' ? 'number' : 'text',
        autocomplete: secret ? 'new-password' : 'off',
        spellcheck: 'false',
        ...(f === 'valid_hours' ? { min: LIMITS.tencent_valid_hours.min, max: LIMITS.tencent_valid_hours.max, step: 1 } : {}),
      },
    });
    inputs[f] = input;
    errors[f] = h('div', { class: 'field-error', testid: 'form-error' });
    errors[f].hidden = true;
    rows[f] = h('div', { class: 'field' }, h('label', { i18n: `dest.${f}`, attrs: { for: `dest-${f}` } }), input, errors[f]);
  }
  placeholder(inputs.url, 'dest.url_ph');
  placeholder(inputs.push_domain, 'dest.push_domain_ph');

  const title = h('h4', { i18n: 'dest.add' });
  const saveBtn = button('dest.save', () => void submit(), { class: 'btn btn-primary', testid: 'dest-save' });
  const cancelBtn = button('common.cancel', () => reset(), { class: 'btn', testid: 'dest-cancel' });
  const fieldsBox = h('div', { class: 'dest-fields' });
  const form = h(
    'form',
    { class: 'dest-form', testid: 'dest-form', attrs: { novalidate: true, autocomplete: 'off' } },
    title,
    h('div', { class: 'field' }, h('label', { i18n: 'dest.kind', attrs: { for: 'dest-kind' } }), kindSel),
    fieldsBox,
    h('div', { class: 'row' }, saveBtn, cancelBtn),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void submit();
  });

  function layout(): void {
    const kind = kindSel.value as DestinationKind;
    clear(fieldsBox);
    for (const f of FIELDS_BY_KIND[kind]) fieldsBox.appendChild(rows[f]);
    for (const f of SECRET_FIELDS) {
      if (editing?.has_secret) placeholder(inputs[f], 'dest.secret_saved_ph');
      else placeholder(inputs[f], f === 'passphrase' ? 'dest.passphrase_ph' : 'dest.secret_ph');
    }
    cancelBtn.hidden = editing === null;
    setI18n(title, editing ? 'dest.edit' : 'dest.add', editing ? { name: editing.name } : undefined);
    inputs.name.readOnly = editing !== null;
  }
  kindSel.addEventListener('change', () => {
    clearErrors();
    layout();
  });

  function clearErrors(): void {
    for (const f of all) {
      errors[f].hidden = true;
      errors[f].textContent = '';
      inputs[f].removeAttribute('aria-invalid');
    }
  }

  function showErrors(list: FieldError[]): void {
    clearErrors();
    for (const e of list) {
      const f = e.field as TextField;
      if (!errors[f]) continue;
      errors[f].textContent = t(e.key, e.params);
      errors[f].hidden = false;
      inputs[f].setAttribute('aria-invalid', 'true');
    }
    const first = list[0];
    if (first && inputs[first.field as TextField]) inputs[first.field as TextField].focus();
  }

  function read(): DestinationForm {
    const f = emptyDestinationForm(kindSel.value as DestinationKind);
    for (const k of all) f[k] = inputs[k].value;
    return f;
  }

  async function submit(): Promise<void> {
    const res = validateDestination(read(), editing?.has_secret ?? false);
    if (!res.ok) {
      showErrors(res.errors);
      return;
    }
    clearErrors();
    saveBtn.disabled = true;
    try {
      if (await save(res.input)) reset();
    } finally {
      saveBtn.disabled = false;
    }
  }

  function reset(): void {
    editing = null;
    const blank = emptyDestinationForm(kindSel.value as DestinationKind);
    for (const k of all) inputs[k].value = blank[k];
    clearErrors();
    layout();
  }

  function edit(d: DestinationView): void {
    reset();
    editing = d;
    kindSel.value = d.kind;
    inputs.name.value = d.name;
    layout();
    inputs[FIELDS_BY_KIND[d.kind][1] as TextField].focus();
  }

  reset();
  return { element: form, edit, reset };
}
