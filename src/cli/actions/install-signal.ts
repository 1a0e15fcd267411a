/** Ctrl-C during install/uninstall: stop at the next safe point and say how to converge. */
import { setTimeout as delay } from 'node:timers/promises';
import { ExitCode, InterruptedError } from '../../errors.js';
import type { Progress } from '../../output/progress.js';

export async function interruptible<T>(out: Progress, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(ExitCode.Interrupted);
    out.warn('Interrupted: stopping after the requests in flight (press Ctrl-C again to quit at once).');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await fn(controller.signal);
  } catch (err) {
    // A core that already said where it stopped and how to go on keeps its own message.
    if (err instanceof InterruptedError) throw err;
    if (controller.signal.aborted) {
      throw new InterruptedError('interrupted; every step mesh takes is idempotent: run the same command again to finish', { cause: err });
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * Waits ms, or less when the signal aborts. Nothing stays attached to the signal afterwards (a
 * listener per sleep piled up into MaxListenersExceededWarning during long installs).
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch (err) {
    if ((err as { name?: string }).name !== 'AbortError') throw err;
  }
}
