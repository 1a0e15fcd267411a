import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { type UpgradeFlags, addUpgradeOptions } from '../options/upgrade.js';

export function registerUpgrade(program: Command, ctx: CliContext): void {
  addUpgradeOptions(
    program
      .command('upgrade')
      .description('canary upgrade: install a new revision beside the running one, move tags, namespaces and proxies to it, remove the old one'),
  )
    .addHelpText(
      'after',
      `
Steps, each recorded in the ConfigMap mesh-upgrade of the Istio namespace, so that running the same
command again after a failure or Ctrl-C resumes at the step that did not finish:
  precheck → install NEW beside OLD (its gateways move to NEW) → wait until NEW is ready → point the
  revision tags of OLD to NEW → per namespace: relabel istio.io/rev=OLD to NEW, restart what is
  outdated (rollout-restart's safety rules), check no pod is left on OLD → uninstall OLD.

Examples:
  mesh upgrade -r 1-31-1 --dry-run                  the plan; nothing changes
  mesh upgrade -r 1-31-1 -y                         the whole upgrade
  mesh upgrade -r 1-31-1 --namespaces dev -y        one group now; OLD stays until every namespace moved
  mesh upgrade -r 1-31-1 --pause-between -y         stop after each namespace; run again to go on
  mesh upgrade -r 1-31-1 --rollback -y              take tags, labels and proxies back to OLD

Exit codes: 0 complete, paused, waiting for other namespaces, or planned (--dry-run); 64 bad flags,
no revision to upgrade from, or another upgrade in progress; 65 an unreadable mesh-upgrade ConfigMap;
79 a failed precheck, pods left on the old revision, or an uninstall refused; 130 interrupted
(run the same command again to resume); 1 the confirmation was declined, or other.
`,
    )
    .action(async (opts: UpgradeFlags, cmd: Command) => {
      const { upgradeAction } = await import('../actions/upgrade.js');
      await upgradeAction(ctx, cmd, opts);
    });
}
