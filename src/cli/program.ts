import { Command, Option } from 'commander';
import type { CliContext } from './context.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerInstall } from './commands/install.js';
import { registerManifest } from './commands/manifest.js';
import { registerProfile } from './commands/profile.js';
import { registerProxyStatus } from './commands/proxy-status.js';
import { registerProxyConfig } from './commands/proxy-config.js';
import { registerRolloutRestart } from './commands/rollout-restart.js';
import { registerVersion } from './commands/version.js';
import { MESH_VERSION } from '../version.js';

/**
 * The commander program. Only the root options live here; each command's options are
 * declared in options/*.ts and registered by commands/*.ts; each action imports its implementation lazily (actions/*.ts), so `mesh --help`
 * loads neither the Kubernetes client nor the renderer.
 */
export function createProgram(ctx: CliContext): Command {
  const program = new Command('mesh')
    .description('Operate an Istio service mesh on Kubernetes')
    .version(MESH_VERSION, '--version', 'print the mesh version')
    .addOption(new Option('--kubeconfig <file>', 'path to the kubeconfig file').env('KUBECONFIG'))
    .option('--context <name>', 'kubeconfig context to use')
    .option('--request-timeout <duration>', 'limit on each API server request, e.g. 30s; 0 for none (watches: until the response starts)', '30s')
    .option('--verbose', 'print stack traces and extra diagnostics')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void ctx.stdout.write(s),
      writeErr: (s) => void ctx.stderr.write(s),
    });

  registerVersion(program, ctx);
  registerManifest(program, ctx);
  registerProfile(program, ctx);
  registerInstall(program, ctx);
  registerAnalyze(program, ctx);
  registerRolloutRestart(program, ctx);
  registerProxyStatus(program, ctx);
  registerProxyConfig(program, ctx);

  // Sub-commands inherit exit override and output configuration.
  const configure = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub.exitOverride();
      sub.configureOutput({
        writeOut: (s) => void ctx.stdout.write(s),
        writeErr: (s) => void ctx.stderr.write(s),
      });
      sub.showSuggestionAfterError(true);
      configure(sub);
    }
  };
  configure(program);
  return program;
}
