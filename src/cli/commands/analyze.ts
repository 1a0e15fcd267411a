import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { type AnalyzeFlags, addAnalyzeOptions } from '../options/analyze.js';

export function registerAnalyze(program: Command, ctx: CliContext): void {
  addAnalyzeOptions(program.command('analyze [files...]').description('find mistakes in mesh configuration, in files and/or a live cluster'))
    .addHelpText(
      'after',
      `
Files and directories (walked recursively; .yaml .yml .json) are analysed; "-" reads stdin. With a usable
kubeconfig the live cluster is analysed too, and file objects replace cluster objects of the same
kind/namespace/name ("what if I apply these files"). Exit codes: 0 clean, 79 findings at or above
--failure-threshold, 65 unparseable input, 64 usage error — whatever the output format.
With several control planes, --revision R analyses what R's control plane sees: the mesh config of
ConfigMap istio-R and no Istio config labelled istio.io/rev for another revision. The mesh config's
discoverySelectors are honoured (namespaces they leave out are not analysed). -l picks namespaces by label;
-F "KIND SELECTOR" lists one kind from the cluster with a label selector (e.g. -F "Secret owner!=helm").

Examples:
  mesh analyze -n bookinfo                      # a live namespace
  mesh analyze --use-kube=false manifests/      # files only
  mesh analyze -A -o sarif > analyze.sarif      # every namespace, for code scanning
  mesh analyze -A --revision canary             # the canary control plane's view
  mesh analyze -l team=payments                 # only namespaces labelled team=payments
  mesh analyze -S "IST0118=Service kube-system/*" --output-threshold Warning`,
    )
    .action(async (files: string[], opts: AnalyzeFlags & { istioNamespace?: string }, cmd: Command) => {
      const { analyzeAction } = await import('../actions/analyze.js');
      await analyzeAction(ctx, cmd, files, opts);
    });
}
