import type { Command } from 'commander';
import { FindingsError } from '../../errors.js';
import { renderData, renderTable } from '../../output/format.js';
import type { CheckResult } from '../../precheck/checks.js';
import { runChecks } from '../../precheck/checks.js';
import { collectPrecheck } from '../../precheck/collect.js';
import { type CliContext, kubeClient } from '../context.js';
import { type PrecheckFlags, validatePrecheck } from '../options/precheck.js';

const STATUS_TEXT = { ok: 'OK', warn: 'WARN', fail: 'FAIL' } as const;

export async function precheckAction(ctx: CliContext, cmd: Command, flags: PrecheckFlags): Promise<void> {
  validatePrecheck(flags);
  const kube = await kubeClient(ctx, cmd);
  const snapshot = await collectPrecheck(kube, {
    istioNamespace: flags.istioNamespace,
    now: ctx.now(),
    ...(flags.removing !== undefined ? { removing: flags.removing } : {}),
  });
  const results = runChecks(snapshot);
  if (flags.output === 'json' || flags.output === 'yaml')
    ctx.stdout.write(renderData(flags.output, { apiVersion: 'mesh.istio.io/v1alpha1', kind: 'Precheck', checks: results }));
  else ctx.stdout.write(precheckText(results));
  const failed = results.filter((r) => r.status === 'fail').length;
  if (failed > 0) throw new FindingsError(`${failed} of ${results.length} checks failed: the cluster is not ready to install or upgrade Istio`);
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
