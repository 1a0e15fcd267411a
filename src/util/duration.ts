/**
 * The one duration formatter: milliseconds as `1d2h`, `5m30s`, `750ms`... Callers choose the units,
 * the rounding and how many parts, so that each message keeps the form it always had.
 */

export type DurationUnit = 'd' | 'h' | 'm' | 's' | 'ms';

const UNITS: readonly (readonly [DurationUnit, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

export interface DurationFormat {
  /** The largest unit (a larger amount is counted in it: `90s` with 's'). Default 'd'. */
  largest?: DurationUnit;
  /** The smallest unit; the rest is rounded into it. Default 's'. */
  smallest?: DurationUnit;
  /** 'nearest' (default) or 'down' (an age: 59.9 s is still 59s). */
  round?: 'nearest' | 'down';
  /** At most this many units, counted from the first one shown (`2d5h`, not `2d5h3m`). */
  parts?: number;
  /**
   * Zero units: 'drop' (default: `2m`), 'inner' (after the first non-zero one: `2m0s`), 'all' (from
   * the largest unit on: `0h5m`).
   */
  zeros?: 'drop' | 'inner' | 'all';
  /** Under one second, whole milliseconds (`750ms`) whatever the smallest unit. */
  subSecond?: boolean;
}

/** A duration as text; a negative one counts as 0, and 0 is `0` in the smallest unit. */
export function formatDuration(ms: number, format: DurationFormat = {}): string {
  if (format.subSecond === true && ms < 1000) return `${Math.round(Math.max(0, ms))}ms`;
  const from = UNITS.findIndex(([u]) => u === (format.largest ?? 'd'));
  const to = UNITS.findIndex(([u]) => u === (format.smallest ?? 's'));
  const units = UNITS.slice(from, to + 1);
  const step = units[units.length - 1]?.[1] ?? 1;
  let rest = (format.round === 'down' ? Math.floor : Math.round)(Math.max(0, ms) / step);
  const values = units.map(([unit, size]): [DurationUnit, number] => {
    const n = Math.floor(rest / (size / step));
    rest -= n * (size / step);
    return [unit, n];
  });
  const zeros = format.zeros ?? 'drop';
  const first = zeros === 'all' ? 0 : values.findIndex(([, n]) => n > 0);
  if (first < 0) return `0${units[units.length - 1]?.[0] ?? 's'}`;
  return values
    .slice(first, first + (format.parts ?? values.length))
    .filter(([, n], i) => i === 0 || n > 0 || zeros !== 'drop')
    .map(([unit, n]) => `${n}${unit}`)
    .join('');
}

/** A timeout as a user gives it on a flag: whole seconds as `90s`, anything else as `1500ms`. */
export function formatTimeout(ms: number): string {
  return formatDuration(ms, ms % 1000 === 0 ? { largest: 's' } : { largest: 'ms', smallest: 'ms' });
}
