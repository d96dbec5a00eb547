// Pace warnings from the server's tick payload: slower than requested, or this page lagging.

import { useTicker } from './hooks.js';
import { paceWarnings } from '../lib/pace.js';

export default function SpeedBanner({ store }) {
  useTicker(500);
  const warnings = paceWarnings(store.pace);
  if (!warnings.length) return null;
  return (
    <div className="banner banner-stale banner-pace" role="status" data-testid="pace-warning">
      {warnings.join(' · ')}
    </div>
  );
}
