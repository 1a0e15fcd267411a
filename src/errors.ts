/**
 * Typed errors. Core code throws these; only src/cli maps them to exit codes.
 * Exit codes (documented in README): 0 ok, 1 failure, 64 usage, 65 bad input, 79 findings,
 * 130 interrupted (Ctrl-C).
 */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 64,
  Input: 65,
  Findings: 79,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class MeshError extends Error {
  readonly exitCode: number = ExitCode.Failure;
  /** Optional follow-up lines printed after the one-line message (hints, lists). */
  readonly details: readonly string[];
  constructor(message: string, options: { cause?: unknown; details?: readonly string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? [];
  }
}

/** A bad flag, argument or flag combination (exit 64). */
export class UsageError extends MeshError {
  override readonly exitCode: number = ExitCode.Usage;
}

/** Bad input data: a file that does not parse or validate (exit 65). */
export class InputError extends MeshError {
  override readonly exitCode: number = ExitCode.Input;
}

/** Analysis or status found problems at or above the failure threshold (exit 79). */
export class FindingsError extends MeshError {
  override readonly exitCode: number = ExitCode.Findings;
}

/** The run was stopped with Ctrl-C (exit 130, like a shell), in every command. */
export class InterruptedError extends MeshError {
  override readonly exitCode: number = ExitCode.Interrupted;
}

/** A failure talking to the cluster, or an operation that did not complete (exit 1). */
export class ClusterError extends MeshError {}

/** `-n NS` naming a namespace the cluster does not have: the same usage error (64) on every command. */
export function namespaceNotFound(namespace: string, context: string): UsageError {
  return new UsageError(`-n: namespace "${excerpt(namespace)}" not found in the cluster (context ${excerpt(context)})`);
}

/** The user answered no at a confirmation prompt: nothing was changed. Exit 1 on every command. */
export class DeclinedError extends MeshError {}

export function exitCodeOf(err: unknown): number {
  return err instanceof MeshError ? err.exitCode : ExitCode.Failure;
}

/** Suggest the closest candidate to `input` (Levenshtein distance), for "did you mean …?". */
export function closest(input: string, candidates: Iterable<string>, maxDistance = 3): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(input.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(maxDistance, Math.floor(input.length / 3));
  return bestDistance <= limit ? best : undefined;
}

export function didYouMean(input: string, candidates: Iterable<string>): string {
  const c = closest(input, candidates);
  return c === undefined ? '' : ` (did you mean "${c}"?)`;
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/**
 * A piece of user input for an error message: at most `max` characters (a longer one is cut, with
 * "…"), control characters escaped, so the message stays one short printable line and does not
 * echo a file's content.
 */
export function excerpt(value: string, max = 60): string {
  const s = String(value); // also when untyped input put a number or a map where a string belongs
  return escapeControl(s.length > max ? `${s.slice(0, max)}…` : s);
}

/** C0/C1 control characters (newline included) and the line/paragraph separators, escaped as \n, \t, \xNN or \uNNNN. */
export function escapeControl(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point: they are escaped
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}
