import type { Command } from 'commander';
import { COMPONENTS, displayName } from '../../apply/components.js';
import { type VerifyResult, verifyInstall } from '../../apply/verify.js';
import { FindingsError, UsageError } from '../../errors.js';
import { ISTIO_VERSION } from '../../model/release.js';
import { renderData, renderTable } from '../../output/format.js';
import type { VerifyInstallFlags } from '../options/verify-install.js';
import type { KubeClient } from '../../kube/client.js';
import { type CliContext, kubeClient } from '../context.js';
import { type RenderedInstall, renderInstall, renderRecord } from './install-render.js';
import { type InstallRecord, chooseRecord, readInstallRecords } from '../../apply/record.js';

/** No -p, -f or --set: verify what was installed, as its install record says. */
function wantsRecord(flags: VerifyInstallFlags): boolean {
  return flags.profile === undefined && (flags.filename?.length ?? 0) === 0 && (flags.set?.length ?? 0) === 0;
}

/** `connect` makes the Kubernetes client (a fake one in tests). */
export async function verifyInstallAction(
  ctx: CliContext,
  cmd: Command,
  flags: VerifyInstallFlags,
  connect: () => Promise<KubeClient> = () => kubeClient(ctx, cmd),
): Promise<void> {
  let rendered: RenderedInstall;
  let kube;
  let against: string;
  if (wantsRecord(flags)) {
    kube = await connect();
    const choice = chooseRecord(await readInstallRecords(kube), flags.revision);
    if (choice.found !== undefined) {
      rendered = renderRecord(choice.found);
      against = `profile "${choice.found.profile}"${recordFlags(choice.found)}, revision ${choice.found.revision}, as recorded at install in ${choice.found.source}`;
      for (const o of choice.others)
        ctx.stderr.write(`Note: revision ${o.revision} (profile "${o.profile}") is installed too; verify it with -r ${o.revision}\n`);
    } else {
      if (choice.others.length > 0 && flags.revision === undefined) throw new UsageError(`verify-install: ${choice.reason}`);
      rendered = await renderInstall(ctx, flags);
      against = `profile "${rendered.profile}"${rendered.revision !== undefined ? `, revision ${rendered.revision}` : ''} (${choice.reason}; pass -p/-f/--set as at install)`;
    }
  } else {
    rendered = await renderInstall(ctx, flags);
    kube = await connect();
    against = `profile "${rendered.profile}"${rendered.revision !== undefined ? `, revision ${rendered.revision}` : ''}, rendered from the flags`;
  }
  const result = await verifyInstall(kube, rendered.objects, { revision: rendered.revision, version: ISTIO_VERSION, namespace: rendered.namespace });
  if (flags.output === 'json' || flags.output === 'yaml')
    ctx.stdout.write(renderData(flags.output, { ...result, profile: rendered.profile, revision: rendered.revision ?? 'default', against }));
  else ctx.stdout.write(`Verifying against ${against}\n\n${verifyText(result)}`);
  if (!result.ok) {
    const s = result.summary;
    const parts = [
      s.missing && `${s.missing} missing`,
      s.differs && `${s.differs} differ`,
      s.unready && `${s.unready} not ready`,
      s.extra && `${s.extra} left over`,
    ].filter(Boolean);
    throw new FindingsError(`the installation does not match the rendered profile "${rendered.profile}": ${parts.join(', ')}`);
  }
}

function recordFlags(r: InstallRecord): string {
  const parts = [...r.files.map((f) => `-f ${f}`), ...r.sets.map((s) => `--set ${s}`)];
  return parts.length > 0 ? ` with ${parts.join(' ')}` : '';
}

const STATE_TEXT = { ok: 'ok', missing: 'missing', differs: 'differs', unready: 'not ready', extra: 'not rendered (left over)' } as const;

export function verifyText(result: VerifyResult): string {
  const components = COMPONENTS.filter((c) => result.objects.some((o) => o.component === c));
  const count = (c: string, state: string): number => result.objects.filter((o) => o.component === c && o.state === state).length;
  let text = renderTable(components, [
    { header: 'COMPONENT', value: (c) => displayName(c) },
    { header: 'OBJECTS', value: (c) => String(result.objects.filter((o) => o.component === c && o.state !== 'extra').length) },
    { header: 'MISSING', value: (c) => String(count(c, 'missing')) },
    { header: 'DIFFERS', value: (c) => String(count(c, 'differs')) },
    { header: 'NOT READY', value: (c) => String(count(c, 'unready')) },
    { header: 'LEFT OVER', value: (c) => String(count(c, 'extra')) },
  ]);
  const bad = result.objects.filter((o) => o.state !== 'ok');
  if (bad.length > 0) {
    text +=
      '\n' +
      renderTable(bad, [
        { header: 'COMPONENT', value: (o) => displayName(o.component) },
        { header: 'OBJECT', value: (o) => o.object },
        { header: 'STATUS', value: (o) => STATE_TEXT[o.state] },
        { header: 'DETAILS', value: (o) => o.details.join(', ') },
      ]);
  } else {
    text += `\n✔ All ${result.objects.length} objects match the rendered profile and are ready.\n`;
  }
  if (result.otherRevision.length > 0) {
    text += `Not checked, owned by another revision: ${result.otherRevision.map((o) => `${o.object} (${o.owner})`).join(', ')}\n`;
  }
  return text;
}
