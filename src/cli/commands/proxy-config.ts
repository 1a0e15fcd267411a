import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';

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

export function registerProxyConfig(program: Command, ctx: CliContext): void {
  program
    .command('proxy-config <type> [pod]')
    .alias('pc')
    .description(`a proxy's Envoy configuration from its admin API (type: ${PROXY_CONFIG_TYPES.join('|')}; POD[.NAMESPACE])`)
    .option('-n, --namespace <namespace>', "the pod's namespace (default: the context's)")
    .addOption(new Option('-i, --istio-namespace <namespace>', 'namespace of the control plane (for --diff)').default('istio-system'))
    .addOption(new Option('-o, --output <format>', 'output format (short|table|json|yaml)').choices(['short', 'table', 'json', 'yaml']).default('short'))
    .option('-f, --file <file>', 'read an Envoy config dump from this file instead of a pod')
    .option('--endpoints-file <file>', 'for endpoint: read /clusters?format=json from this file instead of a pod')
    .addOption(new Option('--proxy-admin-port <port>', "the proxy's Envoy admin port").default('15000'))
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
    .addOption(new Option('--timeout <duration>', 'give up after this long').default('15s'))
    .addHelpText(
      'after',
      '\nExit codes: 0 shown; 79 --diff found differences, or proxy-config secret found a certificate that is\nexpired or close to expiry; 1 the config could not be read; 64 bad flags; 65 a --file that is not a config dump.\n',
    )
    .action(async (type: string, pod: string | undefined, flags: ProxyConfigFlags, cmd: Command) => {
      const { proxyConfigAction } = await import('../actions/proxy-config.js');
      await proxyConfigAction(ctx, cmd, type, pod, flags);
    });
}
