'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { loadConfig, loadConfigCallback } = require('../lib/config');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
const write = (name, text) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

test('missing file gives defaults', async () => {
  assert.deepEqual(await loadConfig(path.join(dir, 'nope.json')), { port: 8080, logLevel: 'info' });
});

test('file values override defaults', async () => {
  const p = write('a.json', '{"port": 9000}');
  assert.deepEqual(await loadConfig(p), { port: 9000, logLevel: 'info' });
});

test('invalid JSON names the file', async () => {
  const p = write('bad.json', '{port');
  await assert.rejects(loadConfig(p), (err) => err.message.startsWith(`${p}: invalid JSON`));
});

test('a directory is rejected', async () => {
  await assert.rejects(loadConfig(dir), new RegExp('is not a file'));
});

test('callback API still works', (t, done) => {
  const p = write('b.json', '{"logLevel": "debug"}');
  loadConfigCallback(p, (err, config) => {
    assert.equal(err, null);
    assert.deepEqual(config, { port: 8080, logLevel: 'debug' });
    done();
  });
});
