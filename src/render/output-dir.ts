/**
 * `manifest generate --output-dir DIR` (or `-o DIR`): what to do with the files already in DIR. Pure: the listing and the
 * index of an earlier run are passed in. `kubectl apply -f DIR` applies every manifest in it, so a
 * file an earlier render wrote but this one does not (03-cni.yaml after switching away from ambient)
 * must go, and a manifest mesh did not write must not be mixed in silently.
 */

/** The index mesh keeps in DIR: the names of the files it wrote there, one a line. */
export const OUTPUT_INDEX = '.mesh-generated';

/** The names mesh gives component files (00-namespaces.yaml, 01-base.yaml, …). */
const OURS = /^\d{2}-[a-z]+\.yaml$/;
/** Files kubectl apply -f DIR reads. */
const MANIFEST = /\.(ya?ml|json)$/i;

export interface OutputDirPlan {
  /** Files an earlier mesh run wrote that this one does not: removed. */
  remove: string[];
  /** Manifests mesh did not write: the directory is refused while they are there. */
  foreign: string[];
}

/**
 * @param existing the names in DIR (files only)
 * @param index the names listed in DIR's index, or undefined when there is none
 * @param next the names this run writes
 */
export function planOutputDir(existing: readonly string[], index: readonly string[] | undefined, next: readonly string[]): OutputDirPlan {
  const wanted = new Set(next);
  // Without an index (a directory from before mesh kept one), files named as mesh names them count as mesh's.
  const ours = (f: string): boolean => (index !== undefined ? index.includes(f) : OURS.test(f));
  const remove: string[] = [];
  const foreign: string[] = [];
  for (const f of [...existing].sort()) {
    if (f === OUTPUT_INDEX || wanted.has(f)) continue;
    if (ours(f)) remove.push(f);
    else if (MANIFEST.test(f)) foreign.push(f);
  }
  return { remove, foreign };
}

export function parseIndex(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.includes('/') && l !== '..' && l !== '.');
}

export function indexText(names: readonly string[]): string {
  return `# files written by mesh manifest generate; it removes them when a later run does not write them\n${names.join('\n')}\n`;
}
