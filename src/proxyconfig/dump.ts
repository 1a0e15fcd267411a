/**
 * Reading an Envoy admin `/config_dump` (and `/clusters?format=json`): find each section by its
 * @type and take its resources out, in either field spelling (Envoy writes snake_case, protojson
 * camelCase). Pure: parsed JSON in, plain data out.
 */
import { InputError } from '../errors.js';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A field by its proto name, in snake_case or camelCase. */
export function field(o: unknown, name: string): unknown {
  if (!isObject(o)) return undefined;
  return o[name] ?? o[camel(name)];
}
export const obj = (o: unknown, name: string): Json | undefined => {
  const v = field(o, name);
  return isObject(v) ? v : undefined;
};
export const arr = (o: unknown, name: string): unknown[] => {
  const v = field(o, name);
  return Array.isArray(v) ? v : [];
};
export const str = (o: unknown, name: string): string => {
  const v = field(o, name);
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
};
export const num = (o: unknown, name: string): number => {
  const v = field(o, name);
  return typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0;
};

const SECTIONS = {
  bootstrap: 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
  clusters: 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
  listeners: 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
  routes: 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
  secrets: 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump',
  endpoints: 'type.googleapis.com/envoy.admin.v3.EndpointsConfigDump',
} as const;

export interface ConfigDump {
  bootstrap: Json | undefined;
  clusters: Json[];
  listeners: Json[];
  routes: Json[];
  secrets: { name: string; versionInfo: string; lastUpdated: string; secret: Json; state: 'ACTIVE' | 'WARMING' }[];
  /** Names of the static clusters, listeners and routes (from the bootstrap, not from istiod). */
  staticNames: string[];
  /** The whole document, for -o json of `all`. */
  raw: Json;
}

/** Parses a config dump; `where` names it in errors (a file, or `pod ns/name`). */
export function parseConfigDump(doc: unknown, where: string): ConfigDump {
  if (!isObject(doc) || !Array.isArray(doc['configs'])) {
    throw new InputError(`${where}: not an Envoy config dump (want a JSON object with "configs": [...], as /config_dump answers)`);
  }
  const configs = doc['configs'] as unknown[];
  const section = (type: string): Json | undefined => configs.find((c): c is Json => isObject(c) && c['@type'] === type);
  const clusters = section(SECTIONS.clusters);
  const listeners = section(SECTIONS.listeners);
  const routes = section(SECTIONS.routes);
  const secrets = section(SECTIONS.secrets);
  const out: ConfigDump = {
    bootstrap: obj(section(SECTIONS.bootstrap), 'bootstrap'),
    clusters: [
      ...arr(clusters, 'dynamic_active_clusters').map((c) => obj(c, 'cluster')),
      ...arr(clusters, 'static_clusters').map((c) => obj(c, 'cluster')),
    ].filter((c): c is Json => c !== undefined),
    listeners: [
      ...arr(listeners, 'dynamic_listeners').map((l) => obj(obj(l, 'active_state'), 'listener')),
      ...arr(listeners, 'static_listeners').map((l) => obj(l, 'listener')),
    ].filter((l): l is Json => l !== undefined),
    routes: [
      ...arr(routes, 'dynamic_route_configs').map((r) => obj(r, 'route_config')),
      ...arr(routes, 'static_route_configs').map((r) => obj(r, 'route_config')),
    ].filter((r): r is Json => r !== undefined),
    secrets: [],
    staticNames: [
      ...arr(clusters, 'static_clusters').map((c) => str(obj(c, 'cluster'), 'name')),
      ...arr(listeners, 'static_listeners').map((l) => str(obj(l, 'listener'), 'name')),
      ...arr(routes, 'static_route_configs').map((r) => str(obj(r, 'route_config'), 'name')),
    ],
    raw: doc,
  };
  for (const [key, state] of [
    ['dynamic_active_secrets', 'ACTIVE'],
    ['dynamic_warming_secrets', 'WARMING'],
    ['static_secrets', 'ACTIVE'],
  ] as const) {
    for (const s of arr(secrets, key)) {
      const secret = obj(s, 'secret');
      if (secret === undefined) continue;
      out.secrets.push({ name: str(s, 'name') || str(secret, 'name'), versionInfo: str(s, 'version_info'), lastUpdated: str(s, 'last_updated'), secret, state });
    }
  }
  return out;
}

/** `/clusters?format=json`: cluster_statuses[].host_statuses[]. */
export interface ClusterStatus {
  name: string;
  hosts: Json[];
}

export function parseClusters(doc: unknown, where: string): ClusterStatus[] {
  if (!isObject(doc) || !Array.isArray(field(doc, 'cluster_statuses'))) {
    throw new InputError(`${where}: not Envoy's /clusters?format=json (want a JSON object with "cluster_statuses": [...])`);
  }
  return arr(doc, 'cluster_statuses')
    .filter(isObject)
    .map((c) => ({ name: str(c, 'name'), hosts: arr(c, 'host_statuses').filter(isObject) }));
}
