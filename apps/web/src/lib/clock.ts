/**
 * The server's clock as seen from here. Tick and bar times are the server's; comparing them with
 * this device's `Date.now()` is off by however wrong the device clock is. Each response's `Date`
 * header (whole seconds) brackets the server time between the request's send and receive, so
 * the offset is known to within the round trip plus a second; the narrowest bracket seen wins.
 */
export class ServerClock {
  private offsetMs = 0;
  private uncertaintyMs = Number.POSITIVE_INFINITY;

  constructor(private readonly localNow: () => number = () => Date.now()) {}

  /** One response: local send and receive times and its `Date` header. */
  observe(sentAt: number, receivedAt: number, dateHeader: string | null): void {
    const serverSecond = dateHeader ? Date.parse(dateHeader) : Number.NaN;
    if (Number.isNaN(serverSecond) || receivedAt < sentAt) {
      return;
    }
    // The server read its clock somewhere in [sentAt, receivedAt] and the header dropped the
    // milliseconds, so the true server time then lay in [serverSecond, serverSecond + 1000).
    const uncertainty = (receivedAt - sentAt + 1000) / 2;
    if (uncertainty < this.uncertaintyMs) {
      this.uncertaintyMs = uncertainty;
      this.offsetMs = serverSecond + 500 - (sentAt + receivedAt) / 2;
    }
  }

  /** Server time now, epoch milliseconds. */
  now(): number {
    return this.localNow() + this.offsetMs;
  }

  get offset(): number {
    return this.offsetMs;
  }
}
