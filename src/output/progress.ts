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
      const s = ora({ text, stream: opts.stream as NodeJS.WritableStream, discardStdin: false }).start();
      return {
        update: (t) => {
          s.text = t;
        },
        succeed: (t) => {
          s.stopAndPersist({ symbol: chalk.green('✔'), text: t ?? s.text });
        },
        fail: (t) => {
          s.stopAndPersist({ symbol: chalk.red('✘'), text: t ?? s.text });
        },
      };
    },
    info: (t) => void opts.stream.write(t + '\n'),
    warn: (t) => void opts.stream.write(chalk.yellow('! ') + t + '\n'),
  };
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
