'use strict';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function clone(value) {
  if (Array.isArray(value)) return value.map(clone);
  if (isPlainObject(value)) return deepMerge({}, value);
  return value;
}

/** A new object: `source` merged into a copy of `target`; neither input is modified. */
function deepMerge(target, source) {
  const out = {};
  for (const key of Object.keys(target)) {
    if (!FORBIDDEN.has(key)) out[key] = clone(target[key]);
  }
  for (const key of Object.keys(source)) {
    if (FORBIDDEN.has(key)) continue;
    const value = source[key];
    if (value === undefined) continue;
    if (isPlainObject(value) && isPlainObject(out[key])) {
      out[key] = deepMerge(out[key], value);
    } else {
      out[key] = clone(value);
    }
  }
  return out;
}

module.exports = { deepMerge, isPlainObject };
