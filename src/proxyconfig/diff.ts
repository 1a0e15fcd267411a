/**
 * `mesh proxy-config --diff`: the proxy's config dump against what istiod would send it now
 * (istiod's /debug/config_dump?proxyID=), resource by resource, so a user sees why a proxy is
 * STALE or what it NACKed. Pure.
 */
import { type ConfigDump, type Json, fieldText } from './dump.js';
import { isRecord } from '../util/narrow.js';

export interface TypeDiff {
  type: 'Clusters' | 'Listeners' | 'Routes';
  match: boolean;
  /** Names istiod would send that the proxy does not have. */
  missing: string[];
  /** Names the proxy has that istiod would no longer send. */
  extra: string[];
  /** Names both have, with different content. */
  changed: string[];
}

/** Key spelling (snake_case or camelCase) and bookkeeping fields do not count as differences. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (!isRecord(v)) return v;
  const out: Json = {};
  for (const k of Object.keys(v).sort()) {
    // snake_case and camelCase spell a field alike once case and underscores are gone
    // (proxy_100_continue, proxy100Continue).
    const key = k.replace(/_/g, '').toLowerCase();
    if (key === 'versioninfo' || key === 'lastupdated') continue;
    out[key] = normalize(v[k]);
  }
  return out;
}

function compare(type: TypeDiff['type'], proxy: readonly Json[], istiod: readonly Json[]): TypeDiff {
  const a = new Map(proxy.map((r) => [fieldText(r, 'name'), JSON.stringify(normalize(r))]));
  const b = new Map(istiod.map((r) => [fieldText(r, 'name'), JSON.stringify(normalize(r))]));
  const missing = [...b.keys()].filter((n) => !a.has(n)).sort();
  const extra = [...a.keys()].filter((n) => !b.has(n)).sort();
  const changed = [...a.keys()].filter((n) => b.has(n) && a.get(n) !== b.get(n)).sort();
  return { type, match: missing.length + extra.length + changed.length === 0, missing, extra, changed };
}

export function diffDumps(proxy: ConfigDump, istiod: ConfigDump): TypeDiff[] {
  // Static resources come from the bootstrap, which istiod does not send.
  const dynamic = (rs: readonly Json[], d: ConfigDump): Json[] => rs.filter((r) => !d.staticNames.includes(fieldText(r, 'name')));
  return [
    compare('Clusters', dynamic(proxy.clusters, proxy), dynamic(istiod.clusters, istiod)),
    compare('Listeners', dynamic(proxy.listeners, proxy), dynamic(istiod.listeners, istiod)),
    compare('Routes', dynamic(proxy.routes, proxy), dynamic(istiod.routes, istiod)),
  ];
}

export function renderDiff(diffs: readonly TypeDiff[]): string {
  const lines: string[] = [];
  for (const d of diffs) {
    lines.push(d.match ? `${d.type} Match` : `${d.type} Don't Match`);
    for (const n of d.missing) lines.push(`  + ${n}  (istiod would send it; the proxy does not have it)`);
    for (const n of d.extra) lines.push(`  - ${n}  (the proxy has it; istiod would no longer send it)`);
    for (const n of d.changed) lines.push(`  ~ ${n}  (differs)`);
  }
  return lines.join('\n') + '\n';
}
