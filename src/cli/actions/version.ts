import type { Command } from 'commander';
import type { RemoteVersions } from '../../apply/versions.js';
import { ISTIO_VERSION } from '../../model/release.js';
import { renderData } from '../../output/format.js';
import { type CliContext, kubeClient } from '../context.js';
import { MESH_VERSION } from '../program.js';

export async function versionAction(ctx: CliContext, cmd: Command, opts: { remote?: boolean; output: string }): Promise<void> {
  const client = { version: MESH_VERSION, istioVersion: ISTIO_VERSION };
  const machine = opts.output === 'json' || opts.output === 'yaml';
  // The client's version is known without the cluster: print it first, so an unreachable server
  // still leaves it on stdout (as kubectl version does); the remote part follows or fails.
  if (!machine) ctx.stdout.write(`client version: ${MESH_VERSION}\nistio version: ${ISTIO_VERSION}\n`);
  let remote: RemoteVersions | undefined;
  if (opts.remote) {
    const { collectRemoteVersions } = await import('../../apply/versions.js');
    remote = await collectRemoteVersions(await kubeClient(ctx, cmd));
  }
  if (machine) {
    ctx.stdout.write(renderData(opts.output as 'json' | 'yaml', remote ? { client, ...remote } : { client }));
    return;
  }
  if (remote) ctx.stdout.write(remoteText(remote));
}

/** istioctl-style lines: one per control-plane revision, one per data-plane version. */
export function remoteText(remote: RemoteVersions): string {
  const lines: string[] = [];
  if (remote.controlPlane.length === 0) lines.push('control plane version: none (no istiod Deployment found)');
  for (const cp of remote.controlPlane) lines.push(`control plane version: ${cp.version} (revision ${cp.revision}, ${cp.deployment})`);
  if (remote.dataPlane.length === 0) lines.push('data plane version: none (no proxies found)');
  for (const dp of remote.dataPlane) lines.push(`data plane version: ${dp.version} (${dp.proxies} ${dp.proxies === 1 ? 'proxy' : 'proxies'})`);
  return lines.join('\n') + '\n';
}
