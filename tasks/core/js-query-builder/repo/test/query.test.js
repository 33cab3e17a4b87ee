'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { buildQuery, withQuery } = require('../src/query');

test('simple values', () => {
  assert.equal(buildQuery({ a: '1', b: 'x' }), 'a=1&b=x');
});

test('values are percent-encoded', () => {
  assert.equal(buildQuery({ q: 'fish & chips' }), 'q=fish%20%26%20chips');
  assert.equal(buildQuery({ q: 'café/€' }), 'q=caf%C3%A9%2F%E2%82%AC');
});

test('keys are encoded too', () => {
  assert.equal(buildQuery({ 'a b': 'c=d' }), 'a%20b=c%3Dd');
});

test('arrays become repeated keys', () => {
  assert.equal(buildQuery({ tags: ['a', 'b'], page: 2 }), 'tags=a&tags=b&page=2');
  assert.equal(buildQuery({ tags: [] , x: 1 }), 'x=1');
});

test('undefined and null are skipped', () => {
  assert.equal(buildQuery({ a: undefined, b: null, c: 0, d: false }), 'c=0&d=false');
});

test('withQuery appends correctly', () => {
  assert.equal(withQuery('/s', { q: 'a b' }), '/s?q=a%20b');
  assert.equal(withQuery('/s?x=1', { q: 'z' }), '/s?x=1&q=z');
  assert.equal(withQuery('/s', { q: undefined }), '/s');
});
