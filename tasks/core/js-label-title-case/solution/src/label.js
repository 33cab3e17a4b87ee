'use strict';

/** Capitalise each word; words are separated by spaces, hyphens and apostrophes (kept). */
function titleCase(text) {
  return text
    .toLowerCase()
    .replace(/(^|[\s'-])(\p{L})/gu, (_, sep, letter) => sep + letter.toUpperCase());
}

/**
 * Format an address for a shipping label (one line per field, upper-case country).
 * @param {{name: string, street: string, city: string, postcode: string, country: string}} a
 * @param {{titleCase?: boolean}} options
 */
function formatLabel(a, options = {}) {
  const name = options.titleCase ? titleCase(a.name.trim()) : a.name.trim();
  const lines = [name, a.street.trim(), `${a.postcode} ${a.city}`.trim(), a.country.toUpperCase()];
  return lines.filter(Boolean).join('\n');
}

module.exports = { formatLabel };
