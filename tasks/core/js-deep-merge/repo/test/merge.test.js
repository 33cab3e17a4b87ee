'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { deepMerge } = require('../lib/merge');

const defaults = () => ({
  theme: { color: 'blue', font: { size: 12, family: 'sans' } },
  features: ['search', 'export'],
  limits: { users: 10 },
  banner: 'hello',
});

test('merges nested objects', () => {
  const out = deepMerge(defaults(), { theme: { font: { size: 14 } } });
  assert.deepEqual(out.theme, { color: 'blue', font: { size: 14, family: 'sans' } });
});

test('does not mutate defaults', () => {
  const d = defaults();
  const snapshot = structuredClone(d);
  deepMerge(d, { theme: { color: 'red' }, limits: { users: 99 } });
  assert.deepEqual(d, snapshot);
});

test('does not mutate overrides nor share nested objects', () => {
  const o = { limits: { users: 5 } };
  const out = deepMerge(defaults(), o);
  out.limits.users = 1;
  assert.equal(o.limits.users, 5);
  const d = defaults();
  const out2 = deepMerge(d, {});
  out2.theme.color = 'green';
  assert.equal(d.theme.color, 'blue');
});

test('arrays are replaced, not merged', () => {
  assert.deepEqual(deepMerge(defaults(), { features: ['billing'] }).features, ['billing']);
});

test('undefined keeps default, null overrides', () => {
  const out = deepMerge(defaults(), { banner: undefined, limits: null });
  assert.equal(out.banner, 'hello');
  assert.equal(out.limits, null);
});

test('__proto__ keys do not pollute prototypes', () => {
  deepMerge({}, JSON.parse('{"__proto__": {"polluted": true}}'));
  assert.equal({}.polluted, undefined);
});
