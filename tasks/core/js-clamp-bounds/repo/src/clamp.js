'use strict';

/** Limit `value` to the interval [min, max]. */
function clamp(value, min, max) {
  if (min > max) return NaN;
  return Math.min(Math.max(value, min), max);
}

module.exports = { clamp };
