import type { Command } from 'commander';
import { FindingsError } from '../../errors.js';
import { renderData } from '../../output/format.js';
import { proxyPod, readAdmin, readFileJson, readIstiodView } from '../../proxyconfig/collect.js';
import { diffDumps, renderDiff } from '../../proxyconfig/diff.js';
import { type ConfigDump, parseClusters, parseConfigDump } from '../../proxyconfig/dump.js';
import { clusterTable, endpointTable, listenerTable, routeTable, secretTable } from '../../proxyconfig/print.js';
import { clusterRows, endpointRows, listenerRows, routeRows, secretRows } from '../../proxyconfig/tables.js';
import { type CliContext, colorOn, kubeClient } from '../context.js';
import { type PcType, type ProxyConfigFlags, type ProxyConfigOptions, validateProxyConfig } from '../options/proxy-config.js';
import type { KubeClient } from '../../kube/client.js';

async function loadDump(kube: KubeClient | undefined, o: ProxyConfigOptions, signal: AbortSignal): Promise<ConfigDump> {
  if (o.file !== undefined) return parseConfigDump(await readFileJson(o.file), `--file ${o.file}`);
  const t = o.target!;
  return parseConfigDump(
    await readAdmin(kube!, '/config_dump', { ...t, adminPort: o.adminPort, timeoutMs: o.timeoutMs, signal }),
    `pod ${t.namespace}/${t.pod} /config_dump`,
  );
}

export async function proxyConfigAction(ctx: CliContext, cmd: Command, type: string, pod: string | undefined, flags: ProxyConfigFlags): Promise<void> {
  validateProxyConfig(type, pod, flags, () => 'default');
  const offline = (type === 'endpoint' ? flags.endpointsFile : flags.file) !== undefined && !flags.diff;
  const deadline = new AbortController();
  const kube = offline ? undefined : await kubeClient(ctx, cmd, { signal: deadline.signal });
  const o = validateProxyConfig(type, pod, flags, () => kube?.info().namespace ?? 'default');
  const timer = setTimeout(() => deadline.abort(), o.timeoutMs);
  try {
    if (kube && o.target) await proxyPod(kube, o.target.namespace, o.target.pod);
    const out = (data: unknown, table: string): void => {
      ctx.stdout.write(o.output === 'short' ? table : renderData(o.output, data));
    };
    if (o.type === 'endpoint') {
      const doc =
        o.endpointsFile !== undefined
          ? await readFileJson(o.endpointsFile, '--endpoints-file')
          : await readAdmin(kube!, '/clusters?format=json', { ...o.target!, adminPort: o.adminPort, timeoutMs: o.timeoutMs, signal: deadline.signal });
      const clusters = parseClusters(
        doc,
        o.endpointsFile !== undefined ? `--endpoints-file ${o.endpointsFile}` : `pod ${o.target!.namespace}/${o.target!.pod} /clusters`,
      );
      const rows = endpointRows(clusters, o.filters);
      out(rows, endpointTable(rows));
      return;
    }
    const dump = await loadDump(kube, o, deadline.signal);
    if (o.diff) {
      const t = o.target!;
      const view = await readIstiodView(kube!, {
        istioNamespace: o.istioNamespace,
        proxyId: `${t.pod}.${t.namespace}`,
        timeoutMs: o.timeoutMs,
        signal: deadline.signal,
      });
      const diffs = diffDumps(dump, parseConfigDump(view.body, `istiod ${o.istioNamespace}/${view.istiod} /debug/config_dump`)).filter(
        (d) => o.type === 'all' || d.type.toLowerCase().startsWith(o.type),
      );
      ctx.stdout.write(renderDiff(diffs));
      if (diffs.some((d) => !d.match)) {
        throw new FindingsError(`proxy ${t.pod}.${t.namespace} does not have what istiod ${view.istiod} would send it now`, {
          details: ['mesh proxy-status POD.NAMESPACE shows whether it is STALE (not acknowledged) or NACKED (rejected), and why'],
        });
      }
      return;
    }
    const now = ctx.now();
    const color = colorOn(ctx, 'stdout');
    const sections: { title: string; data: unknown; table: string }[] = [];
    const want = (t: PcType): boolean => o.type === t || o.type === 'all';
    if (want('cluster')) {
      const rows = clusterRows(dump, o.filters);
      sections.push({
        title: 'cluster',
        data: o.type === 'all' ? rows : dump.clusters.filter((c) => rows.some((r) => r.name === c['name'])),
        table: clusterTable(rows),
      });
    }
    if (want('listener')) {
      const rows = listenerRows(dump, o.filters);
      const names = new Set(rows.map((r) => r.name));
      sections.push({
        title: 'listener',
        data: o.type === 'all' ? rows : dump.listeners.filter((l) => names.has(String(l['name']))),
        table: listenerTable(rows),
      });
    }
    if (want('route')) {
      const rows = routeRows(dump, o.filters);
      sections.push({
        title: 'route',
        data: o.type === 'all' ? rows : dump.routes.filter((r) => !o.filters.name || r['name'] === o.filters.name),
        table: routeTable(rows),
      });
    }
    let warnings: string[] = [];
    if (want('secret')) {
      const rows = secretRows(dump, now).filter((r) => !o.filters.name || r.name === o.filters.name);
      warnings = rows.flatMap((r) => (r.warning === null ? [] : [`secret ${r.name}: ${r.warning}`]));
      sections.push({ title: 'secret', data: rows, table: secretTable(rows, { color }) });
    }
    if (o.type === 'bootstrap') {
      ctx.stdout.write(o.output === 'yaml' ? renderData('yaml', { bootstrap: dump.bootstrap ?? {} }) : renderData('json', { bootstrap: dump.bootstrap ?? {} }));
      return;
    }
    if (o.type === 'all') {
      if (o.output === 'short') ctx.stdout.write(sections.map((s) => s.table).join('\n'));
      else ctx.stdout.write(renderData(o.output, Object.fromEntries(sections.map((s) => [s.title, s.data]))));
    } else {
      const s = sections[0]!;
      out(s.data, s.table);
    }
    if (warnings.length > 0)
      throw new FindingsError(`${warnings.length} certificate${warnings.length === 1 ? '' : 's'} need${warnings.length === 1 ? 's' : ''} attention`, {
        details: warnings,
      });
  } finally {
    clearTimeout(timer);
  }
}
