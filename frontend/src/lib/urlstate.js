// What the page shows, kept in the URL's query so a link reopens the same view.
//
//   ?sel=sat-042       selected satellite (its API id; sat-42 and 42 are read as sat-042 too)
//   &follow=1          camera follows it
//   &cam=12.5,-40.1,3.2  camera above lat, lon (degrees) at a distance in Earth radii
//   &q=plane%203       the search box
//   &feed=alert,sat    event kinds shown in the feed (default alert,sat,drone)
//   &closed=kpis,config  collapsed panels
//   &speed=120         time_scale asked for (applied to the server once, when the link opens)

import { satId, satIndexTyped } from './protocol.js';

export const DEFAULT_FEED = ['alert', 'sat', 'drone'];
export const FEED_KINDS = ['alert', 'sat', 'drone', 'task'];

const num = (s) => (s !== null && s !== '' && Number.isFinite(Number(s)) ? Number(s) : null);

/** Parse a location.search string into the view state (unknown or bad values are dropped). */
export function parseUrlState(search) {
  const p = new URLSearchParams(search || '');
  const sel = p.has('sel') ? satIndexTyped(p.get('sel')) : -1;
  const cam = (p.get('cam') || '').split(',').map(num);
  const feed = p.has('feed') ? p.get('feed').split(',').filter((k) => FEED_KINDS.includes(k)) : DEFAULT_FEED;
  const closed = p.has('closed') ? p.get('closed').split(',').filter(Boolean) : null;
  const speed = num(p.get('speed'));
  return {
    sel,
    follow: p.get('follow') === '1',
    cam: cam.length === 3 && cam.every((v) => v !== null) && Math.abs(cam[0]) <= 90 && cam[2] > 1
      ? { lat: cam[0], lon: cam[1], dist: cam[2] } : null,
    q: p.get('q') || '',
    feed,
    closed,
    speed: speed !== null && speed > 0 ? speed : null,
  };
}

/** The query string (with `?`, or '' when everything is default) for a view state. */
export function toUrlSearch(s) {
  const p = new URLSearchParams();
  if (s.sel >= 0) p.set('sel', satId(s.sel));
  if (s.sel >= 0 && s.follow) p.set('follow', '1');
  if (s.cam) p.set('cam', [s.cam.lat.toFixed(1), s.cam.lon.toFixed(1), s.cam.dist.toFixed(2)].join(','));
  if (s.q) p.set('q', s.q);
  const feed = FEED_KINDS.filter((k) => s.feed?.includes(k));
  if (feed.join(',') !== DEFAULT_FEED.join(',')) p.set('feed', feed.join(','));
  if (s.closed && s.closed.length) p.set('closed', s.closed.join(','));
  if (s.speed) p.set('speed', String(s.speed));
  const out = p.toString().replace(/%2C/g, ',');
  return out ? `?${out}` : '';
}
