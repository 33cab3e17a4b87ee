/** Python-style range: range(stop) or range(start, stop, step = 1). */
export function range(start, stop, step = 1) {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  const out = [];
  for (let i = start; step > 0 && i <= stop; i += step) out.push(i);
  return out;
}

/** Split `array` into consecutive chunks of `size` elements. */
export function chunk(array, size) {
  const out = [];
  for (let i = 0; i + size <= array.length; i += size) out.push(array.slice(i, i + size));
  return out;
}
