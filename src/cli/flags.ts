import { Option } from 'commander';
import { UsageError } from '../errors.js';
import { isDns1123Label } from '../model/names.js';

/** `-o, --output` for commands that print a table, with json and yaml everywhere. */
export function outputOption(formats: readonly string[] = ['table', 'json', 'yaml'], def = 'table'): Option {
  return new Option('-o, --output <format>', `output format (${formats.join('|')})`).choices(formats).default(def);
}

/** Collects a repeatable flag into an array, in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The longest duration a flag takes: the longest delay a Node.js timer can wait (2^31-1 ms, about 24.8 days). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * Parses a duration such as 300ms, 10s, 5m, 1h, 1m30s, at most MAX_DURATION_MS (a longer one would
 * fire at once). Throws a UsageError naming the flag.
 */
export function parseDuration(flag: string, value: string): number {
  const ms = parseDurationUnbounded(flag, value);
  if (!Number.isFinite(ms) || ms > MAX_DURATION_MS) {
    throw new UsageError(
      `${flag}: duration "${value.length > 40 ? `${value.slice(0, 40)}…` : value}" is too long (at most ${Math.floor(MAX_DURATION_MS / 3_600_000)}h)`,
    );
  }
  return ms;
}

/** parseDuration for a limit that must be more than 0 (a timeout of 0 would fire at once). */
export function parsePositiveDuration(flag: string, value: string): number {
  const ms = parseDuration(flag, value);
  if (ms <= 0) throw new UsageError(`${flag}: must be more than 0, got "${value}"`);
  return ms;
}

function parseDurationUnbounded(flag: string, value: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null) {
    const n = Number(m[1]);
    const unit = m[2];
    total += unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
    matched = re.lastIndex;
  }
  if (value === '' || matched !== value.length) {
    if (/^\d+$/.test(value)) return Number(value) * 1000;
    throw new UsageError(`${flag}: invalid duration "${value}" (use e.g. 30s, 5m, 1h30m)`);
  }
  return Math.round(total);
}

export function parsePositiveInt(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`${flag}: expected a whole number of at least 1, got "${value}"`);
  }
  return Number(value);
}

/**
 * POD or POD.NAMESPACE (a pod name has no dot in it, a namespace none either): the pod and its
 * namespace, `fallbackNamespace` for a bare POD; `dotted` says the namespace was written out.
 */
export function podTarget(pod: string, fallbackNamespace: () => string): { pod: string; namespace: string; dotted: boolean } {
  const dot = pod.lastIndexOf('.');
  const name = dot < 0 ? pod : pod.slice(0, dot);
  const namespace = dot < 0 ? fallbackNamespace() : pod.slice(dot + 1);
  if (name === '' || !isDns1123Label(namespace)) throw new UsageError(`POD: expected POD or POD.NAMESPACE, got "${pod}"`);
  return { pod: name, namespace, dotted: dot >= 0 };
}

/** A namespace flag's value must be a DNS label (what the API server accepts as a namespace name). */
export function checkNamespaceFlag(flag: string, value: string | undefined): void {
  if (value !== undefined && !isDns1123Label(value)) {
    throw new UsageError(`${flag}: "${value}" is not a valid namespace name (lowercase letters, digits and '-', at most 63)`);
  }
}
