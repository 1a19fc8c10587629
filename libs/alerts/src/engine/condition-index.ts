import type { AlertRule } from '../alerts.types';
import { percentUnits, toUnits } from '../decimal';
import { ThresholdIndex } from './threshold-index';

/** The price pair a condition is judged on, and the closes moving operators compare with. */
export interface Sample {
  /** The previous sample; absent when there is none yet (crossings cannot fire). */
  prev?: bigint;
  cur: bigint;
  /** The close `bars` bars before `cur`'s bar in the rule's timeframe, when known. */
  ref(rule: AlertRule): bigint | undefined;
}

const units = (decimal: string | undefined): bigint => toUnits(decimal!);

const inside = (rule: AlertRule, price: bigint): boolean =>
  price >= units(rule.lower) && price <= units(rule.upper);

/** Whether `rule`'s condition holds on `sample` (the exact test behind every index lookup). */
export function holds(rule: AlertRule, { prev, cur, ref }: Sample): boolean {
  switch (rule.operator) {
    case 'crossing_up':
      return prev !== undefined && prev < units(rule.value) && cur >= units(rule.value);
    case 'crossing_down':
      return prev !== undefined && prev > units(rule.value) && cur <= units(rule.value);
    case 'crossing':
      return (
        prev !== undefined &&
        ((prev < units(rule.value) && cur >= units(rule.value)) ||
          (prev > units(rule.value) && cur <= units(rule.value)))
      );
    case 'greater_than':
      return cur > units(rule.value);
    case 'less_than':
      return cur < units(rule.value);
    case 'inside_channel':
      return inside(rule, cur);
    case 'outside_channel':
      return !inside(rule, cur);
    case 'entering_channel':
      return prev !== undefined && !inside(rule, prev) && inside(rule, cur);
    case 'exiting_channel':
      return prev !== undefined && inside(rule, prev) && !inside(rule, cur);
    case 'moving_up_pct':
    case 'moving_down_pct': {
      const base = ref(rule);
      if (base === undefined || base <= 0n) {
        return false;
      }
      const change = percentUnits(cur, base);

      return rule.operator === 'moving_up_pct'
        ? change >= units(rule.value)
        : -change >= units(rule.value);
    }
  }
}

const movingKey = (rule: AlertRule): string => `${rule.operator}:${rule.timeframe}:${rule.bars}`;

/**
 * The rules of one symbol judged at one moment (every tick, or a timeframe's bar close), indexed
 * by threshold so that a sample reads the rules that can fire on it, not every rule: crossings
 * by the levels (and channel bounds) between the previous price and this one, greater/less-than
 * by the levels below/above the price, moving operators by percent (per timeframe and bar count)
 * up to the change since their reference close.
 */
export class ConditionIndex {
  private readonly crossed = new ThresholdIndex<AlertRule>();
  /** Channel bounds left: a price on the bound is still inside, so the bound may equal `prev`. */
  private readonly exited = new ThresholdIndex<AlertRule>();
  private readonly greater = new ThresholdIndex<AlertRule>();
  private readonly less = new ThresholdIndex<AlertRule>();
  private readonly insideByLower = new ThresholdIndex<AlertRule>();
  private readonly outsideByLower = new ThresholdIndex<AlertRule>();
  private readonly outsideByUpper = new ThresholdIndex<AlertRule>();
  private readonly moving = new Map<
    string,
    { shape: AlertRule; rules: ThresholdIndex<AlertRule> }
  >();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(rule: AlertRule): void {
    this.count += 1;
    switch (rule.operator) {
      case 'crossing':
      case 'crossing_up':
      case 'crossing_down':
        return this.crossed.add(units(rule.value), rule);
      case 'entering_channel':
        this.crossed.add(units(rule.lower), rule);

        return this.crossed.add(units(rule.upper), rule);
      case 'exiting_channel':
        this.exited.add(units(rule.lower), rule);

        return this.exited.add(units(rule.upper), rule);
      case 'greater_than':
        return this.greater.add(units(rule.value), rule);
      case 'less_than':
        return this.less.add(units(rule.value), rule);
      case 'inside_channel':
        return this.insideByLower.add(units(rule.lower), rule);
      case 'outside_channel':
        this.outsideByLower.add(units(rule.lower), rule);

        return this.outsideByUpper.add(units(rule.upper), rule);
      case 'moving_up_pct':
      case 'moving_down_pct': {
        const key = movingKey(rule);
        const group = this.moving.get(key) ?? { shape: rule, rules: new ThresholdIndex() };
        this.moving.set(key, group);

        return group.rules.add(units(rule.value), rule);
      }
    }
  }

  remove(rule: AlertRule): void {
    this.count -= 1;
    for (const index of [
      this.crossed,
      this.exited,
      this.greater,
      this.less,
      this.insideByLower,
      this.outsideByLower,
      this.outsideByUpper,
    ]) {
      index.remove(rule);
    }
    const key = movingKey(rule);
    const group = this.moving.get(key);
    group?.rules.remove(rule);
    if (group?.rules.size === 0) {
      this.moving.delete(key);
    }
  }

  /** The rules that may hold on `sample` (each still checked with `holds`), each once. */
  candidates(sample: Sample): AlertRule[] {
    const { prev, cur } = sample;
    const found = new Set<AlertRule>();
    const add = (rules: AlertRule[]): void => rules.forEach((rule) => found.add(rule));
    if (prev !== undefined && prev !== cur) {
      // A level is crossed when it lies between the two prices, the previous one excluded.
      add(prev < cur ? this.crossed.between(prev + 1n, cur) : this.crossed.between(cur, prev - 1n));
      add(prev < cur ? this.exited.between(prev, cur - 1n) : this.exited.between(cur + 1n, prev));
    }
    add(this.greater.below(cur));
    add(this.less.above(cur));
    add(this.insideByLower.atMost(cur));
    add(this.outsideByLower.above(cur));
    add(this.outsideByUpper.below(cur));
    for (const { shape, rules } of this.moving.values()) {
      const ref = sample.ref(shape);
      if (ref !== undefined && ref > 0n) {
        const change = percentUnits(cur, ref);
        add(rules.atMost(shape.operator === 'moving_up_pct' ? change : -change));
      }
    }

    return [...found];
  }
}
