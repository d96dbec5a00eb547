// A tiny SVG sparkline of a numeric series (NaN gaps skipped).

export default function Sparkline({ values, width = 120, height = 26, color = '#5ad1ff', min, max, fill = true }) {
  const pts = [];
  let lo = min, hi = max;
  if (lo === undefined || hi === undefined) {
    let a = Infinity, b = -Infinity;
    for (const v of values) if (Number.isFinite(v)) { if (v < a) a = v; if (v > b) b = v; }
    if (lo === undefined) lo = Number.isFinite(a) ? Math.min(0, a) : 0;
    if (hi === undefined) hi = Number.isFinite(b) ? b : 1;
  }
  if (hi - lo < 1e-9) hi = lo + 1;
  const n = values.length;
  const step = n > 1 ? width / (n - 1) : width;
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    const y = height - 1 - ((v - lo) / (hi - lo)) * (height - 2);
    pts.push(`${(i * step).toFixed(1)},${y.toFixed(1)}`);
  });
  const line = pts.join(' ');
  return (
    <svg className="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none">
      {fill && pts.length > 1 && (
        <polygon points={`${pts[0].split(',')[0]},${height} ${line} ${pts.at(-1).split(',')[0]},${height}`}
          fill={color} opacity="0.14" />
      )}
      {pts.length > 1 && <polyline points={line} fill="none" stroke={color} strokeWidth="1.4" vectorEffect="non-scaling-stroke" />}
    </svg>
  );
}
