import type { Command } from 'commander';
import { MeshError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { collect } from '../flags.js';

export function registerManifest(program: Command, _ctx: CliContext): void {
  const manifest = program.command('manifest').description('render and compare install manifests without a cluster');
  manifest
    .command('generate')
    .description('render an install profile into Kubernetes manifests')
    .option('-p, --profile <name|file>', 'install profile (default, demo, minimal, empty, remote, preview, stable, ambient) or a profile file')
    .option('-f, --filename <file>', 'IstioOperator overlay file (repeatable, - for stdin)', collect)
    .option('-s, --set <path=value>', 'override one value, e.g. components.pilot.k8s.replicaCount=2 (repeatable)', collect)
    .option('-r, --revision <name>', 'control-plane revision')
    .option('-o, --output <file|dir>', 'write to a file, or one file per component into a directory')
    .action(async () => {
      throw new MeshError('manifest generate is not implemented yet');
    });
  manifest
    .command('diff <a> <b>')
    .description('compare two manifest files object by object')
    .action(async () => {
      throw new MeshError('manifest diff is not implemented yet');
    });
}
