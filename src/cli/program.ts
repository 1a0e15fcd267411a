import { Command, Option } from 'commander';
import type { CliContext } from './context.js';
import { UsageError, didYouMean, excerpt } from '../errors.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerCompletion } from './commands/completion.js';
import { registerPrecheck } from './commands/precheck.js';
import { registerInstall } from './commands/install.js';
import { registerManifest } from './commands/manifest.js';
import { registerProfile } from './commands/profile.js';
import { registerProxyStatus } from './commands/proxy-status.js';
import { registerProxyConfig } from './commands/proxy-config.js';
import { registerRolloutRestart } from './commands/rollout-restart.js';
import { registerTag } from './commands/tag.js';
import { registerUpgrade } from './commands/upgrade.js';
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

  // `mesh help CMD…`: help of that command; an unknown one is a usage error (exit 64), not the overview.
  program.helpCommand(false);
  program
    .command('help [command...]')
    .description('display help for a command')
    .action((names: string[]) => {
      let cmd: Command = program;
      for (const name of names) {
        const sub = cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (sub === undefined) {
          // Hidden commands (__complete) are not offered.
          const known = cmd
            .createHelp()
            .visibleCommands(cmd)
            .map((c) => c.name())
            .filter((n) => n !== 'help');
          throw new UsageError(`help: unknown command "${excerpt(name)}"${didYouMean(name, known)}; commands: ${known.join(', ')}`);
        }
        cmd = sub;
      }
      cmd.outputHelp();
    });
  registerVersion(program, ctx);
  registerManifest(program, ctx);
  registerProfile(program, ctx);
  registerInstall(program, ctx);
  registerAnalyze(program, ctx);
  registerRolloutRestart(program, ctx);
  registerProxyStatus(program, ctx);
  registerProxyConfig(program, ctx);
  registerPrecheck(program, ctx);
  registerTag(program, ctx);
  registerUpgrade(program, ctx);
  registerCompletion(program, ctx);

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
