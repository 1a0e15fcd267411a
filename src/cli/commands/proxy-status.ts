import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { type ProxyStatusFlags, addProxyStatusOptions } from '../options/proxy-status.js';

export function registerProxyStatus(program: Command, ctx: CliContext): void {
  addProxyStatusOptions(
    program
      .command('proxy-status [pod]')
      .alias('ps')
      .description("each proxy's sync state with the control plane, and which are outdated (POD[.NAMESPACE] for one proxy's detail)"),
  )
    .addHelpText(
      'after',
      '\nExit codes: 0 every listed proxy is synced and current; 79 some proxy is STALE, NACKED, NOT CONNECTED or OUTDATED;\n1 the status could not be read (no istiod, port-forward refused, 401/403, timeout); 64 bad flags.\n',
    )
    .action(async (pod: string | undefined, flags: ProxyStatusFlags, cmd: Command) => {
      const { proxyStatusAction } = await import('../actions/proxy-status.js');
      await proxyStatusAction(ctx, cmd, pod, flags);
    });
}
