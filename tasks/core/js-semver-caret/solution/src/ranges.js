'use strict';

function parse(version) {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version.trim());
  if (!m) throw new TypeError(`invalid version: ${version}`);
  return m.slice(1).map(Number);
}

function cmp(a, b) {
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** Upper bound (exclusive) of a caret range: bump the left-most non-zero part. */
function caretUpper([major, minor, patch]) {
  if (major > 0) return [major + 1, 0, 0];
  if (minor > 0) return [0, minor + 1, 0];
  return [0, 0, patch + 1];
}

/** Does `version` satisfy `range` ("1.2.3", "^1.2.3" or "~1.2.3")? */
function satisfies(version, range) {
  const v = parse(version);
  range = range.trim();
  if (range.startsWith('^')) {
    const base = parse(range.slice(1));
    return cmp(v, base) >= 0 && cmp(v, caretUpper(base)) < 0;
  }
  if (range.startsWith('~')) {
    const base = parse(range.slice(1));
    return cmp(v, base) >= 0 && v[0] === base[0] && v[1] === base[1];
  }
  return cmp(v, parse(range)) === 0;
}

module.exports = { parse, cmp, satisfies };
