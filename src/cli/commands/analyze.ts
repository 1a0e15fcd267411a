import { type Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { collect } from '../flags.js';

export interface AnalyzeFlags {
  useKube?: string | boolean;
  allNamespaces?: boolean;
  namespace?: string;
  istioNamespace: string;
  revision?: string;
  meshConfigFile?: string;
  ignoreUnknown?: boolean;
  output: string;
  outputThreshold: string;
  failureThreshold: string;
  suppress?: string[];
  listAnalyzers?: boolean;
  analyzer?: string[];
  explain?: string;
}

export function registerAnalyze(program: Command, ctx: CliContext): void {
  program
    .command('analyze [files...]')
    .description('find mistakes in mesh configuration, in files and/or a live cluster')
    .addHelpText(
      'after',
      `
Files and directories (walked recursively; .yaml .yml .json) are analysed; "-" reads stdin. With a usable
kubeconfig the live cluster is analysed too, and file objects replace cluster objects of the same
kind/namespace/name ("what if I apply these files"). Exit codes: 0 clean, 79 findings at or above
--failure-threshold, 65 unparseable input, 64 usage error — whatever the output format.

Examples:
  mesh analyze -n bookinfo                      # a live namespace
  mesh analyze --use-kube=false manifests/      # files only
  mesh analyze -A -o sarif > analyze.sarif      # every namespace, for code scanning
  mesh analyze -S "IST0118=Service kube-system/*" --output-threshold Warning`,
    )
    .addOption(new Option('-k, --use-kube [bool]', 'include the live cluster (default: when a kubeconfig is usable); --use-kube=false for files only'))
    .option('-A, --all-namespaces', 'analyze every namespace')
    .option('-n, --namespace <ns>', 'namespace to analyze; also the namespace of file objects that name none (default: the context namespace)')
    .addOption(new Option('-i, --istio-namespace <ns>', 'control-plane namespace').default('istio-system'))
    .addOption(new Option('--istioNamespace <ns>').hideHelp())
    .option('-r, --revision <rev>', 'control-plane revision to analyze against')
    .option('--meshConfigFile <file>', 'mesh config (MeshConfig YAML) to use instead of the cluster\'s')
    .option('--ignore-unknown', 'skip documents that do not parse instead of failing (exit 65)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['log', 'json', 'yaml', 'sarif']).default('log'))
    .addOption(new Option('--output-threshold <level>', 'lowest level printed (Info|Warning|Error)').default('Info'))
    .addOption(new Option('--failure-threshold <level>', 'lowest level that fails the run with exit 79 (Info|Warning|Error)').default('Error'))
    .option('-S, --suppress <CODE=Kind ns/name>', 'suppress findings; * globs on either side; repeatable', collect)
    .option('-L, --list-analyzers', 'list the analyzers and exit')
    .option('--analyzer <name>', 'run only this analyzer; repeatable', collect)
    .option('--explain <code>', 'explain a message code (e.g. IST0101) and exit')
    .action(async (files: string[], opts: AnalyzeFlags & { istioNamespace?: string }, cmd: Command) => {
      const { analyzeAction } = await import('../actions/analyze.js');
      await analyzeAction(ctx, cmd, files, opts);
    });
}
