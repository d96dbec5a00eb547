// Small React hooks: re-render on a timer (panels read the store a few times a second).

import { useEffect, useState } from 'react';

/** Re-render the calling component every `ms` milliseconds; returns a counter. */
export function useTicker(ms) {
  const [n, setN] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setN((x) => x + 1), ms);
    return () => clearInterval(id);
  }, [ms]);
  return n;
}

/** Run `fn` now and then every `ms` ms while `enabled`; `fn` may be async. */
export function useInterval(fn, ms, enabled = true) {
  useEffect(() => {
    if (!enabled) return undefined;
    let stop = false;
    const run = () => { if (!stop) fn(); };
    run();
    const id = setInterval(run, ms);
    return () => { stop = true; clearInterval(id); };
  }, [fn, ms, enabled]);
}

/** Whether the CSS media query `query` matches, kept current as the window resizes. */
export function useMedia(query) {
  const get = () => (typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(query).matches : false);
  const [matches, setMatches] = useState(get);
  useEffect(() => {
    if (typeof window === 'undefined' || !window.matchMedia) return undefined;
    const mq = window.matchMedia(query);
    const on = () => setMatches(mq.matches);
    on();
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, [query]);
  return matches;
}
