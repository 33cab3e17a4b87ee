'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { formatLabel } = require('../src/label');

const addr = { name: "ANNA-LENA o'neil", street: 'Hauptstr. 5', city: 'Köln', postcode: '50667', country: 'de' };

test('default output unchanged', () => {
  assert.equal(formatLabel(addr), "ANNA-LENA o'neil\nHauptstr. 5\n50667 Köln\nDE");
});

test('titleCase option', () => {
  assert.equal(formatLabel(addr, { titleCase: true }).split('\n')[0], "Anna-Lena O'Neil");
});

test('titleCase with several spaces', () => {
  const out = formatLabel({ ...addr, name: '  jean  PAUL ' }, { titleCase: true });
  assert.equal(out.split('\n')[0], 'Jean  Paul');
});
