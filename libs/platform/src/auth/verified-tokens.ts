/**
 * Access tokens whose signature and claims have been checked, kept until they expire. A client
 * sends the same token with every request for its whole lifetime, and verifying it again (HMAC,
 * base64 and JSON) was a visible share of every authenticated request. Only that check is saved:
 * the caller still refuses ended sessions on every use. Bounded: at `maxEntries` the oldest
 * entry makes room.
 */
export class VerifiedTokens<T> {
  private readonly entries = new Map<string, { value: T; expiresAtMs: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The token's value, unless it is unknown or has expired (as jsonwebtoken: `now >= exp`). */
  get(token: string): T | undefined {
    const entry = this.entries.get(token);
    if (entry && this.now() >= entry.expiresAtMs) {
      this.entries.delete(token);

      return undefined;
    }

    return entry?.value;
  }

  set(token: string, value: T, expiresAtMs: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) {
        this.entries.delete(oldest.value);
      }
    }
    this.entries.set(token, { value, expiresAtMs });
  }
}
