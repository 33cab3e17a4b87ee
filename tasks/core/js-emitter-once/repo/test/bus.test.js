'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Bus } = require('../lib/bus');

test('listeners run in order with arguments', () => {
  const bus = new Bus();
  const seen = [];
  bus.on('saved', (id) => seen.push(`a${id}`));
  bus.on('saved', (id) => seen.push(`b${id}`));
  assert.equal(bus.emit('saved', 1), true);
  assert.deepEqual(seen, ['a1', 'b1']);
});

test('once listener does not make the next listener skip', () => {
  const bus = new Bus();
  const seen = [];
  bus.once('saved', () => seen.push('ui'));
  bus.on('saved', () => seen.push('audit'));
  bus.emit('saved');
  bus.emit('saved');
  assert.deepEqual(seen, ['ui', 'audit', 'audit']);
});

test('off removes a once listener', () => {
  const bus = new Bus();
  let calls = 0;
  const fn = () => { calls += 1; };
  bus.once('x', fn);
  bus.off('x', fn);
  bus.emit('x');
  assert.equal(calls, 0);
  assert.equal(bus.listenerCount('x'), 0);
});

test('emit uses a snapshot of listeners', () => {
  const bus = new Bus();
  const seen = [];
  const selfRemoving = () => { seen.push('first'); bus.off('x', selfRemoving); };
  bus.on('x', selfRemoving);
  bus.on('x', () => { seen.push('second'); bus.on('x', () => seen.push('late')); });
  bus.emit('x');
  assert.deepEqual(seen, ['first', 'second']);
});

test('unsubscribe function from on()', () => {
  const bus = new Bus();
  let calls = 0;
  const off = bus.on('x', () => { calls += 1; });
  off();
  assert.equal(bus.emit('x'), false);
  assert.equal(calls, 0);
});
