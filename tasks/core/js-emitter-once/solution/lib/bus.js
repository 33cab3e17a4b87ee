'use strict';

class Bus {
  constructor() {
    // event -> array of { fn, once }
    this.listeners = new Map();
  }

  _add(event, fn, once) {
    if (!this.listeners.has(event)) this.listeners.set(event, []);
    this.listeners.get(event).push({ fn, once });
    return () => this.off(event, fn);
  }

  on(event, fn) {
    return this._add(event, fn, false);
  }

  once(event, fn) {
    return this._add(event, fn, true);
  }

  off(event, fn) {
    const list = this.listeners.get(event);
    if (!list) return;
    const i = list.findIndex((entry) => entry.fn === fn);
    if (i !== -1) list.splice(i, 1);
  }

  emit(event, ...args) {
    // Snapshot: listeners added or removed during this emit do not change who runs now.
    const snapshot = [...(this.listeners.get(event) || [])];
    for (const entry of snapshot) {
      if (entry.once) this.off(event, entry.fn);
      entry.fn(...args);
    }
    return snapshot.length > 0;
  }

  listenerCount(event) {
    return (this.listeners.get(event) || []).length;
  }
}

module.exports = { Bus };
