/**
 * `mesh proxy-config` rows: what istioctl's proxy-config tables show (same columns, same order,
 * same filters), computed from a parsed config dump. Pure; the clock comes in as `now`.
 */
import { X509Certificate } from 'node:crypto';
import { type ClusterStatus, type ConfigDump, type Json, field, fieldArray, fieldNumber, fieldRecord, fieldText } from './dump.js';
import { isRecord } from '../util/narrow.js';
import { formatDuration } from '../util/duration.js';

const HCM = 'envoy.filters.network.http_connection_manager';
const TCP = 'envoy.filters.network.tcp_proxy';
const BLACKHOLE = 'BlackHoleCluster';

// ----------------------------------------------------------------------------- clusters

export interface ClusterRow {
  name: string;
  fqdn: string;
  port: string;
  subset: string;
  direction: string;
  type: string;
  destinationRule: string;
}

export interface ClusterFilter {
  fqdn?: string;
  port?: number;
  subset?: string;
  direction?: string;
}

function subsetKey(name: string): { direction: string; port: number; subset: string; host: string } | undefined {
  const parts = name.split('|');
  if (parts.length <= 3) return undefined;
  return { direction: parts[0] ?? '', port: Number(parts[1] ?? 0) || 0, subset: parts[2] ?? '', host: parts[3] ?? '' };
}

/** The Istio config a resource came from (filter_metadata.istio.config), as `name.namespace`. */
function managedBy(metadata: unknown): string {
  const istio = fieldRecord(fieldRecord(metadata, 'filter_metadata'), 'istio');
  if (istio === undefined) return '';
  const config = field(istio, 'config');
  if (typeof config !== 'string') return '';
  if (!config.startsWith('/apis/networking.istio.io/')) return '<unknown>';
  const pieces = config.split('/');
  return pieces.length === 8 ? `${pieces[7]}.${pieces[5]}` : '';
}

export function clusterMatches(name: string, f: ClusterFilter): boolean {
  if (f.fqdn && !name.includes(f.fqdn)) return false;
  if (f.direction && !name.includes(f.direction)) return false;
  if (f.subset && !name.includes(f.subset)) return false;
  if (f.port && !name.includes(`|${f.port}|`)) return false;
  return true;
}

const cmp = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);

export function clusterRows(dump: ConfigDump, filter: ClusterFilter = {}): ClusterRow[] {
  const keyed = dump.clusters.map((c) => {
    const name = fieldText(c, 'name');
    const k = subsetKey(name);
    return { c, name, k: k ?? { direction: '', port: 0, subset: '', host: name } };
  });
  keyed.sort((a, b) => cmp(a.k.host, b.k.host) || cmp(a.k.subset, b.k.subset) || cmp(a.k.port, b.k.port) || cmp(a.k.direction, b.k.direction));
  return keyed
    .filter((x) => clusterMatches(x.name, filter))
    .map(({ c, name }) => {
      const k = subsetKey(name);
      // An omitted type is Envoy's default, STATIC (istioctl prints the same).
      const type = fieldText(c, 'type') || 'STATIC';
      return {
        name,
        fqdn: k ? k.host : name,
        port: k ? String(k.port) : '-',
        subset: k ? k.subset || '-' : '-',
        direction: k ? k.direction : '-',
        type,
        destinationRule: managedBy(field(c, 'metadata')),
      };
    });
}

// ----------------------------------------------------------------------------- listeners

export interface ListenerRow {
  name: string;
  addresses: string;
  port: number;
  match: string;
  destination: string;
}

export interface ListenerFilter {
  address?: string;
  port?: number;
  type?: string;
}

const chainsOf = (l: Json): Json[] =>
  [...fieldArray(l, 'filter_chains'), ...(fieldRecord(l, 'default_filter_chain') ? [fieldRecord(l, 'default_filter_chain')!] : [])].filter(isRecord);
const listenerAddress = (l: Json): string =>
  fieldText(fieldRecord(fieldRecord(l, 'address'), 'socket_address'), 'address') || fieldText(fieldRecord(fieldRecord(l, 'address'), 'pipe'), 'path');
const listenerPort = (l: Json): number => fieldNumber(fieldRecord(fieldRecord(l, 'address'), 'socket_address'), 'port_value');
const extraAddresses = (l: Json): string[] =>
  fieldArray(l, 'additional_addresses').map((a) => fieldText(fieldRecord(fieldRecord(a, 'address'), 'socket_address'), 'address'));

export function listenerType(l: Json): string {
  let http = 0;
  let tcp = 0;
  for (const fc of chainsOf(l)) {
    for (const f of fieldArray(fc, 'filters')) {
      const name = fieldText(f, 'name');
      if (name === HCM) http++;
      else if (name === TCP && !JSON.stringify(field(f, 'typed_config') ?? '').includes(BLACKHOLE)) tcp++;
    }
  }
  if (http > 0) return tcp === 0 ? 'HTTP' : 'HTTP+TCP';
  return tcp > 0 ? 'TCP' : 'UNKNOWN';
}

const same = (a: readonly unknown[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const APP_PROTOCOLS: [string, string[]][] = [
  ['App: HTTP TLS', ['http/1.0', 'http/1.1', 'h2c', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2']],
  ['App: Istio HTTP Plain', ['istio', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2']],
  ['App: TCP TLS', ['istio-peer-exchange', 'istio']],
  ['App: HTTP', ['http/1.0', 'http/1.1', 'h2c']],
];

export function describeChainMatch(m: Json | undefined): string {
  const out: string[] = [];
  const sni = fieldArray(m, 'server_names');
  if (sni.length > 0) out.push(`SNI: ${sni.join(',')}`);
  const transport = fieldText(m, 'transport_protocol');
  if (transport !== '') out.push(`Trans: ${transport}`);
  const apps = fieldArray(m, 'application_protocols');
  if (apps.length > 0) out.push(APP_PROTOCOLS.find(([, p]) => same(apps, p))?.[0] ?? `App: ${apps.join(',')}`);
  const dport = field(m, 'destination_port');
  const port = dport !== undefined && dport !== null ? `:${typeof dport === 'object' ? fieldNumber(dport, 'value') : Number(dport)}` : '';
  const prefixes = fieldArray(m, 'prefix_ranges');
  if (prefixes.length > 0) out.push(`Addr: ${prefixes.map((p) => `${fieldText(p, 'address_prefix')}/${fieldNumber(p, 'prefix_len')}`).join(',')}${port}`);
  else if (port !== '') out.push(`Addr: *${port}`);
  return out.length === 0 ? 'ALL' : out.join('; ');
}

function describeMatch(m: unknown): string {
  const conds: string[] = [];
  if (fieldText(m, 'prefix') !== '') conds.push(`${fieldText(m, 'prefix')}*`);
  if (fieldText(m, 'path_separated_prefix') !== '') conds.push(`PathPrefix:${fieldText(m, 'path_separated_prefix')}`);
  if (fieldText(m, 'path') !== '') conds.push(fieldText(m, 'path'));
  if (fieldRecord(m, 'safe_regex')) conds.push(`regex ${fieldText(fieldRecord(m, 'safe_regex'), 'regex')}`);
  return conds.join(' ');
}

function inlineRoute(rc: Json): string {
  const vhosts = fieldArray(rc, 'virtual_hosts');
  if (vhosts.length === 1) {
    const vh = vhosts[0];
    const routes = fieldArray(vh, 'routes');
    const cluster = fieldText(fieldRecord(routes[0], 'route'), 'cluster');
    if (same(fieldArray(vh, 'domains'), ['*']) && routes.length === 1 && fieldText(fieldRecord(routes[0], 'match'), 'prefix') === '/' && cluster !== '') {
      return cluster.includes('Cluster') ? cluster : `Cluster: ${cluster}`;
    }
  }
  const parts = vhosts.map((vh) => {
    const domains = fieldArray(vh, 'domains');
    const d = domains.length === 1 && domains[0] === '*' ? '' : domains.join('/');
    const r = fieldArray(vh, 'routes')
      .map((x) => describeMatch(fieldRecord(x, 'match')))
      .join(', ');
    return d === '' ? r : `${d} ${r}`;
  });
  return `Inline Route: ${parts.join('; ')}`;
}

export function chainDestination(fc: Json): string {
  for (const f of fieldArray(fc, 'filters')) {
    const name = fieldText(f, 'name');
    const tc = fieldRecord(f, 'typed_config');
    if (name === HCM) {
      const rc = fieldRecord(tc, 'route_config');
      if (rc !== undefined) return inlineRoute(rc);
      const rds = fieldText(fieldRecord(tc, 'rds'), 'route_config_name');
      return rds !== '' ? `Route: ${rds}` : 'HTTP';
    }
    if (name === TCP && !JSON.stringify(tc ?? '').includes(BLACKHOLE)) {
      const cluster = fieldText(tc, 'cluster');
      return cluster.includes('Cluster') ? cluster : `Cluster: ${cluster}`;
    }
  }
  return 'Non-HTTP/Non-TCP';
}

export function listenerRows(dump: ConfigDump, filter: ListenerFilter = {}): ListenerRow[] {
  const listeners = dump.listeners.filter((l) => {
    if (filter.address && ![listenerAddress(l), ...extraAddresses(l)].some((a) => a.toLowerCase() === filter.address!.toLowerCase())) return false;
    if (filter.port && listenerPort(l) !== filter.port) return false;
    if (filter.type && listenerType(l).toLowerCase() !== filter.type.toLowerCase()) return false;
    return true;
  });
  listeners.sort((a, b) => cmp(listenerPort(a), listenerPort(b)) || cmp(listenerAddress(a), listenerAddress(b)) || cmp(listenerType(a), listenerType(b)));
  const rows: ListenerRow[] = [];
  for (const l of listeners) {
    const addresses = [listenerAddress(l), ...extraAddresses(l)].join(',');
    const chains = chainsOf(l).map((fc) => ({ match: describeChainMatch(fieldRecord(fc, 'filter_chain_match')), destination: chainDestination(fc) }));
    // istioctl orders a listener's chains by destination, descending (a stable sort here).
    chains.sort((a, b) => cmp(b.destination, a.destination));
    for (const c of chains) rows.push({ name: fieldText(l, 'name'), addresses, port: listenerPort(l), ...c });
  }
  return rows;
}

// ----------------------------------------------------------------------------- routes

export interface RouteRow {
  name: string;
  vhost: string;
  domains: string;
  match: string;
  virtualService: string;
}

function unexpandDomains(domains: string[]): string[] {
  const unique = new Set(domains);
  const drop = new Set<string>();
  for (const h of domains) {
    const full = h.replace(/\.svc\.cluster\.local$/, '');
    if (full !== h && unique.has(full)) drop.add(h);
    const partial = h.replace(/\.svc$/, '');
    if (partial !== h && unique.has(partial)) drop.add(h);
  }
  return domains.filter((h) => !drop.has(h));
}

export function describeDomains(domains: string[]): string {
  if (domains.length === 0) return '';
  if (domains.length === 1) return domains[0]!;
  const noPort = unexpandDomains(domains.filter((d) => !d.includes(':') || ((d.match(/:/g)?.length ?? 0) > 2 && d.endsWith(']'))));
  return noPort.length > 2 ? `${noPort.slice(0, 2).join(', ')} + ${noPort.length - 2} more...` : noPort.join(', ');
}

function isPassthrough(route: unknown): boolean {
  return fieldText(fieldRecord(route, 'route'), 'cluster') === 'PassthroughCluster';
}

export function routeRows(dump: ConfigDump, filter: { name?: string } = {}): RouteRow[] {
  const routes = dump.routes.filter((r) => !filter.name || fieldText(r, 'name') === filter.name);
  // istioctl sorts numeric route names numerically and leaves the order of the others.
  const numeric = (r: Json): number | undefined => (/^\d+$/.test(fieldText(r, 'name')) ? Number(fieldText(r, 'name')) : undefined);
  const sorted = [...routes].sort((a, b) => {
    const x = numeric(a);
    const y = numeric(b);
    return x === undefined || y === undefined ? 0 : x - y;
  });
  const rows: RouteRow[] = [];
  for (const rc of sorted) {
    for (const vh of fieldArray(rc, 'virtual_hosts')) {
      const base = { name: fieldText(rc, 'name'), vhost: fieldText(vh, 'name'), domains: describeDomains(fieldArray(vh, 'domains').map(String)) };
      const routesOf = fieldArray(vh, 'routes');
      for (const r of routesOf) {
        if (isPassthrough(r)) continue;
        rows.push({ ...base, match: describeMatch(fieldRecord(r, 'match')), virtualService: managedBy(field(r, 'metadata')) });
      }
      if (routesOf.length === 0) rows.push({ ...base, match: '/*', virtualService: '404' });
    }
  }
  return rows;
}

// ----------------------------------------------------------------------------- endpoints

export interface EndpointRow {
  endpoint: string;
  address: string;
  port: number;
  status: string;
  outlierCheck: 'OK' | 'FAILED';
  cluster: string;
}

export interface EndpointFilter {
  address?: string;
  port?: number;
  cluster?: string;
  status?: string;
}

export function endpointRows(clusters: readonly ClusterStatus[], filter: EndpointFilter = {}): EndpointRow[] {
  const rows: EndpointRow[] = [];
  for (const c of clusters) {
    for (const h of c.hosts) {
      const sa = fieldRecord(fieldRecord(h, 'address'), 'socket_address');
      const pipe = fieldRecord(fieldRecord(h, 'address'), 'pipe');
      const internal = fieldRecord(fieldRecord(h, 'address'), 'envoy_internal_address');
      const address = sa
        ? fieldText(sa, 'address')
        : pipe
          ? `unix://${fieldText(pipe, 'path')}`
          : internal
            ? `envoy://${fieldText(internal, 'server_listener_name')}/${fieldText(internal, 'endpoint_id')}`
            : 'unknown';
      const port = sa ? fieldNumber(sa, 'port_value') : 0;
      const health = fieldRecord(h, 'health_status');
      const status = fieldText(health, 'eds_health_status') || 'UNKNOWN';
      if (filter.address && address.toLowerCase() !== filter.address.toLowerCase()) continue;
      if (filter.port && port !== filter.port) continue;
      if (filter.cluster && c.name.toLowerCase() !== filter.cluster.toLowerCase()) continue;
      if (filter.status && status.toLowerCase() !== filter.status.toLowerCase()) continue;
      rows.push({
        endpoint: port !== 0 ? `${address}:${port}` : address,
        address,
        port,
        status,
        outlierCheck: field(health, 'failed_outlier_check') === true ? 'FAILED' : 'OK',
        cluster: c.name,
      });
    }
  }
  return rows.sort((a, b) => cmp(a.address, b.address) || cmp(a.port, b.port) || cmp(a.cluster, b.cluster));
}

// ----------------------------------------------------------------------------- secrets

export interface SecretRow {
  name: string;
  type: 'Cert Chain' | 'CA';
  status: string;
  valid: boolean;
  serial: string;
  notAfter: string;
  notBefore: string;
  /** What mesh adds to istioctl's columns: time left, and a warning when the certificate is close to expiry. */
  expiresIn: string;
  warning: string | null;
}

/** The first certificate of a PEM bundle (inline_bytes are base64 of PEM, inline_string is PEM). */
function firstCert(source: unknown): X509Certificate | undefined {
  const bytes = fieldText(source, 'inline_bytes');
  const pem = bytes !== '' ? Buffer.from(bytes, 'base64').toString('utf8') : fieldText(source, 'inline_string');
  const m = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  if (!m) return undefined;
  try {
    return new X509Certificate(m[0]);
  } catch {
    return undefined;
  }
}

const DAY = 86_400_000;
export const EXPIRY_WARNING_DAYS = 7;

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function left(ms: number): string {
  if (ms <= 0) return 'expired';
  if (ms < 48 * 3_600_000) return formatDuration(ms, { largest: 'h', smallest: 'm', round: 'down', zeros: 'all' });
  return formatDuration(ms, { largest: 'd', smallest: 'd', round: 'down' });
}

/**
 * Warn when a certificate has expired, expires within 7 days, or (for short-lived certificates,
 * issued for 7 days or less, like Istio's 24h workload certificates, which the agent rotates at
 * about half their life) has passed 80% of its life: a rotation that should have happened did not.
 */
export function expiryWarning(notBefore: Date, notAfter: Date, now: Date): string | null {
  const remaining = notAfter.getTime() - now.getTime();
  const lifetime = notAfter.getTime() - notBefore.getTime();
  if (remaining <= 0) return `expired ${iso(notAfter)}`;
  if (lifetime > EXPIRY_WARNING_DAYS * DAY) {
    return remaining < EXPIRY_WARNING_DAYS * DAY ? `expires within ${EXPIRY_WARNING_DAYS} days (in ${left(remaining)})` : null;
  }
  return remaining < lifetime * 0.2 ? `past 80% of its ${left(lifetime)} life (expires in ${left(remaining)}): rotation is overdue` : null;
}

/**
 * A certificate's serial number as istioctl prints it: lower-case hex of the number, zero-padded to
 * 32 digits (16 bytes, the size istiod's CA uses), longer serials in full. `hex` is node's
 * X509Certificate.serialNumber, the DER bytes (with a leading 00 byte when the high bit is set).
 */
export function serialNumber(hex: string): string {
  return hex.toLowerCase().replace(/^0+/, '').padStart(32, '0');
}

export function secretRows(dump: ConfigDump, now: Date): SecretRow[] {
  const rows: SecretRow[] = [];
  for (const s of dump.secrets) {
    const tls = fieldRecord(s.secret, 'tls_certificate');
    const validation = fieldRecord(s.secret, 'validation_context');
    const cert = tls ? firstCert(fieldRecord(tls, 'certificate_chain')) : validation ? firstCert(fieldRecord(validation, 'trusted_ca')) : undefined;
    if (!tls && !validation) continue;
    const notBefore = cert ? new Date(cert.validFrom) : undefined;
    const notAfter = cert ? new Date(cert.validTo) : undefined;
    const valid = notBefore !== undefined && notAfter !== undefined && now >= notBefore && now <= notAfter;
    rows.push({
      name: s.name,
      // istioctl's rule: the certificate's basic constraints, not the secret's kind (a self-signed
      // server certificate is a CA); the kind only when there is no certificate.
      type: (cert ? cert.ca : !tls) ? 'CA' : 'Cert Chain',
      status: s.state,
      valid,
      serial: cert ? serialNumber(cert.serialNumber) : '',
      notAfter: notAfter ? iso(notAfter) : '',
      notBefore: notBefore ? iso(notBefore) : '',
      expiresIn: notAfter ? left(notAfter.getTime() - now.getTime()) : '',
      warning: notBefore && notAfter ? expiryWarning(notBefore, notAfter, now) : 'no certificate in the secret',
    });
  }
  return rows;
}
