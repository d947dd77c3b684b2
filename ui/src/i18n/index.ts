// Translations: en is the reference; zh-CN and ko must have exactly its
// keys (the compiler checks the types, a test checks the runtime objects).

import type { Language } from '../ipc';
import { en, type MessageKey, type Messages } from './en';
import { ko } from './ko';
import { zhCN } from './zh-CN';

export type { MessageKey, Messages };
export type Params = Record<string, string | number>;

export const LANGUAGES: readonly Language[] = ['zh-CN', 'en', 'ko'];
export const CATALOGS: Record<Language, Messages> = { en, 'zh-CN': zhCN, ko };

let current: Language = 'en';
const listeners = new Set<(lang: Language) => void>();

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

/** The language to start in: the saved one, else the system's, else English. */
export function pickLanguage(saved: unknown, navigatorLanguage: string | undefined): Language {
  if (isLanguage(saved)) return saved;
  const nav = (navigatorLanguage ?? '').toLowerCase();
  if (nav.startsWith('zh')) return 'zh-CN';
  if (nav.startsWith('ko')) return 'ko';
  return 'en';
}

export function language(): Language {
  return current;
}

export function setLanguage(lang: Language): void {
  if (lang === current) return;
  current = lang;
  document.documentElement.lang = lang;
  for (const l of listeners) l(lang);
}

export function onLanguage(cb: (lang: Language) => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

/** Translates `key`, filling `{name}` placeholders from `params`. */
export function t(key: MessageKey, params?: Params): string {
  const msg = CATALOGS[current][key] ?? en[key] ?? key;
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m,
  );
}
