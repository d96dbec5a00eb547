// The config's schema (defaults, ranges, units, descriptions) from GET /api/openapi.json.
//
// The request body of POST /api/config is described there group by group:
// {properties: {delegator: {properties: {w1: {type, default, minimum, maximum,
//  description: "weight of available energy [unit]"}}}}}; local $refs are followed.

function resolve(doc, node) {
  let n = node;
  for (let k = 0; n && n.$ref && k < 8; k++) {
    const path = String(n.$ref).replace(/^#\//, '').split('/');
    n = path.reduce((o, seg) => (o ? o[seg] : undefined), doc);
  }
  return n || {};
}

/** "weight of available energy [EU/s]" -> {doc: 'weight of available energy', unit: 'EU/s'}. */
export function splitUnit(description) {
  const m = /^(.*?)\s*\[([^\]]*)\]\s*$/.exec(String(description ?? ''));
  return m ? { doc: m[1], unit: m[2] } : { doc: String(description ?? ''), unit: '' };
}

/**
 * {group: {key: {type, default, min, max, unit, doc, choices}}} from an OpenAPI document, or {}
 * when it does not describe POST /api/config. `choices`: the allowed values of an enum (the
 * policies), else null.
 */
export function configSchema(openapi) {
  const op = openapi?.paths?.['/api/config']?.post;
  const body = resolve(openapi, op?.requestBody?.content?.['application/json']?.schema);
  const out = {};
  for (const [group, g] of Object.entries(body.properties || {})) {
    const props = resolve(openapi, g).properties;
    if (!props) continue;
    out[group] = {};
    for (const [key, raw] of Object.entries(props)) {
      const p = resolve(openapi, raw);
      const { doc, unit } = splitUnit(p.description);
      out[group][key] = {
        type: p.type || typeof p.default,
        default: p.default,
        min: Number.isFinite(p.minimum) ? p.minimum : null,
        max: Number.isFinite(p.maximum) ? p.maximum : null,
        unit: p['x-unit'] || unit,
        doc,
        choices: Array.isArray(p.enum) ? p.enum : null,
      };
    }
  }
  return out;
}

/** "" if `value` fits `spec`'s type and range, else why not (a hint; the server decides). */
export function rangeProblem(spec, value) {
  if (!spec) return '';
  if (spec.type === 'boolean') return typeof value === 'boolean' ? '' : 'true or false';
  if (spec.choices) return spec.choices.includes(value) ? '' : `one of ${spec.choices.join(', ')}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'a number';
  if (spec.type === 'integer' && !Number.isInteger(value)) return 'a whole number';
  if (spec.min !== null && value < spec.min) return `at least ${spec.min}`;
  if (spec.max !== null && value > spec.max) return `at most ${spec.max}`;
  return '';
}

/** "0 – 1", "≥ 0", "≤ 5" or "" for a spec's range. */
export function rangeText(spec) {
  if (!spec || spec.type === 'boolean') return '';
  if (spec.min !== null && spec.max !== null) return `${spec.min} – ${spec.max}`;
  if (spec.min !== null) return `≥ ${spec.min}`;
  if (spec.max !== null) return `≤ ${spec.max}`;
  return '';
}
