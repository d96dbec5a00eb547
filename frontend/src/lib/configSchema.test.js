import { describe, it, expect } from 'vitest';
import { configSchema, rangeProblem, rangeText, splitUnit } from './configSchema.js';

const openapi = {
  paths: { '/api/config': { post: { requestBody: { content: { 'application/json': { schema: {
    type: 'object',
    properties: {
      delegator: { type: 'object', properties: {
        w1: { type: 'number', default: 0.35, minimum: 0, maximum: 1, description: 'weight of available energy []' },
      } },
      beam: { $ref: '#/components/schemas/Beam' },
    },
  } } } } } } },
  components: { schemas: { Beam: { type: 'object', properties: {
    rate_eu_per_s: { type: 'number', default: 4, minimum: 0, description: 'beam rate [EU/s]' },
    enabled: { type: 'boolean', default: true, description: 'beaming on' },
    beam_policy: { type: 'string', default: 'v1', enum: ['v1', 'predictive'], description: 'beaming policy' },
  } } } },
};

describe('config schema from OpenAPI', () => {
  it('reads defaults, ranges, units and descriptions, following $refs', () => {
    const s = configSchema(openapi);
    expect(s.delegator.w1).toEqual({ type: 'number', default: 0.35, min: 0, max: 1, unit: '', doc: 'weight of available energy',
      choices: null });
    expect(s.beam.rate_eu_per_s).toMatchObject({ unit: 'EU/s', min: 0, max: null, doc: 'beam rate' });
    expect(s.beam.enabled.type).toBe('boolean');
  });
  it('is empty for a document without the route', () => {
    expect(configSchema({})).toEqual({});
    expect(configSchema(null)).toEqual({});
  });
  it('splits units and checks ranges', () => {
    expect(splitUnit('tick length [s]')).toEqual({ doc: 'tick length', unit: 's' });
    const w1 = configSchema(openapi).delegator.w1;
    expect(rangeProblem(w1, 5)).toBe('at most 1');
    expect(rangeProblem(w1, 'x')).toBe('a number');
    expect(rangeProblem(w1, 0.5)).toBe('');
    expect(rangeText(w1)).toBe('0 – 1');
    expect(rangeText({ type: 'number', min: 0, max: null })).toBe('≥ 0');
  });
  it('reads an enum as choices and checks a value against them', () => {
    const policy = configSchema(openapi).beam.beam_policy;
    expect(policy.choices).toEqual(['v1', 'predictive']);
    expect(rangeProblem(policy, 'predictive')).toBe('');
    expect(rangeProblem(policy, 'greedy')).toBe('one of v1, predictive');
  });
});
