import type { Command } from 'commander';
import { collect } from '../flags.js';

/** The inputs that select what to render: shared by manifest generate, install (and --dry-run), verify-install and (with -f) uninstall. */
export interface RenderFlags {
  profile?: string;
  filename?: string[];
  set?: string[];
  revision?: string;
}

/** -p/-f/-s/-r, the one set of render flags of manifest generate, install and verify-install. */
export function addRenderOptions(cmd: Command): Command {
  return cmd
    .option(
      '-p, --profile <name|file>',
      'install profile (default, demo, minimal, empty, remote, preview, stable, ambient, openshift, openshift-ambient) or a profile file',
    )
    .option('-f, --filename <file>', 'IstioOperator overlay file (repeatable, applied left to right; - for stdin)', collect)
    .option('-s, --set <path=value>', 'override one field, e.g. components.pilot.k8s.replicaCount=2 or values.global.logAsJson=true (repeatable)', collect)
    .option('-r, --revision <name>', 'control-plane revision (a DNS-1123 label, e.g. canary or 1-31-1)');
}
