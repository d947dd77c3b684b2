import { describe, expect, it } from 'vitest';
import { currencyDigits, hms, majorText, mmss, money, parseMajor } from './format';

describe('money, by the currency’s own minor unit', () => {
  it('knows each currency’s digits from Intl', () => {
    expect(currencyDigits('CNY')).toBe(2);
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('KRW')).toBe(0);
    expect(currencyDigits('BHD')).toBe(3);
    expect(currencyDigits('no')).toBeNull();
  });

  it('formats minor units for the window’s language', () => {
    expect(money(9900, 'CNY', 'zh-CN')).toBe('¥99.00');
    expect(money(500, 'JPY', 'ja')).toBe('￥500');
    expect(money(500, 'JPY', 'en')).toBe('¥500');
    expect(money(15000, 'KRW', 'ko')).toBe('₩15,000');
    expect(money(1999, 'USD', 'en')).toBe('$19.99');
    expect(money(1234, 'BHD', 'en')).toContain('1.234');
    // A code Intl cannot format is shown as it came.
    expect(money(100, 'no', 'en')).toBe('100 no');
    expect(money(Number.NaN, 'CNY', 'en')).toBe('—');
  });

  it('writes minor units as the plain text an input edits', () => {
    expect(majorText(9900, 'CNY')).toBe('99.00');
    expect(majorText(5, 'CNY')).toBe('0.05');
    expect(majorText(500, 'JPY')).toBe('500');
    expect(majorText(1234, 'BHD')).toBe('1.234');
  });

  it('parses what the user typed into minor units, without float rounding', () => {
    expect(parseMajor('99.00', 'CNY')).toEqual({ ok: true, minor: 9900 });
    expect(parseMajor(' 99 ', 'CNY')).toEqual({ ok: true, minor: 9900 });
    expect(parseMajor('0.29', 'CNY')).toEqual({ ok: true, minor: 29 });
    expect(parseMajor('1,299.5', 'USD')).toEqual({ ok: true, minor: 129950 });
    expect(parseMajor('500', 'JPY')).toEqual({ ok: true, minor: 500 });
    expect(parseMajor('500.5', 'JPY')).toEqual({ ok: false, why: 'digits', digits: 0 });
    expect(parseMajor('9.999', 'CNY')).toEqual({ ok: false, why: 'digits', digits: 2 });
    expect(parseMajor('-1', 'CNY')).toMatchObject({ ok: false, why: 'number' });
    expect(parseMajor('1e3', 'CNY')).toMatchObject({ ok: false, why: 'number' });
    expect(parseMajor('', 'CNY')).toMatchObject({ ok: false, why: 'empty' });
    expect(parseMajor('1', 'no')).toMatchObject({ ok: false, why: 'currency' });
  });

  it('round-trips through the input text', () => {
    for (const [minor, cur] of [[9900, 'CNY'], [1, 'USD'], [500, 'JPY'], [1001, 'BHD']] as const) {
      expect(parseMajor(majorText(minor, cur), cur)).toEqual({ ok: true, minor });
    }
  });
});

describe('timers', () => {
  it('shows the explain time as mm:ss, minutes past an hour included', () => {
    expect(mmss(0)).toBe('00:00');
    expect(mmss(61_999)).toBe('01:01');
    expect(mmss(75 * 60_000 + 3_000)).toBe('75:03');
    expect(mmss(-5_000)).toBe('00:00');
    expect(mmss(Number.NaN)).toBe('00:00');
    expect(hms(3_661_000)).toBe('01:01:01');
  });
});
