'use strict';

/**
 * Build a query string (without the leading "?") from a plain object.
 * @param {Record<string, unknown>} params
 * @returns {string}
 */
function buildQuery(params) {
  return Object.keys(params)
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

/** Append params to a URL that may already have a query string. */
function withQuery(url, params) {
  const qs = buildQuery(params);
  if (!qs) return url;
  return url + (url.includes('?') ? '&' : '?') + qs;
}

module.exports = { buildQuery, withQuery };
