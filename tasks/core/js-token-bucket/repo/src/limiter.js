/**
 * Token bucket rate limiter.
 * @param {{capacity: number, refillPerSecond: number, now?: () => number}} options
 */
export class TokenBucket {
  constructor({ capacity, refillPerSecond, now = Date.now }) {
    if (!(capacity > 0)) throw new RangeError('capacity must be positive');
    this.capacity = capacity;
    this.refillPerSecond = refillPerSecond;
    this.now = now;
    this.tokens = capacity;
    this.updatedAt = now();
  }

  refill() {
    const t = this.now();
    const elapsed = (t - this.updatedAt) / 1000;
    this.tokens += Math.floor(elapsed * this.refillPerSecond);
    this.updatedAt = t;
  }

  tryTake(n = 1) {
    this.refill();
    if (this.tokens >= n) {
      this.tokens -= n;
      return true;
    }
    return false;
  }

  retryAfterMs(n = 1) {
    this.refill();
    return ((n - this.tokens) / this.refillPerSecond) * 1000;
  }
}
