import { afterEach, describe, expect, it } from 'vitest';
import { language } from '../i18n';
import { localeForUplot } from './reportChart';

describe('the chart library locale', () => {
  // Each test shadows the getter with its own value; removing it
  // brings back jsdom's.
  afterEach(() => {
    delete (navigator as unknown as Record<string, unknown>).language;
  });

  it('replaces a POSIX "C" locale, which Intl refuses, with the app language', () => {
    Object.defineProperty(navigator, 'language', { value: 'C', configurable: true });
    expect(() => new Intl.NumberFormat(navigator.language)).toThrow();
    localeForUplot();
    expect(navigator.language).toBe(language());
    expect(() => new Intl.NumberFormat(navigator.language)).not.toThrow();
  });

  it('keeps a valid browser language', () => {
    Object.defineProperty(navigator, 'language', { value: 'ko-KR', configurable: true });
    localeForUplot();
    expect(navigator.language).toBe('ko-KR');
  });
});
