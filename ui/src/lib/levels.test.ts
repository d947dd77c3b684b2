import { describe, expect, it } from 'vitest';
import { dbToFraction, PeakHold } from './levels';

describe('dbToFraction', () => {
  it('maps -60..0 dBFS onto 0..1 and clamps outside', () => {
    expect(dbToFraction(-60)).toBe(0);
    expect(dbToFraction(0)).toBe(1);
    expect(dbToFraction(-30)).toBeCloseTo(0.5);
    expect(dbToFraction(-90)).toBe(0);
    expect(dbToFraction(6)).toBe(1);
    expect(dbToFraction(-Infinity)).toBe(0);
    expect(dbToFraction(Number.NaN)).toBe(0);
  });
});

describe('PeakHold', () => {
  it('holds a peak for 1.5 s, then falls', () => {
    const p = new PeakHold(1500, 20);
    expect(p.update(-6, 0)).toBe(-6);
    expect(p.update(-30, 500)).toBe(-6);
    expect(p.read(1500)).toBe(-6);
    expect(p.read(2000)).toBeCloseTo(-16); // 0.5 s × 20 dB/s
  });

  it('takes a higher peak at once and restarts the hold', () => {
    const p = new PeakHold(1500, 20);
    p.update(-20, 0);
    expect(p.update(-3, 100)).toBe(-3);
    expect(p.read(1600)).toBe(-3);
  });

  it('takes a lower peak once the held one has fallen below it', () => {
    const p = new PeakHold(1500, 20);
    p.update(-10, 0);
    expect(p.read(2500)).toBeCloseTo(-30);
    expect(p.update(-20, 2500)).toBe(-20);
  });

  it('falls away entirely below the meter floor', () => {
    const p = new PeakHold(1500, 20);
    p.update(-50, 0);
    expect(p.read(10_000)).toBe(-Infinity);
  });
});
