/** Python-style range: range(stop) or range(start, stop, step = 1); stop is exclusive. */
export function range(start, stop, step = 1) {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (step === 0) throw new RangeError('range() step must not be zero');
  const out = [];
  if (step > 0) {
    for (let i = start; i < stop; i += step) out.push(i);
  } else {
    for (let i = start; i > stop; i += step) out.push(i);
  }
  return out;
}

/** Split `array` into consecutive chunks of `size` elements (the last may be shorter). */
export function chunk(array, size) {
  if (!(size > 0)) throw new RangeError('chunk size must be positive');
  const out = [];
  for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
  return out;
}
