// Activities and session reports for tests, typed as the shell sends them.

import type { Activity, ActivitySpec, SessionReport, SessionSummary } from '../ipc';

/** A running coupon unless `over` says otherwise. */
export function activity(over: Partial<Activity> = {}, spec?: ActivitySpec): Activity {
  return {
    id: 'a1',
    spec: spec ?? {
      kind: 'coupon',
      title: '10% off',
      discount: { type: 'percent', percent: 10 },
      min_spend: 0,
      currency: 'CNY',
      quantity: 100,
      per_user: 1,
      duration_secs: 600,
      goods_id: null,
      exclude_muted: true,
    },
    by: { id: 'host_1', nick: 'Host', role: 'host' },
    created_at: 1_000_000,
    ends_at: 1_600_000,
    phase: 'running',
    ended_at: null,
    end_reason: null,
    taken: 0,
    people: 0,
    remaining: 100,
    commitment: null,
    seed: null,
    winners: [],
    ...over,
  };
}

export function drawSpec(over: Partial<Extract<ActivitySpec, { kind: 'draw' }>> = {}): ActivitySpec {
  return { kind: 'draw', prize: 'Tea set', keyword: '666', winners: 3, duration_secs: 60, exclude_muted: true, ...over };
}

export function summary(over: Partial<SessionSummary> = {}): SessionSummary {
  return {
    id: 's1700000000000',
    room: 'demo',
    started_at: 1_700_000_000_000,
    ended_at: 1_700_000_000_000 + 3_723_000,
    orders: 7,
    revenue: { CNY: 69_300 },
    ...over,
  };
}

/** A small session: two products (one with a hostile name), three minutes, one draw. */
export function report(evil = '<img src=x onerror=alert(1)>'): SessionReport {
  const t0 = 1_700_000_000_000;
  const minute = (i: number, online: number, barrage: number, orders: number) => ({
    t: t0 + i * 60_000,
    online,
    peak_online: online + 2,
    barrage,
    orders,
    units: orders,
    revenue: { CNY: orders * 9900 },
  });
  const product = (goods_id: string, name: string, over: Partial<SessionReport['products'][number]>) => ({
    goods_id,
    name,
    explain_ms: 0,
    explains: 1,
    views_during: 0,
    views_after: 0,
    clicks_during: 0,
    clicks_after: 0,
    orders: 0,
    units: 0,
    revenue: {},
    coupon_claims: 0,
    gifts: 0,
    gift_value: 0,
    likes: 0,
    online_start: null,
    online_end: null,
    ...over,
  });
  return {
    summary: summary(),
    headline: {
      duration_ms: 3_723_000,
      peak_online: 128,
      avg_online: 64.4,
      new_followers: 12,
      barrage: 3456,
      gifts: 40,
      gift_value: 8800,
      likes: 999,
      orders: 7,
      units: 9,
      revenue: { CNY: 69_300, USD: 1_250 },
      coupon_claims: 5,
    },
    timeline: [minute(0, 50, 20, 1), minute(1, 80, 35, 4), minute(2, 60, 10, 2)],
    windows: [
      { goods_id: 'p1', start: t0, end: t0 + 90_000, online_start: 50, online_end: 80 },
      { goods_id: 'p2', start: t0 + 90_000, end: null, online_start: 80, online_end: null },
    ],
    products: [
      product('p1', evil, { explain_ms: 90_000, orders: 2, units: 2, revenue: { CNY: 19_800 }, views_during: 9 }),
      product('p2', 'Silk Scarf', { explain_ms: 600_000, orders: 10, units: 12, revenue: { CNY: 49_500 }, views_during: 30 }),
      product('p3', 'Matcha', { explain_ms: 5_000, orders: 3, units: 3, revenue: { CNY: 100_000 }, views_during: 100 }),
    ],
    activities: [
      activity(
        {
          id: 'a2',
          phase: 'ended',
          ended_at: t0 + 60_000,
          end_reason: 'time',
          taken: 40,
          people: 40,
          remaining: null,
          winners: [
            { user_id: 'u1', nick: evil, amount: 0 },
            { user_id: 'u2', nick: 'Bo', amount: 0 },
          ],
        },
        drawSpec({ prize: evil }),
      ),
    ],
  };
}
