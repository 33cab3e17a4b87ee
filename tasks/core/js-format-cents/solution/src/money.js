'use strict';

/** Format an integer amount of cents as dollars, e.g. -123456 -> "-$1,234.56". */
function formatCents(cents) {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const rest = String(abs % 100).padStart(2, '0');
  return `${sign}$${dollars}.${rest}`;
}

/**
 * Parse a decimal string such as "19.99" into integer cents without going through floats;
 * extra decimals are rounded half away from zero.
 */
function toCents(text) {
  const m = /^\s*(-?)(\d+)(?:\.(\d*))?\s*$/.exec(text);
  if (!m) throw new TypeError(`not an amount: ${JSON.stringify(text)}`);
  const [, sign, whole, frac = ''] = m;
  let cents = Number(whole) * 100 + Number(frac.slice(0, 2).padEnd(2, '0'));
  if (frac.length > 2 && Number(frac[2]) >= 5) cents += 1;
  return sign ? -cents : cents;
}

module.exports = { formatCents, toCents };
