'use strict';

/**
 * Format an address for a shipping label (one line per field, upper-case country).
 * @param {{name: string, street: string, city: string, postcode: string, country: string}} a
 */
function formatLabel(a, options = {}) {
  const lines = [a.name.trim(), a.street.trim(), `${a.postcode} ${a.city}`.trim(), a.country.toUpperCase()];
  return lines.filter(Boolean).join('\n');
}

module.exports = { formatLabel };
