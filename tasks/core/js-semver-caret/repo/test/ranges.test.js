'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { satisfies, parse } = require('../src/ranges');

const cases = [
  ['1.2.3', '^1.2.3', true],
  ['1.9.0', '^1.2.3', true],
  ['2.0.0', '^1.2.3', false],
  ['1.2.2', '^1.2.3', false],
  ['0.2.5', '^0.2.1', true],
  ['0.3.0', '^0.2.1', false],
  ['0.2.0', '^0.2.1', false],
  ['0.0.3', '^0.0.3', true],
  ['0.0.4', '^0.0.3', false],
  ['0.1.0', '^0.0.3', false],
  ['1.2.9', '~1.2.3', true],
  ['1.3.0', '~1.2.3', false],
  ['0.2.9', '~0.2.3', true],
  ['1.2.3', '1.2.3', true],
  ['1.2.4', '1.2.3', false],
];

for (const [version, range, expected] of cases) {
  test(`${version} ${expected ? 'satisfies' : 'does not satisfy'} ${range}`, () => {
    assert.equal(satisfies(version, range), expected);
  });
}

test('parse rejects pre-releases', () => {
  assert.throws(() => parse('1.0.0-beta'), TypeError);
});
