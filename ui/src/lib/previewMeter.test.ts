import { describe, expect, it } from 'vitest';
import { PreviewMeter } from './previewMeter';

describe('PreviewMeter', () => {
  it('counts frames drawn in the last second as fps', () => {
    const m = new PreviewMeter(1000, 30);
    // 30 frames, one every 33 ms, ending at t=1000
    for (let i = 0; i < 30; i++) m.drawn(1000 - 29 * 33 + i * 33, 40);
    expect(m.snapshot(1000).fps).toBe(30);
    expect(m.snapshot(1000).frames).toBe(30);
  });

  it('lets fps fall to zero when frames stop', () => {
    const m = new PreviewMeter(1000, 30);
    for (let i = 0; i < 10; i++) m.drawn(i * 100, 10);
    expect(m.snapshot(950).fps).toBe(10);
    expect(m.snapshot(1450).fps).toBe(5); // frames at 500..900 remain
    expect(m.snapshot(5000).fps).toBe(0);
    expect(m.snapshot(5000).frames).toBe(10);
  });

  it('averages latency over the most recent samples only', () => {
    const m = new PreviewMeter(1000, 4);
    for (const l of [500, 500, 500, 500]) m.drawn(0, l);
    expect(m.snapshot(0).latency_ms).toBe(500);
    for (const l of [20, 40, 60, 80]) m.drawn(10, l);
    expect(m.snapshot(10).latency_ms).toBe(50);
  });

  it('reports 0 latency before any frame and ignores non-finite latency', () => {
    const m = new PreviewMeter();
    expect(m.snapshot(0)).toEqual({ fps: 0, latency_ms: 0, frames: 0, dropped: 0 });
    m.drawn(0, Number.NaN);
    expect(m.snapshot(0).latency_ms).toBe(0);
    expect(m.snapshot(0).frames).toBe(1);
  });

  it('counts dropped frames separately from drawn ones', () => {
    const m = new PreviewMeter();
    m.droppedFrame();
    m.droppedFrame();
    m.drawn(0, 1);
    expect(m.snapshot(0)).toMatchObject({ frames: 1, dropped: 2 });
  });

  it('resetWindow clears the rolling window but keeps totals', () => {
    const m = new PreviewMeter();
    m.drawn(0, 100);
    m.resetWindow();
    expect(m.snapshot(10)).toMatchObject({ fps: 0, latency_ms: 0, frames: 1 });
  });
});
