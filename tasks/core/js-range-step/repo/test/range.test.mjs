import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunk, range } from '../src/range.mjs';

test('single argument', () => {
  assert.deepEqual(range(4), [0, 1, 2, 3]);
  assert.deepEqual(range(0), []);
});

test('end is exclusive', () => {
  assert.deepEqual(range(2, 5), [2, 3, 4]);
  assert.deepEqual(range(0, 10, 3), [0, 3, 6, 9]);
  assert.deepEqual(range(0, 9, 3), [0, 3, 6]);
});

test('negative step counts down', () => {
  assert.deepEqual(range(5, 0, -1), [5, 4, 3, 2, 1]);
  assert.deepEqual(range(10, 0, -4), [10, 6, 2]);
});

test('empty when the direction is wrong', () => {
  assert.deepEqual(range(5, 0), []);
  assert.deepEqual(range(0, 5, -1), []);
});

test('zero step throws', () => {
  assert.throws(() => range(0, 1, 0), RangeError);
});

test('chunk keeps the remainder', () => {
  assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(chunk([], 3), []);
});
