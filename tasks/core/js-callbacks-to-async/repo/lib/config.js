'use strict';
const fs = require('node:fs');

const DEFAULTS = { port: 8080, logLevel: 'info' };

function loadConfigCallback(path, callback) {
  fs.stat(path, (statErr, stat) => {
    if (statErr) {
      if (statErr.code === 'ENOENT') return callback(null, { ...DEFAULTS });
      return callback(statErr);
    }
    if (!stat.isFile()) return callback(new Error(`${path} is not a file`));
    fs.readFile(path, 'utf8', (readErr, text) => {
      if (readErr) return callback(readErr);
      let parsed;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        return callback(new Error(`${path}: invalid JSON (${e.message})`));
      }
      callback(null, { ...DEFAULTS, ...parsed });
    });
  });
}

function loadConfig(path) {
  return new Promise((resolve, reject) => {
    loadConfigCallback(path, (err, config) => (err ? reject(err) : resolve(config)));
  });
}

module.exports = { loadConfig, loadConfigCallback, DEFAULTS };
