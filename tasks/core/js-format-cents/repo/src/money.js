'use strict';

/** Format an integer amount of cents as dollars, e.g. 1999 -> "$19.99". */
function formatCents(cents) {
  const dollars = Math.trunc(cents / 100);
  const rest = cents % 100;
  return `$${dollars}.${String(rest).padStart(2, '0')}`;
}

/** Parse a decimal string such as "19.99" into integer cents. */
function toCents(text) {
  return Math.floor(parseFloat(text) * 100);
}

module.exports = { formatCents, toCents };
