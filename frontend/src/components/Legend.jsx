// What the colours and shapes on the globe mean.

import { socGradientCss, DRONE_STATUS_COLORS } from '../lib/colors.js';

export default function Legend() {
  return (
    <div className="legend" data-testid="legend">
      <div className="legend-soc">
        <span className="legend-title">State of charge</span>
        <div className="legend-bar" style={{ background: socGradientCss() }} />
        <div className="legend-ticks"><span>0%</span><span>25</span><span>50</span><span>75</span><span>100%</span></div>
      </div>
      <div className="legend-keys">
        <span><i className="k-dot" /> sunlit</span>
        <span><i className="k-dot dim" /> eclipse (dimmed)</span>
        <span><i className="k-ring" /> blackout</span>
        <span><i className="k-beam" /> beam giver→receiver</span>
        <span><i className="k-gs" /> ground station</span>
        {Object.entries(DRONE_STATUS_COLORS).map(([s, c]) => (
          <span key={s}><i className={`k-drone k-${s}`} style={{ background: c }} /> {s.replace(/_/g, ' ')}</span>
        ))}
      </div>
    </div>
  );
}
