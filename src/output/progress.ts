import type { Writable } from 'node:stream';

/**
 * Progress on stderr. On a TTY (and not CI / NO_COLOR) a spinner per step that ends in ✔ or ✘;
 * otherwise plain lines, one when a step starts and one when it ends.
 */
export interface Progress {
  start(text: string): Step;
  info(text: string): void;
  warn(text: string): void;
}

export interface Step {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
}

export interface ProgressOptions {
  stream: Writable;
  spinner: boolean;
  color: boolean;
}

export async function createProgress(opts: ProgressOptions): Promise<Progress> {
  if (!opts.spinner) return plainProgress(opts.stream, opts.color);
  const { default: ora } = await import('ora');
  const { default: chalk } = await import('chalk');
  return {
    start(text) {
      // discardStdin off: ora's raw-mode stdin discarder never reads a fresh stdin on Node 20, so
      // Ctrl-C was swallowed (no SIGINT) while a spinner ran.
      // The live text is kept to the terminal's width (one line per line of text, ending in …), so a
      // long "Waiting for …" does not wrap; the lines that stay (succeed, fail) are printed whole.
      const columns = (): number | undefined => (opts.stream as { columns?: number }).columns;
      const s = ora({ text: fitLines(text, columns()), stream: opts.stream as NodeJS.WritableStream, discardStdin: false }).start();
      let full = text;
      return {
        update: (t) => {
          full = t;
          s.text = fitLines(t, columns());
        },
        succeed: (t) => {
          s.stopAndPersist({ symbol: chalk.green('✔'), text: t ?? full });
        },
        fail: (t) => {
          s.stopAndPersist({ symbol: chalk.red('✘'), text: t ?? full });
        },
      };
    },
    info: (t) => void opts.stream.write(t + '\n'),
    warn: (t) => void opts.stream.write(chalk.yellow('! ') + t + '\n'),
  };
}

/**
 * Each line of a spinner's text cut to fit `columns` with its spinner (2 columns before the first
 * line), ending in … where cut; ANSI colour codes take no width and are kept. Unchanged without a width.
 */
export function fitLines(text: string, columns: number | undefined): string {
  if (columns === undefined || columns < 10) return text;
  return text
    .split('\n')
    .map((line, i) => fitLine(line, columns - (i === 0 ? 2 : 0) - 1))
    .join('\n');
}

function fitLine(line: string, width: number): string {
  // eslint-disable-next-line no-control-regex -- colour codes are matched to be skipped
  const ansi = /\u001b\[[0-9;]*m/y;
  let visible = 0;
  let out = '';
  let coloured = false;
  for (let i = 0; i < line.length;) {
    ansi.lastIndex = i;
    const m = ansi.exec(line);
    if (m) {
      out += m[0];
      coloured = true;
      i += m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(line.codePointAt(i)!);
    if (visible === width - 1 && i + ch.length < line.length && visibleRest(line, i) > 1) {
      return out + '…' + (coloured ? '\u001b[0m' : '');
    }
    out += ch;
    visible++;
    i += ch.length;
  }
  return out;
}

/** Visible characters of line from index i on. */
function visibleRest(line: string, i: number): number {
  // eslint-disable-next-line no-control-regex -- colour codes take no width
  return [...line.slice(i).replace(/\u001b\[[0-9;]*m/g, '')].length;
}

export function plainProgress(stream: Writable, _color = false): Progress {
  return {
    start(text) {
      stream.write(`- ${text}\n`);
      let current = text;
      return {
        update: (t) => {
          current = t;
        },
        succeed: (t) => void stream.write(`✔ ${t ?? current}\n`),
        fail: (t) => void stream.write(`✘ ${t ?? current}\n`),
      };
    },
    info: (t) => void stream.write(t + '\n'),
    warn: (t) => void stream.write(`! ${t}\n`),
  };
}

/** A Progress that records everything, for unit tests. */
export function recordingProgress(lines: string[]): Progress {
  return {
    start(text) {
      lines.push(`start: ${text}`);
      return {
        update: (t) => void lines.push(`update: ${t}`),
        succeed: (t) => void lines.push(`ok: ${t ?? text}`),
        fail: (t) => void lines.push(`fail: ${t ?? text}`),
      };
    },
    info: (t) => void lines.push(`info: ${t}`),
    warn: (t) => void lines.push(`warn: ${t}`),
  };
}
