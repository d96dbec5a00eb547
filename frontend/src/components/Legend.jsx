// What the colours and shapes on the globe mean; collapsible to a small button.

import { socGradientCss, DRONE_STATUS_COLORS } from '../lib/colors.js';

export function LegendBody() {
  return (
    <>
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
    </>
  );
}

export default function Legend({ fold }) {
  return (
    <div className={`legend${fold.closed ? ' folded' : ''}`} data-testid="legend" data-floating>
      <button type="button" className="legend-toggle" aria-expanded={!fold.closed} data-testid="toggle-legend"
        title={fold.closed ? 'show the legend' : 'hide the legend'} onClick={fold.toggle}>
        {fold.closed ? 'Legend ▴' : '▾'}
      </button>
      {!fold.closed && <LegendBody />}
    </div>
  );
}
