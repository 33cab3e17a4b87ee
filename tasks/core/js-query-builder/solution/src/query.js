'use strict';

/**
 * Build a query string (without the leading "?") from a plain object.
 * Arrays become repeated keys; undefined and null values are left out.
 * @param {Record<string, unknown>} params
 * @returns {string}
 */
function buildQuery(params) {
  const parts = [];
  for (const [key, value] of Object.entries(params)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === undefined || v === null) continue;
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
    }
  }
  return parts.join('&');
}

/** Append params to a URL that may already have a query string. */
function withQuery(url, params) {
  const qs = buildQuery(params);
  if (!qs) return url;
  return url + (url.includes('?') ? '&' : '?') + qs;
}

module.exports = { buildQuery, withQuery };
