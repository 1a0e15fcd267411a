import type { Command } from 'commander';
import { ISTIO_VERSION } from '../../model/release.js';
import { renderData } from '../../output/format.js';
import type { CliContext } from '../context.js';
import { MESH_VERSION } from '../program.js';

export async function versionAction(ctx: CliContext, _cmd: Command, opts: { remote?: boolean; output: string }): Promise<void> {
  const data = { client: { version: MESH_VERSION, istioVersion: ISTIO_VERSION } };
  if (opts.output === 'json' || opts.output === 'yaml') {
    ctx.stdout.write(renderData(opts.output, data));
    return;
  }
  ctx.stdout.write(`client version: ${MESH_VERSION}\nistio version: ${ISTIO_VERSION}\n`);
}
