import { beforeEach, describe, expect, it, vi } from 'vitest';

const ipc = vi.hoisted(() => ({
  invoke: vi.fn(),
  listen: vi.fn(),
}));
vi.mock('@tauri-apps/api/core', () => ({ invoke: ipc.invoke, isTauri: () => true }));
vi.mock('@tauri-apps/api/event', () => ({ listen: ipc.listen }));

import { api, dispatchStudioEvent, on, setListenErrorSink, subscriberCount, toApiError } from './api';
import { COMMANDS } from './bindings';

beforeEach(() => {
  ipc.invoke.mockReset();
  ipc.invoke.mockResolvedValue(null);
  ipc.listen.mockReset();
  ipc.listen.mockResolvedValue(() => {});
});

describe('commands', () => {
  it('has a wrapper for every command the shell answers', () => {
    expect(Object.keys(api)).toHaveLength(COMMANDS.length);
  });

  it('sends the contract names and snake_case arguments', async () => {
    await api.enterMode('assistant', 'http://room:8787/r/demo', 'tok');
    expect(ipc.invoke).toHaveBeenLastCalledWith('enter_mode', {
      mode: 'assistant',
      room_url: 'http://room:8787/r/demo',
      token: 'tok',
    });
    await api.enterMode('rehearsal', null, null);
    // No camelCase twin: the shell reads the contract's names.
    expect(ipc.invoke).toHaveBeenLastCalledWith('enter_mode', { mode: 'rehearsal', room_url: null, token: null });
    await api.setBeautyBypass(true);
    expect(ipc.invoke).toHaveBeenLastCalledWith('set_beauty_bypass', { bypass: true });
    await api.goLive(['a'], true);
    expect(ipc.invoke).toHaveBeenLastCalledWith('go_live', { destinations: ['a'], confirmed: true });
    await expect(api.confirmClose()).resolves.toBeNull();
    expect(ipc.invoke).toHaveBeenLastCalledWith('confirm_close', undefined);
  });

  it('rejects with {code, message}', async () => {
    ipc.invoke.mockRejectedValueOnce({ code: 'forbidden', message: 'host only' });
    await expect(api.goLive([], true)).rejects.toEqual({ code: 'forbidden', message: 'host only' });
    ipc.invoke.mockRejectedValueOnce('command go_live not found');
    await expect(api.goLive([], true)).rejects.toEqual({ code: 'internal', message: 'command go_live not found' });
  });
});

describe('toApiError', () => {
  it('keeps the shell’s code as sent and maps anything else to internal', () => {
    expect(toApiError({ code: 'push', message: 'x' })).toEqual({ code: 'push', message: 'x' });
    // A code newer than this page is still shown as the shell named it.
    expect(toApiError({ code: 'quota', message: 'x' })).toEqual({ code: 'quota', message: 'x' });
    expect(toApiError({ message: 'x' })).toEqual({ code: 'internal', message: 'x' });
    expect(toApiError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toApiError(42)).toEqual({ code: 'internal', message: '42' });
  });
});

describe('the studio event', () => {
  it('is one Tauri subscription, fanned out by type', () => {
    const sessions: unknown[] = [];
    const closes: unknown[] = [];
    const offA = on('session', (s) => sessions.push(s.phase));
    const offB = on('close_requested', (p) => closes.push(p));
    expect(ipc.listen).toHaveBeenCalledTimes(1);
    expect(ipc.listen).toHaveBeenCalledWith('studio', expect.any(Function));
    const handler = ipc.listen.mock.calls[0]![1] as (e: { payload: unknown }) => void;
    handler({ payload: { type: 'session', payload: { phase: 'preview' } } });
    handler({ payload: { type: 'close_requested' } });
    handler({ payload: { type: 'stats', payload: { fps: 1 } } });
    handler({ payload: null });
    expect(sessions).toEqual(['preview']);
    expect(closes).toEqual([null]);
    offA();
    offB();
    expect(subscriberCount()).toBe(0);
  });

  it('unsubscribes, and releases the Tauri listener even before listen resolved', async () => {
    const un = vi.fn();
    let resolve: (u: () => void) => void = () => {};
    ipc.listen.mockImplementation(() => new Promise((r) => (resolve = r)));
    const got: number[] = [];
    const off = on('stats', (p) => got.push(p.fps));
    dispatchStudioEvent({ type: 'stats', payload: { fps: 30 } as never });
    expect(got).toEqual([30]);
    expect(subscriberCount('stats')).toBe(1);
    off();
    off();
    expect(subscriberCount('stats')).toBe(0);
    dispatchStudioEvent({ type: 'stats', payload: { fps: 1 } as never });
    expect(got).toEqual([30]);
    resolve(un);
    await new Promise((r) => setTimeout(r, 0));
    expect(un).toHaveBeenCalledTimes(1);
  });

  it('a failing subscriber is reported and does not stop the others', () => {
    const errors: string[] = [];
    setListenErrorSink((name, err) => errors.push(`${name} ${err.message}`));
    const got: unknown[] = [];
    const offA = on('devices', () => {
      throw new Error('bad panel');
    });
    const offB = on('devices', (d) => got.push(d));
    dispatchStudioEvent({ type: 'devices', payload: [] });
    expect(got).toEqual([[]]);
    expect(errors).toEqual(['studio:devices bad panel']);
    offA();
    offB();
    setListenErrorSink(null);
  });
});
