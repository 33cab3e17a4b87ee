'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { clamp } = require('../src/clamp');

test('inside the interval', () => {
  assert.equal(clamp(5, 0, 10), 5);
});

test('below and above', () => {
  assert.equal(clamp(-3, 0, 10), 0);
  assert.equal(clamp(42, 0, 10), 10);
});

test('swapped bounds are treated as the same interval', () => {
  assert.equal(clamp(42, 10, 0), 10);
  assert.equal(clamp(5, 10, 0), 5);
});

test('swapped bounds are a programming error', () => {
  assert.throws(() => clamp(5, 10, 0), RangeError);
});
