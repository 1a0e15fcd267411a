import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { ADMIN_PORT } from '../../proxyconfig/ports.js';
import { parsePositiveDuration, podTarget } from '../flags.js';

export interface ProxyConfigFlags {
  namespace?: string;
  istioNamespace: string;
  output: string;
  file?: string;
  endpointsFile?: string;
  proxyAdminPort: string;
  fqdn?: string;
  port?: string;
  direction?: string;
  subset?: string;
  address?: string;
  type?: string;
  name?: string;
  cluster?: string;
  status?: string;
  diff?: boolean;
  timeout: string;
}

export const PROXY_CONFIG_TYPES = ['cluster', 'listener', 'route', 'endpoint', 'secret', 'bootstrap', 'all'] as const;

export function addProxyConfigOptions(cmd: Command): Command {
  return cmd
    .option('-n, --namespace <namespace>', "the pod's namespace (default: the context's)")
    .addOption(new Option('-i, --istio-namespace <namespace>', 'namespace of the control plane (for --diff)').default('istio-system'))
    .addOption(new Option('-o, --output <format>', 'output format (short|table|json|yaml)').choices(['short', 'table', 'json', 'yaml']).default('short'))
    .option('-f, --file <file>', 'read an Envoy config dump from this file instead of a pod')
    .option('--endpoints-file <file>', 'for endpoint: read /clusters?format=json from this file instead of a pod')
    .addOption(new Option('--proxy-admin-port <port>', "the proxy's Envoy admin port").default(String(ADMIN_PORT)))
    .option('--fqdn <fqdn>', 'cluster, all: clusters whose name contains this FQDN')
    .option('--port <port>', 'cluster, listener, endpoint, all: only this port')
    .option('--direction <direction>', 'cluster, all: inbound or outbound')
    .option('--subset <subset>', 'cluster, all: clusters whose name contains this subset')
    .option('--address <address>', 'listener, endpoint, all: only this address')
    .option('--type <type>', 'listener, all: HTTP, TCP, HTTP+TCP')
    .option('--name <name>', 'route, secret, all: only this route or secret name')
    .option('--cluster <cluster>', 'endpoint: only this cluster name')
    .option('--status <status>', 'endpoint: only endpoints with this health status (HEALTHY, UNHEALTHY, ...)')
    .option('--diff', "compare the proxy's config with what istiod would send it now (cluster, listener, route, all)")
    .addOption(new Option('--timeout <duration>', 'give up after this long').default('15s'));
}

export type PcType = (typeof PROXY_CONFIG_TYPES)[number];

export interface ProxyConfigOptions {
  type: PcType;
  target?: { pod: string; namespace: string };
  file?: string;
  endpointsFile?: string;
  adminPort: number;
  istioNamespace: string;
  output: 'short' | 'json' | 'yaml';
  diff: boolean;
  timeoutMs: number;
  filters: {
    fqdn?: string;
    port?: number;
    direction?: string;
    subset?: string;
    address?: string;
    type?: string;
    name?: string;
    cluster?: string;
    status?: string;
  };
}

function portFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${flag}: want a port number 1-65535, got "${v}"`);
  return n;
}

/** Flags → options (pure). */
export function validateProxyConfig(type: string, pod: string | undefined, flags: ProxyConfigFlags, defaultNamespace: () => string): ProxyConfigOptions {
  if (!(PROXY_CONFIG_TYPES as readonly string[]).includes(type)) {
    throw new UsageError(`TYPE: "${type}" is not one of ${PROXY_CONFIG_TYPES.join(', ')}`);
  }
  const t = type as PcType;
  const timeoutMs = parsePositiveDuration('--timeout', flags.timeout);
  const adminPort = portFlag('--proxy-admin-port', flags.proxyAdminPort) ?? ADMIN_PORT;
  const output = flags.output === 'table' ? 'short' : (flags.output as ProxyConfigOptions['output']);
  const applies: Record<string, readonly PcType[]> = {
    '--fqdn': ['cluster', 'all'],
    '--direction': ['cluster', 'all'],
    '--subset': ['cluster', 'all'],
    '--port': ['cluster', 'listener', 'endpoint', 'all'],
    '--address': ['listener', 'endpoint', 'all'],
    '--type': ['listener', 'all'],
    '--name': ['route', 'secret', 'all'],
    '--cluster': ['endpoint'],
    '--status': ['endpoint'],
    '--diff': ['cluster', 'listener', 'route', 'all'],
    '--endpoints-file': ['endpoint'],
  };
  const given: Record<string, unknown> = {
    '--fqdn': flags.fqdn,
    '--direction': flags.direction,
    '--subset': flags.subset,
    '--port': flags.port,
    '--address': flags.address,
    '--type': flags.type,
    '--name': flags.name,
    '--cluster': flags.cluster,
    '--status': flags.status,
    '--diff': flags.diff,
    '--endpoints-file': flags.endpointsFile,
  };
  for (const [flag, value] of Object.entries(given)) {
    if (value !== undefined && value !== false && !applies[flag]!.includes(t)) {
      throw new UsageError(`${flag} does not apply to proxy-config ${t} (it applies to: ${applies[flag]!.join(', ')})`);
    }
  }
  if (flags.direction !== undefined && !['inbound', 'outbound'].includes(flags.direction))
    throw new UsageError(`--direction: want inbound or outbound, got "${flags.direction}"`);
  if (flags.diff && (flags.file !== undefined || output !== 'short'))
    throw new UsageError('--diff compares a live pod with istiod; it takes neither --file nor -o json|yaml');
  const options: ProxyConfigOptions = { type: t, adminPort, istioNamespace: flags.istioNamespace, output, diff: flags.diff === true, timeoutMs, filters: {} };
  const port = portFlag('--port', flags.port);
  for (const [k, v] of Object.entries({
    fqdn: flags.fqdn,
    port,
    direction: flags.direction,
    subset: flags.subset,
    address: flags.address,
    type: flags.type,
    name: flags.name,
    cluster: flags.cluster,
    status: flags.status,
  })) {
    if (v !== undefined) (options.filters as Record<string, unknown>)[k] = v;
  }
  if (flags.file !== undefined) options.file = flags.file;
  if (flags.endpointsFile !== undefined) options.endpointsFile = flags.endpointsFile;
  const needsPod = t === 'endpoint' ? options.endpointsFile === undefined : options.file === undefined;
  if (pod === undefined) {
    if (needsPod) throw new UsageError(`POD: proxy-config ${t} needs POD[.NAMESPACE]${t === 'endpoint' ? ' (or --endpoints-file)' : ' (or --file)'}`);
    return options;
  }
  const target = podTarget(pod, () => flags.namespace ?? defaultNamespace());
  options.target = { pod: target.pod, namespace: target.namespace };
  return options;
}
