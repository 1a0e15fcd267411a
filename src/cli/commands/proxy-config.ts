import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { PROXY_CONFIG_TYPES, type ProxyConfigFlags, addProxyConfigOptions } from '../options/proxy-config.js';

export function registerProxyConfig(program: Command, ctx: CliContext): void {
  addProxyConfigOptions(
    program
      .command('proxy-config <type> [pod]')
      .alias('pc')
      .description(`a proxy's Envoy configuration from its admin API (type: ${PROXY_CONFIG_TYPES.join('|')}; POD[.NAMESPACE])`),
  )
    .addHelpText(
      'after',
      '\nExit codes: 0 shown; 79 --diff found differences, or proxy-config secret found a certificate that is\nexpired or close to expiry; 1 the config could not be read; 64 bad flags; 65 a --file that is not a config dump.\n',
    )
    .action(async (type: string, pod: string | undefined, flags: ProxyConfigFlags, cmd: Command) => {
      const { proxyConfigAction } = await import('../actions/proxy-config.js');
      await proxyConfigAction(ctx, cmd, type, pod, flags);
    });
}
