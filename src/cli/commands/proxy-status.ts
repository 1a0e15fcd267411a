import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { outputOption } from '../flags.js';

export interface ProxyStatusFlags {
  namespace?: string;
  istioNamespace: string;
  revision?: string;
  output: string;
  wide?: boolean;
  outdated?: boolean;
  timeout: string;
  xds?: boolean;
  http?: boolean;
}

export function registerProxyStatus(program: Command, ctx: CliContext): void {
  program
    .command('proxy-status [pod]')
    .alias('ps')
    .description("each proxy's sync state with the control plane, and which are outdated (POD[.NAMESPACE] for one proxy's detail)")
    .option('-n, --namespace <namespace>', 'only proxies in this namespace (default: all namespaces)')
    .addOption(new Option('-i, --istio-namespace <namespace>', 'namespace of the control plane').default('istio-system'))
    .option('-r, --revision <revision>', 'only the control plane of this revision')
    .addOption(outputOption())
    .option('--wide', 'one column per xDS type (CDS LDS EDS RDS ECDS) with status and age')
    .option('--outdated', "only proxies whose version differs from their control plane's")
    .addOption(new Option('--timeout <duration>', 'give up after this long (e.g. 5s, 1m)').default('10s'))
    .addOption(new Option('--xds', "only xDS (istio.io/debug/syncz on istiod's port 15012, TLS with istiod's CA); no fallback").conflicts('http'))
    .addOption(new Option('--http', "only HTTP (GET /debug/syncz on istiod's monitoring port 15014)"))
    .addHelpText(
      'after',
      '\nExit codes: 0 every listed proxy is synced and current; 79 some proxy is STALE, NACKED, NOT CONNECTED or OUTDATED;\n1 the status could not be read (no istiod, port-forward refused, 401/403, timeout); 64 bad flags.\n',
    )
    .action(async (pod: string | undefined, flags: ProxyStatusFlags, cmd: Command) => {
      const { proxyStatusAction } = await import('../actions/proxy-status.js');
      await proxyStatusAction(ctx, cmd, pod, flags);
    });
}
