/**
 * Printers for proxy-status: the default table, the per-type (--wide) table, the single-proxy
 * detail and the closing hints. Pure: the current time comes in as `now`.
 */
import { Chalk } from 'chalk';
import { renderTable, type Column } from '../output/format.js';
import { type ProxyRow, type StatusReport, type TypeStatus, XDS_TYPES } from './types.js';
import { formatDuration } from '../util/duration.js';

export interface PrintOptions {
  now: Date;
  color?: boolean;
}

/** A short age like `45s`, `2m5s`, `3h4m`, `2d5h`. */
export function formatAge(ms: number): string {
  return formatDuration(ms, { round: 'down', parts: 2 });
}

function ageOf(time: string | null, now: Date): string | null {
  if (time === null) return null;
  const t = Date.parse(time);
  return Number.isNaN(t) ? null : formatAge(now.getTime() - t);
}

function painter(color: boolean | undefined) {
  const c = new Chalk({ level: color ? 1 : 0 });
  return {
    status(text: string, status: string): string {
      if (status === 'SYNCED') return c.green(text);
      if (status === 'ERROR') return c.red(text);
      if (status === 'STALE' || status === 'NOT CONNECTED' || status === 'OUTDATED') return c.yellow(text);
      return text;
    },
    bold: (t: string) => c.bold(t),
  };
}

/** `SYNCED (2m5s)`, `NOT SENT`, `STALE`, `ERROR (5s)`, `IGNORED`. */
export function typeCell(s: TypeStatus | null, now: Date): string {
  if (s === null) return '-';
  if (s.status === 'IGNORED' || s.status === 'NOT SENT') return s.status;
  const age = ageOf(s.status === 'ERROR' ? (s.error?.lastUpdateAttempt ?? s.lastUpdated) : s.lastUpdated, now);
  return age === null ? s.status : `${s.status} (${age})`;
}

function versionCell(r: ProxyRow): string {
  const v = r.version ?? 'unknown';
  return r.outdated ? `${v} (OUTDATED)` : v;
}

function subscribedCell(r: ProxyRow): string {
  if (!r.connected) return '-';
  const base = r.subscribed.length === 0 ? '0' : `${r.subscribed.length} (${r.subscribed.join(',')})`;
  const problems = XDS_TYPES.filter((t) => r.types[t]?.status === 'STALE' || r.types[t]?.status === 'ERROR').map(
    (t) => `${t} ${r.types[t]?.status === 'ERROR' ? 'NACKED' : 'STALE'}`,
  );
  return problems.length === 0 ? base : `${base} [${problems.join(', ')}]`;
}

/** The proxy-status table: istioctl's default columns, or one column per xDS type with `wide`. */
export function renderStatusTable(report: StatusReport, options: PrintOptions & { wide?: boolean }): string {
  if (report.proxies.length === 0) return '';
  const p = painter(options.color);
  const name: Column<ProxyRow> = { header: 'NAME', value: (r) => r.name };
  const cluster: Column<ProxyRow> = { header: 'CLUSTER', value: (r) => r.cluster ?? '-' };
  const istiod: Column<ProxyRow> = { header: 'ISTIOD', value: (r) => r.istiod ?? p.status('NOT CONNECTED', 'NOT CONNECTED') };
  const version: Column<ProxyRow> = {
    header: 'VERSION',
    value: (r) => (r.outdated ? p.status(versionCell(r), 'OUTDATED') : versionCell(r)),
  };
  if (!options.wide) {
    const subscribed: Column<ProxyRow> = { header: 'SUBSCRIBED TYPES', value: subscribedCell };
    return renderTable(report.proxies, [name, cluster, istiod, version, subscribed]);
  }
  const perType = XDS_TYPES.map((t): Column<ProxyRow> => ({
    header: t,
    value: (r) => {
      const s = r.types[t];
      return s === null ? '-' : p.status(typeCell(s, options.now), s.status);
    },
  }));
  return renderTable(report.proxies, [name, cluster, ...perType, istiod, version]);
}

/** One proxy in detail: identity, versions, and per type its status, last update and NACK details. */
export function renderProxyDetail(r: ProxyRow, options: PrintOptions): string {
  const p = painter(options.color);
  const state =
    r.findings.length === 0
      ? p.status('SYNCED', 'SYNCED')
      : r.findings.map((f) => p.status(f.replace('_', ' '), f === 'NACKED' ? 'ERROR' : f === 'NOT_CONNECTED' ? 'NOT CONNECTED' : f)).join(', ');
  const lines = [
    `Proxy:          ${r.name}`,
    `Cluster:        ${r.cluster ?? '-'}`,
    `Istiod:         ${r.istiod ?? 'NOT CONNECTED (no istiod reports this proxy)'}`,
    `Version:        ${r.version ?? 'unknown'}`,
    `Control plane:  ${r.controlPlaneVersion ?? 'unknown'}${r.outdated ? ' (the proxy is OUTDATED: restart its workload)' : ''}`,
    `State:          ${state}`,
  ];
  if (!r.connected) return lines.join('\n') + '\n';
  const table = renderTable(
    XDS_TYPES.map((t) => ({ t, s: r.types[t]! })),
    [
      { header: 'TYPE', value: (x) => x.t },
      { header: 'STATUS', value: (x) => p.status(x.s.status, x.s.status) },
      { header: 'LAST UPDATE', value: (x) => x.s.lastUpdated ?? '-' },
      { header: 'AGE', value: (x) => ageOf(x.s.lastUpdated, options.now) ?? '-' },
    ],
  );
  const nacks = XDS_TYPES.filter((t) => r.types[t]?.error).map((t) => {
    const e = r.types[t]!.error!;
    const when = e.lastUpdateAttempt === null ? '' : ` (last attempt ${e.lastUpdateAttempt}, ${ageOf(e.lastUpdateAttempt, options.now) ?? '?'} ago)`;
    return `  ${t}${when}: ${e.details === '' ? '(no details)' : e.details}`;
  });
  return [...lines, '', table.trimEnd(), ...(nacks.length > 0 ? ['', 'NACK errors:', ...nacks] : [])].join('\n') + '\n';
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** Closing lines for stderr: what is wrong, and what to do about it. Empty when all is well. */
export function closingHints(report: StatusReport): string[] {
  const s = report.summary;
  const out: string[] = [];
  if (s.stale > 0)
    out.push(
      `${plural(s.stale, 'proxy has', 'proxies have')} config that istiod sent but the proxy has not acknowledged (STALE); mesh proxy-status --wide shows which types`,
    );
  if (s.nacked > 0) out.push(`${plural(s.nacked, 'proxy', 'proxies')} rejected config (NACKED); mesh proxy-status POD.NAMESPACE shows the error`);
  if (s.notConnected > 0)
    out.push(`${plural(s.notConnected, 'pod has', 'pods have')} a sidecar but no istiod reports it (NOT CONNECTED); check the istio-proxy container's logs`);
  if (s.outdated > 0)
    out.push(
      `${plural(s.outdated, 'proxy runs', 'proxies run')} a different Istio version than its control plane (OUTDATED); restart them with: mesh rollout-restart --outdated`,
    );
  return out;
}
