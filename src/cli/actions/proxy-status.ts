import type { Command } from 'commander';
import { FindingsError } from '../../errors.js';
import { renderData } from '../../output/format.js';
import { closingHints, renderProxyDetail, renderStatusTable } from '../../status/print.js';
import { runProxyStatus } from '../../status/run.js';
import type { ProxyRow, StatusReport } from '../../status/types.js';
import { type CliContext, colorOn, kubeClient, progress } from '../context.js';
import { type ProxyStatusFlags, validateProxyStatus } from '../options/proxy-status.js';
import { useSpinner } from '../../output/terminal.js';

function findingsMessage(report: StatusReport, rows: readonly ProxyRow[]): string {
  const s = report.summary;
  const parts = [
    s.stale ? `${s.stale} STALE` : '',
    s.nacked ? `${s.nacked} NACKED` : '',
    s.notConnected ? `${s.notConnected} NOT CONNECTED` : '',
    s.outdated ? `${s.outdated} OUTDATED` : '',
  ].filter((p) => p !== '');
  return `${rows.length} of ${s.proxies} prox${s.proxies === 1 ? 'y needs' : 'ies need'} attention: ${parts.join(', ')}`;
}

export async function proxyStatusAction(ctx: CliContext, cmd: Command, pod: string | undefined, flags: ProxyStatusFlags): Promise<void> {
  // --timeout ends everything at once: the collection gives up, and the kube client cancels the
  // requests in flight, so nothing keeps the process alive.
  // Flags first: a bad flag is exit 64 whether or not there is a kubeconfig. A bare POD's
  // namespace (the context's) is only known once the client exists.
  validateProxyStatus(pod, flags, () => 'default');
  const deadline = new AbortController();
  const kube = await kubeClient(ctx, cmd, { signal: deadline.signal });
  const options = validateProxyStatus(pod, flags, () => kube.info().namespace);
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
  const spinner = useSpinner({ isTTY: ctx.stderrIsTTY, env: ctx.env }) ? await progress(ctx) : undefined;
  const step = spinner?.start('Reading proxy status');
  let result;
  try {
    result = await runProxyStatus(options, { kube, onStep: (t) => step?.update(t), deadline: deadline.signal });
  } catch (err) {
    step?.fail('Could not read proxy status');
    throw err;
  } finally {
    clearTimeout(timer);
  }
  if (result.istiodError !== undefined)
    step?.fail(result.report.proxies.length > 0 ? 'Could not read istiod; listing the pods with sidecars' : 'Could not read proxy status');
  else step?.succeed(`Read the status of ${result.report.summary.proxies} prox${result.report.summary.proxies === 1 ? 'y' : 'ies'}`);

  const { report, proxy } = result;
  // Without istiod and without a pod to list, there is nothing but the error to say.
  if (result.istiodError !== undefined && report.proxies.length === 0) throw result.istiodError;
  for (const note of result.notes) ctx.stderr.write(`Note: ${note}\n`);
  const now = ctx.now();
  const color = colorOn(ctx, 'stdout');
  if (flags.output === 'json' || flags.output === 'yaml') {
    ctx.stdout.write(renderData(flags.output, proxy ?? report));
  } else if (proxy !== undefined) {
    ctx.stdout.write(renderProxyDetail(proxy, { now, color }));
  } else if (report.proxies.length === 0) {
    const scope = options.namespace !== undefined ? ` in namespace ${options.namespace}` : '';
    ctx.stderr.write(options.outdatedOnly ? `No outdated proxies${scope}.\n` : `No proxies${scope}.\n`);
  } else {
    ctx.stdout.write(renderStatusTable(report, { now, color, wide: flags.wide === true }));
  }

  if (result.istiodError !== undefined) {
    // The table (if any) lists the pods with sidecars; the error says why none is known to be connected.
    if (!(flags.output === 'json' || flags.output === 'yaml'))
      ctx.stdout.write(`istiod could not be read: the proxies are listed from their pods, as NOT CONNECTED (why: the error below)\n`);
    throw result.istiodError;
  }
  const troubled = report.proxies.filter((r) => r.findings.length > 0);
  if (troubled.length > 0) {
    throw new FindingsError(findingsMessage(report, troubled), { details: closingHints(report) });
  }
}
