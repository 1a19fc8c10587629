/**
 * Items sorted by a fixed-point key, so a tick reads only the items whose key lies in the range
 * it can fire: the cost of a lookup is a binary search plus the items returned.
 */
export class ThresholdIndex<T> {
  private readonly keys: bigint[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  add(key: bigint, item: T): void {
    const at = this.firstAbove(key);
    this.keys.splice(at, 0, key);
    this.items.splice(at, 0, item);
  }

  remove(item: T): void {
    for (let i = this.items.length - 1; i >= 0; i -= 1) {
      if (this.items[i] === item) {
        this.keys.splice(i, 1);
        this.items.splice(i, 1);
      }
    }
  }

  /** Items with `lo <= key <= hi`. */
  between(lo: bigint, hi: bigint): T[] {
    return this.items.slice(this.firstAtLeast(lo), this.firstAbove(hi));
  }

  /** Items with `key < bound`. */
  below(bound: bigint): T[] {
    return this.items.slice(0, this.firstAtLeast(bound));
  }

  /** Items with `key <= bound`. */
  atMost(bound: bigint): T[] {
    return this.items.slice(0, this.firstAbove(bound));
  }

  /** Items with `key > bound`. */
  above(bound: bigint): T[] {
    return this.items.slice(this.firstAbove(bound));
  }

  private firstAtLeast(key: bigint): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }

    return lo;
  }

  private firstAbove(key: bigint): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! <= key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }

    return lo;
  }
}
