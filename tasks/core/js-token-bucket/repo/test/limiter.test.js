import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../src/limiter.js';

function clock(start = 1_000_000) {
  const c = () => c.t;
  c.t = start;
  return c;
}

test('starts full and drains', () => {
  const b = new TokenBucket({ capacity: 3, refillPerSecond: 1, now: clock() });
  assert.deepEqual([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()], [true, true, true, false]);
});

test('never holds more than capacity', () => {
  const now = clock();
  const b = new TokenBucket({ capacity: 5, refillPerSecond: 10, now });
  now.t += 3_600_000;
  let allowed = 0;
  while (b.tryTake()) allowed += 1;
  assert.equal(allowed, 5);
});

test('fractional refill accumulates', () => {
  const now = clock();
  const b = new TokenBucket({ capacity: 1, refillPerSecond: 0.5, now });
  assert.equal(b.tryTake(), true);
  now.t += 1000;
  assert.equal(b.tryTake(), false);
  now.t += 1000;
  assert.equal(b.tryTake(), true);
});

test('failed take removes nothing', () => {
  const now = clock();
  const b = new TokenBucket({ capacity: 4, refillPerSecond: 1, now });
  assert.equal(b.tryTake(3), true);
  assert.equal(b.tryTake(2), false);
  assert.equal(b.tryTake(1), true);
});

test('retryAfterMs', () => {
  const now = clock();
  const b = new TokenBucket({ capacity: 2, refillPerSecond: 2, now });
  assert.equal(b.retryAfterMs(), 0);
  b.tryTake(2);
  assert.equal(b.retryAfterMs(), 500);
  assert.equal(b.retryAfterMs(2), 1000);
  now.t += 250;
  assert.equal(b.retryAfterMs(), 250);
});
