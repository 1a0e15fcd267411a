import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import type { ProxyStatusOptions } from '../../status/run.js';
import { isDns1123Label } from '../../model/names.js';
import { outputOption, parsePositiveDuration, podTarget } from '../flags.js';

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

export function addProxyStatusOptions(cmd: Command): Command {
  return cmd
    .option('-n, --namespace <namespace>', 'only proxies in this namespace (default: all namespaces)')
    .addOption(new Option('-i, --istio-namespace <namespace>', 'namespace of the control plane').default('istio-system'))
    .option('-r, --revision <revision>', 'only the control plane of this revision')
    .addOption(outputOption())
    .option('--wide', 'one column per xDS type (CDS LDS EDS RDS ECDS) with status and age')
    .option('--outdated', "only proxies whose version differs from their control plane's")
    .addOption(new Option('--timeout <duration>', 'give up after this long (e.g. 5s, 1m)').default('10s'))
    .addOption(new Option('--xds', "only xDS (istio.io/debug/syncz on istiod's port 15012, TLS with istiod's CA); no fallback").conflicts('http'))
    .addOption(new Option('--http', "only HTTP (GET /debug/syncz on istiod's monitoring port 15014)"));
}

/** Flags → options (pure). `defaultNamespace` is the kube context's namespace, for a bare POD. */
export function validateProxyStatus(pod: string | undefined, flags: ProxyStatusFlags, defaultNamespace: () => string): ProxyStatusOptions {
  const timeoutMs = parsePositiveDuration('--timeout', flags.timeout);
  for (const [flag, value] of [
    ['--namespace', flags.namespace],
    ['--istio-namespace', flags.istioNamespace],
  ] as const) {
    if (value !== undefined && !isDns1123Label(value)) throw new UsageError(`${flag}: "${value}" is not a valid namespace name`);
  }
  if (flags.xds && flags.http) throw new UsageError('--xds and --http: choose one transport (without either, mesh tries xDS and falls back to HTTP)');
  const options: ProxyStatusOptions = { istioNamespace: flags.istioNamespace, timeoutMs };
  if (flags.xds) options.transport = 'xds';
  if (flags.http) options.transport = 'http';
  if (flags.revision !== undefined) options.revision = flags.revision;
  if (flags.outdated) options.outdatedOnly = true;
  if (pod === undefined) {
    if (flags.namespace !== undefined) options.namespace = flags.namespace;
    options.listWithoutIstiod = true;
    return options;
  }
  if (flags.wide) throw new UsageError('--wide lists all proxies; it does not apply to a single POD (its detail already shows every type)');
  if (flags.outdated) throw new UsageError('--outdated lists all outdated proxies; it does not apply to a single POD');
  const target = podTarget(pod, () => flags.namespace ?? defaultNamespace());
  if (target.dotted && flags.namespace !== undefined && flags.namespace !== target.namespace) {
    throw new UsageError(`POD "${pod}" names namespace ${target.namespace} but --namespace is ${flags.namespace}`);
  }
  options.target = { pod: target.pod, namespace: target.namespace };
  return options;
}
