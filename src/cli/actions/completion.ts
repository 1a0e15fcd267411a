import type { Command } from 'commander';
import { UsageError, didYouMean } from '../../errors.js';
import { REVISION_LABEL } from '../../model/injection.js';
import { hasSidecar } from '../../status/compute.js';
import { type CompletionLookups, SHELLS, type Shell, complete, completionScript } from '../completion.js';
import { type CliContext, kubeClient } from '../context.js';
import { builtinProfiles } from './manifest-input.js';

/** Cluster lookups during completion must never keep a shell waiting long. */
const LOOKUP_TIMEOUT_MS = 3000;

export function completionAction(ctx: CliContext, shell: string): void {
  if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`SHELL: "${shell}" is not one of ${SHELLS.join(', ')}${didYouMean(shell, SHELLS)}`);
  ctx.stdout.write(completionScript(shell as Shell));
}

export async function completeAction(ctx: CliContext, cmd: Command, words: string[]): Promise<void> {
  const program = cmd.parent ?? cmd;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), LOOKUP_TIMEOUT_MS);
  let client: ReturnType<typeof kubeClient> | undefined;
  const kube = (): ReturnType<typeof kubeClient> => (client ??= kubeClient(ctx, cmd, { signal: deadline.signal }));
  const lookups: CompletionLookups = {
    namespaces: async () => (await (await kube()).list('v1', 'Namespace')).map((n) => n.metadata.name ?? ''),
    proxies: async (namespace) =>
      (await (await kube()).list('v1', 'Pod', namespace !== undefined ? { namespace } : {}))
        .filter(hasSidecar)
        .map((p) => `${p.metadata.name ?? ''}.${p.metadata.namespace ?? ''}`),
    revisions: async () =>
      (await (await kube()).list('apps/v1', 'Deployment', { labelSelector: 'app=istiod' })).map((d) => d.metadata.labels?.[REVISION_LABEL] ?? 'default'),
    profiles: () => Object.keys(builtinProfiles()),
    analyzers: () => [],
    codes: () => [],
  };
  const { ANALYZERS } = await import('../../analyze/analyzers/index.js');
  const { MESSAGES } = await import('../../analyze/messages.js');
  lookups.analyzers = () => ANALYZERS.map((a) => a.meta.name);
  lookups.codes = () => MESSAGES.map((m) => m.code);
  try {
    const out = await complete(program, words, lookups);
    if (out.length > 0) ctx.stdout.write(out.join('\n') + '\n');
  } finally {
    clearTimeout(timer);
  }
}
