'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { formatCents, toCents } = require('../src/money');

test('formats positive amounts', () => {
  assert.equal(formatCents(1999), '$19.99');
  assert.equal(formatCents(5), '$0.05');
  assert.equal(formatCents(0), '$0.00');
});

test('formats negative amounts with leading minus', () => {
  assert.equal(formatCents(-5), '-$0.05');
  assert.equal(formatCents(-150), '-$1.50');
});

test('thousands separators', () => {
  assert.equal(formatCents(123456789), '$1,234,567.89');
  assert.equal(formatCents(100000), '$1,000.00');
  assert.equal(formatCents(-99999), '-$999.99');
});

test('toCents parses exactly', () => {
  for (const [text, cents] of [['19.99', 1999], ['4.35', 435], ['1.15', 115], ['0.1', 10],
    ['7', 700], ['-2.50', -250]]) {
    assert.equal(toCents(text), cents, text);
  }
});

test('toCents rounds half away from zero', () => {
  assert.equal(toCents('0.125'), 13);
  assert.equal(toCents('0.124'), 12);
  assert.equal(toCents('-0.125'), -13);
});

test('toCents rejects garbage', () => {
  assert.throws(() => toCents('12abc'), TypeError);
  assert.throws(() => toCents(''), TypeError);
});
