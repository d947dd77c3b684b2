import { afterEach, describe, expect, it } from 'vitest';
import { en } from './en';
import { CATALOGS, language, LANGUAGES, pickLanguage, setLanguage, t } from './index';
import { ko } from './ko';
import { zhCN } from './zh-CN';

// Every non-test source file of the UI, as text (Vite's glob import).
const SOURCES = import.meta.glob<string>(['../**/*.ts', '!../**/*.test.ts', '!../i18n/**', '!../test/**'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

/** Every literal that looks like a message key ('area.name') in the UI's sources. */
function usedKeys(): Set<string> {
  const keys = new Set<string>();
  const re = /'([a-z]+(?:_[a-z]+)*\.[a-z0-9_]+)'/g;
  for (const text of Object.values(SOURCES)) {
    for (const m of text.matchAll(re)) keys.add(m[1] as string);
  }
  return keys;
}

/** Keys built from templates (`sources.kind_${k}`), expanded by hand. */
const TEMPLATE_KEYS = [
  ...['smoothing', 'whitening', 'ruddy', 'sharpen'].map((k) => `beauty.${k}`),
  ...['name', 'push_domain', 'app', 'stream', 'key', 'valid_hours', 'url', 'stream_key', 'passphrase'].map((k) => `dest.${k}`),
  ...['tencent', 'custom', 'srt'].map((k) => `dest.kind_${k}`),
  ...['go_live', 'mute_mic', 'next_product', 'beauty_toggle'].map((k) => `hotkey.${k}`),
  ...['live', 'rehearsal', 'assistant'].map((k) => `mode.${k}`),
  ...['connecting', 'live', 'reconnecting', 'failed', 'stopped', 'unknown'].map((k) => `output.state_${k}`),
  ...['choosing', 'preview', 'starting', 'on_air', 'ending', 'ended'].map((k) => `phase.${k}`),
  ...['viewers', 'barrage_per_s', 'gifts_per_s', 'take_part', 'card_clicks_per_s'].map((k) => `rehearsal.${k}`),
  ...['test', 'camera', 'screen', 'file', 'image'].map((k) => `sources.kind_${k}`),
  ...['fps', 'video_kbps', 'cpu_percent'].map((k) => `stats.series_${k}`),
];

afterEach(() => setLanguage('en'));

describe('i18n catalogues', () => {
  it('zh-CN and ko have exactly the keys of en', () => {
    const ref = Object.keys(en).sort();
    expect(Object.keys(zhCN).sort()).toEqual(ref);
    expect(Object.keys(ko).sort()).toEqual(ref);
    expect(Object.keys(CATALOGS).sort()).toEqual([...LANGUAGES].sort());
  });

  it('has no empty message in any language', () => {
    for (const lang of LANGUAGES) {
      for (const [k, v] of Object.entries(CATALOGS[lang])) expect(v.trim(), `${lang} ${k}`).not.toBe('');
    }
  });

  it('keeps the same {placeholders} in every translation', () => {
    const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [k, v] of Object.entries(en)) {
      expect(ph(zhCN[k as keyof typeof en]), `zh-CN ${k}`).toEqual(ph(v));
      expect(ph(ko[k as keyof typeof en]), `ko ${k}`).toEqual(ph(v));
    }
  });

  it('defines every key the sources use', () => {
    const used = usedKeys();
    // The scan must find the keys (a broken regex would pass vacuously).
    expect(Object.keys(SOURCES).length).toBeGreaterThan(20);
    expect(used.size).toBeGreaterThan(150);
    const missing = [...used, ...TEMPLATE_KEYS].filter((k) => !(k in en) && !isNonKey(k));
    expect(missing).toEqual([]);
  });
});

/** Literals that look like keys but are file names or selectors. */
function isNonKey(k: string): boolean {
  return /\.(ts|css|json|png|mkv)$/.test(k) || k.startsWith('virtual:');
}

describe('t() and language choice', () => {
  it('translates and fills placeholders', () => {
    setLanguage('en');
    expect(t('golive.message', { n: 2 })).toContain('2 destination');
    setLanguage('zh-CN');
    expect(language()).toBe('zh-CN');
    expect(t('output.go_live')).toBe('开始直播');
    setLanguage('ko');
    expect(t('toolbar.room_connected', { online: 5 })).toContain('5');
  });

  it('starts from the saved language, else the system language, else English', () => {
    expect(pickLanguage('ko', 'zh-CN')).toBe('ko');
    expect(pickLanguage(undefined, 'zh-TW')).toBe('zh-CN');
    expect(pickLanguage(null, 'ko-KR')).toBe('ko');
    expect(pickLanguage('fr', 'de-DE')).toBe('en');
    expect(pickLanguage(undefined, undefined)).toBe('en');
  });
});
