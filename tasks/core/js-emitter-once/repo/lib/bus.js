'use strict';

class Bus {
  constructor() {
    this.listeners = new Map();
  }

  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, []);
    this.listeners.get(event).push(fn);
    return () => this.off(event, fn);
  }

  once(event, fn) {
    const wrapper = (...args) => {
      this.off(event, wrapper);
      fn(...args);
    };
    return this.on(event, wrapper);
  }

  off(event, fn) {
    const list = this.listeners.get(event);
    if (!list) return;
    const i = list.indexOf(fn);
    if (i !== -1) list.splice(i, 1);
  }

  emit(event, ...args) {
    const list = this.listeners.get(event) || [];
    for (let i = 0; i < list.length; i++) list[i](...args);
    return list.length > 0;
  }

  listenerCount(event) {
    return (this.listeners.get(event) || []).length;
  }
}

module.exports = { Bus };
