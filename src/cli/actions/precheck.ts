import type { Command } from 'commander';
import { FindingsError } from '../../errors.js';
import { renderData, renderTable } from '../../output/format.js';
import type { CheckResult, ConfigFinding } from '../../precheck/checks.js';
import { runChecks } from '../../precheck/checks.js';
import { collectPrecheck } from '../../precheck/collect.js';
import type { KubeClient } from '../../kube/client.js';
import { type CliContext, kubeClient } from '../context.js';
import { type PrecheckFlags, validatePrecheck } from '../options/precheck.js';

const STATUS_TEXT = { ok: 'OK', warn: 'WARN', fail: 'FAIL' } as const;

export async function precheckAction(ctx: CliContext, cmd: Command, flags: PrecheckFlags): Promise<void> {
  const { fromVersion } = validatePrecheck(flags);
  const kube = await kubeClient(ctx, cmd);
  const warn = (line: string): void => void ctx.stderr.write(`Warning: ${line}\n`);
  const [snapshot, configFindings] = await Promise.all([
    collectPrecheck(kube, {
      istioNamespace: flags.istioNamespace,
      now: ctx.now(),
      ...(flags.removing !== undefined ? { removing: flags.removing } : {}),
      ...(fromVersion !== undefined ? { fromVersion } : {}),
    }),
    deprecatedConfig(kube, flags.istioNamespace, warn).catch((err: unknown) => {
      // A user who may not read the config cluster-wide still gets the other checks.
      warn(`the config deprecation checks did not run: ${(err instanceof Error ? err.message : String(err)).split('\n')[0] ?? ''}`);
      return undefined;
    }),
  ]);
  const results = runChecks({ ...snapshot, ...(configFindings !== undefined ? { configFindings } : {}) });
  if (flags.output === 'json' || flags.output === 'yaml')
    ctx.stdout.write(renderData(flags.output, { apiVersion: 'mesh.istio.io/v1alpha1', kind: 'Precheck', checks: results }));
  else ctx.stdout.write(precheckText(results));
  const failed = results.filter((r) => r.status === 'fail').length;
  if (failed > 0) throw new FindingsError(`${failed} of ${results.length} checks failed: the cluster is not ready to install or upgrade Istio`);
}

/** The analyzers whose findings are config that Istio deprecates, and the codes of theirs that say so. */
const DEPRECATION_ANALYZERS = new Set(['deprecation.DeprecationAnalyzer', 'telemetry.LightstepAnalyzer', 'annotations.K8sAnalyzer']);
const DEPRECATION_CODES = new Set(['IST0002', 'IST0135']);

/** The cluster's config, all namespaces, through the deprecation checks of mesh analyze. */
async function deprecatedConfig(kube: KubeClient, istioNamespace: string, warn: (line: string) => void): Promise<ConfigFinding[]> {
  const [{ runAnalyze }, { ANALYZERS }] = await Promise.all([import('../../analyze/run.js'), import('../../analyze/analyzers/index.js')]);
  const result = await runAnalyze(
    {
      files: [],
      useKube: true,
      allNamespaces: true,
      namespace: undefined,
      istioNamespace,
      revision: 'default',
      meshConfigFile: undefined,
      ignoreUnknown: true,
      suppressions: [],
      analyzers: ANALYZERS.filter((a) => DEPRECATION_ANALYZERS.has(a.meta.name)),
    },
    {
      kube: () => Promise.resolve(kube),
      readSources: () => Promise.reject(new Error('no files')),
      readFile: () => Promise.reject(new Error('no files')),
      warn,
    },
  );
  return result.messages
    .filter((m) => DEPRECATION_CODES.has(m.code))
    .map((m) => ({
      code: m.code,
      level: m.level,
      resource: `${m.resource.kind} ${m.resource.namespace ? `${m.resource.namespace}/` : ''}${m.resource.name}`,
      text: m.text,
    }));
}

export function precheckText(results: readonly CheckResult[]): string {
  const table = renderTable(results, [
    { header: 'STATUS', value: (r) => STATUS_TEXT[r.status] },
    { header: 'CATEGORY', value: (r) => r.category },
    { header: 'CHECK', value: (r) => r.check },
    { header: 'MESSAGE', value: (r) => r.message },
  ]);
  const hints = results
    .filter((r) => r.status !== 'ok' && r.hint !== undefined)
    .map((r) => `  ${r.category}/${r.check}: ${r.hint ?? ''}${r.docs ? ` (${r.docs})` : ''}${r.code ? ` [${r.code}]` : ''}`);
  return table + (hints.length > 0 ? `\nWhat to do:\n${hints.join('\n')}\n` : '');
}
