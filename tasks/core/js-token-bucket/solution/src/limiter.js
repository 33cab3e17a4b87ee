/**
 * Token bucket rate limiter.
 * Tokens refill continuously at `refillPerSecond`, capped at `capacity`.
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
    const elapsed = Math.max(0, t - this.updatedAt) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.refillPerSecond);
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
    const missing = n - this.tokens;
    if (missing <= 0) return 0;
    return (missing / this.refillPerSecond) * 1000;
  }
}
