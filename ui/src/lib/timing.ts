// Throttle and debounce with explicit flush/cancel (and injectable timers
// through the global fake timers in tests).

export interface Throttled<A extends unknown[]> {
  (...args: A): void;
  /** Run a pending trailing call now. */
  flush(): void;
  cancel(): void;
}

/**
 * At most one call per `ms`: the first runs at once, the last one in a
 * burst runs at the end of the interval (so the final value always lands).
 */
export function throttle<A extends unknown[]>(fn: (...args: A) => void, ms: number): Throttled<A> {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: A | null = null;
  const run = (args: A) => {
    last = Date.now();
    fn(...args);
  };
  const t = ((...args: A) => {
    const now = Date.now();
    const wait = last + ms - now;
    if (wait <= 0 && timer === null) {
      run(args);
      return;
    }
    pending = args;
    if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        if (pending) {
          const p = pending;
          pending = null;
          run(p);
        }
      }, Math.max(0, wait));
    }
  }) as Throttled<A>;
  t.flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending) {
      const p = pending;
      pending = null;
      run(p);
    }
  };
  t.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pending = null;
  };
  return t;
}

/** Runs `fn` once, `ms` after the last call. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): Throttled<A> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: A | null = null;
  const d = ((...args: A) => {
    pending = args;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      const p = pending;
      pending = null;
      if (p) fn(...p);
    }, ms);
  }) as Throttled<A>;
  d.flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const p = pending;
    pending = null;
    if (p) fn(...p);
  };
  d.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pending = null;
  };
  return d;
}
