/**
 * Colour and spinner policy. Colours and spinners only on a TTY, never under NO_COLOR or CI.
 * FORCE_COLOR=1 forces colour (not spinners) for people who pipe into `less -R`.
 */
export interface TerminalInfo {
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

export function useColor(t: TerminalInfo): boolean {
  if (t.env['NO_COLOR'] !== undefined && t.env['NO_COLOR'] !== '') return false;
  const force = t.env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (isCI(t.env)) return false;
  if (t.env['TERM'] === 'dumb') return false;
  return t.isTTY;
}

export function useSpinner(t: TerminalInfo): boolean {
  if (t.env['NO_COLOR'] !== undefined && t.env['NO_COLOR'] !== '') return false;
  if (isCI(t.env) || t.env['TERM'] === 'dumb') return false;
  return t.isTTY;
}

export function isCI(env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}
