import { describe, expect, it } from 'vitest';
import { niceMax, Ring, STATS_HISTORY } from './ring';

describe('Ring', () => {
  it('keeps insertion order until full', () => {
    const r = new Ring<number>(3);
    r.push(1);
    r.push(2);
    expect(r.toArray()).toEqual([1, 2]);
    expect(r.length).toBe(2);
    expect(r.last()).toBe(2);
  });

  it('drops the oldest once full', () => {
    const r = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) r.push(i);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.length).toBe(3);
    expect(r.last()).toBe(5);
  });

  it('holds exactly five minutes of one-second samples', () => {
    expect(STATS_HISTORY).toBe(300);
    const r = new Ring<number>(STATS_HISTORY);
    for (let i = 0; i < 1000; i++) r.push(i);
    const a = r.toArray();
    expect(a.length).toBe(300);
    expect(a[0]).toBe(700);
    expect(a[299]).toBe(999);
  });

  it('clears and refuses a non-positive capacity', () => {
    const r = new Ring<string>(2);
    r.push('a');
    r.clear();
    expect(r.toArray()).toEqual([]);
    expect(r.last()).toBeUndefined();
    expect(() => new Ring(0)).toThrow(RangeError);
    expect(() => new Ring(1.5)).toThrow(RangeError);
  });
});

describe('niceMax', () => {
  it('rounds the largest value up to a round number, never below the floor', () => {
    expect(niceMax([], 30)).toBe(30);
    expect(niceMax([12, 29], 30)).toBe(30);
    expect(niceMax([31], 30)).toBe(50);
    expect(niceMax([2600], 1000)).toBe(5000);
    expect(niceMax([1900], 1000)).toBe(2000);
    expect(niceMax([Number.NaN, 40], 30)).toBe(50);
  });
});
