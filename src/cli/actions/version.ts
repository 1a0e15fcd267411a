import type { Command } from 'commander';
import type { RemoteVersions } from '../../apply/versions.js';
import type { KubeClient } from '../../kube/client.js';
import { ISTIO_VERSION } from '../../model/release.js';
import { renderData } from '../../output/format.js';
import { type CliContext, kubeClient, requestTimeoutMs } from '../context.js';
import type { VersionFlags } from '../options/version.js';
import { MESH_VERSION } from '../../version.js';

/** How long `version --remote` waits for istiod before it falls back to image tags. */
const ISTIOD_TIMEOUT_MS = 15_000;

export async function versionAction(ctx: CliContext, cmd: Command, opts: VersionFlags): Promise<void> {
  const client = { version: MESH_VERSION, istioVersion: ISTIO_VERSION };
  const format = opts.output === 'json' || opts.output === 'yaml' ? opts.output : undefined;
  // A bad --request-timeout is a usage error before anything is printed, as on every command.
  if (opts.remote) requestTimeoutMs(cmd);
  // The client's own version comes first, so it is there even when the cluster cannot be reached.
  if (format === undefined) ctx.stdout.write(`client version: ${MESH_VERSION}\nistio version: ${ISTIO_VERSION}\n`);
  let remote: RemoteVersions | undefined;
  if (opts.remote) remote = await remoteVersions(ctx, await kubeClient(ctx, cmd));
  if (format !== undefined) ctx.stdout.write(renderData(format, remote ? { client, ...remote } : { client }));
  else if (remote) ctx.stdout.write(remoteText(remote));
}

/**
 * Versions from istiod itself where it answers (its xDS identity, and ISTIO_VERSION of its connected
 * proxies), from the Deployments' and pods' images otherwise.
 */
async function remoteVersions(ctx: CliContext, kube: KubeClient): Promise<RemoteVersions> {
  const { collectRemoteVersions } = await import('../../apply/versions.js');
  const images = await collectRemoteVersions(kube);
  if (images.controlPlane.length === 0) return images;
  const { runProxyStatus } = await import('../../status/run.js');
  const { versionsFromStatus } = await import('../../status/versions.js');
  const namespaces = [...new Set(images.controlPlane.map((c) => c.deployment.split('/')[0] ?? ''))].sort();
  const results = [];
  for (const istioNamespace of namespaces) {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), ISTIOD_TIMEOUT_MS);
    try {
      results.push(await runProxyStatus({ istioNamespace, timeoutMs: ISTIOD_TIMEOUT_MS }, { kube, deadline: deadline.signal }));
    } catch (err) {
      ctx.stderr.write(`Note: could not read istiod in namespace ${istioNamespace} (${(err as Error).message}); its versions are the image tags\n`);
    } finally {
      clearTimeout(timer);
    }
  }
  return results.length === 0 ? images : versionsFromStatus(images, results);
}

/** istioctl-style lines: one per control-plane revision, one per data-plane version. */
export function remoteText(remote: RemoteVersions): string {
  const lines: string[] = [];
  if (remote.controlPlane.length === 0) lines.push('control plane version: none (no istiod Deployment found)');
  for (const cp of remote.controlPlane) {
    lines.push(`control plane version: ${cp.version} (revision ${cp.revision}, ${cp.deployment}${cp.source === 'istiod' ? ', reported by istiod' : ''})`);
  }
  if (remote.dataPlane.length === 0) lines.push('data plane version: none (no proxies found)');
  for (const dp of remote.dataPlane) {
    const reported =
      dp.reported === undefined
        ? ''
        : dp.reported === dp.proxies
          ? ', reported by istiod'
          : `, ${dp.reported} reported by istiod, ${dp.proxies - dp.reported} from the image`;
    lines.push(`data plane version: ${dp.version} (${dp.proxies} ${dp.proxies === 1 ? 'proxy' : 'proxies'}${reported})`);
  }
  return lines.join('\n') + '\n';
}
