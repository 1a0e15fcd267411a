/**
 * `mesh version --remote` from istiod itself: the control-plane version each istiod reports in its
 * xDS identity (the syncz answer's control-plane identifier, as `istioctl version` reads it), and the
 * data-plane versions its connected proxies report (ISTIO_VERSION); a proxy istiod does not know
 * keeps its image's version. Pure: it merges what proxy-status computed into the image-based view.
 */
import type { ControlPlaneVersion, DataPlaneVersion, RemoteVersions } from '../model/versions.js';
import type { ProxyStatusResult } from './run.js';

export function versionsFromStatus(images: RemoteVersions, results: readonly Pick<ProxyStatusResult, 'report' | 'istiodVersions'>[]): RemoteVersions {
  const reports = results.map((r) => r.report);
  const reported = new Map(results.flatMap((r) => r.istiodVersions).map((i) => [i.pod, i.version]));
  const istiods = reports.flatMap((r) => r.controlPlanes).map((c) => ({ ...c, version: reported.get(c.pod) ?? null }));
  const controlPlane: ControlPlaneVersion[] = [];
  for (const cp of images.controlPlane) {
    const ns = cp.deployment.split('/')[0];
    const own = [
      ...new Set(istiods.filter((i) => i.namespace === ns && i.revision === cp.revision && i.version !== null).map((i) => i.version as string)),
    ].sort();
    if (own.length === 0) controlPlane.push({ ...cp, source: 'image' });
    for (const version of own) controlPlane.push({ ...cp, version, source: 'istiod' });
  }
  // One row per pod: connected to some istiod if any report has it so.
  const rows = new Map<string, { version: string; connected: boolean }>();
  for (const r of reports) {
    for (const p of r.proxies) {
      const had = rows.get(p.name);
      if (had === undefined || (!had.connected && p.connected)) rows.set(p.name, { version: p.version ?? 'unknown', connected: p.connected });
    }
  }
  const counts = new Map<string, DataPlaneVersion>();
  for (const { version, connected } of rows.values()) {
    const c = counts.get(version) ?? { version, proxies: 0, reported: 0 };
    c.proxies++;
    if (connected) c.reported = (c.reported ?? 0) + 1;
    counts.set(version, c);
  }
  const dataPlane = [...counts.values()].sort((a, b) => a.version.localeCompare(b.version));
  return { controlPlane, dataPlane };
}
