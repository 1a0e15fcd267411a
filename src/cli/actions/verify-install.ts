import type { Command } from 'commander';
import { COMPONENTS, displayName } from '../../apply/components.js';
import { type VerifyResult, verifyInstall } from '../../apply/verify.js';
import { FindingsError } from '../../errors.js';
import { ISTIO_VERSION } from '../../model/release.js';
import { renderData, renderTable } from '../../output/format.js';
import type { VerifyInstallFlags } from '../options/verify-install.js';
import { type CliContext, kubeClient } from '../context.js';
import { renderInstall } from './install-render.js';

export async function verifyInstallAction(ctx: CliContext, cmd: Command, flags: VerifyInstallFlags): Promise<void> {
  const rendered = await renderInstall(ctx, flags);
  const kube = await kubeClient(ctx, cmd);
  const result = await verifyInstall(kube, rendered.objects, { revision: rendered.revision, version: ISTIO_VERSION, namespace: rendered.namespace });
  if (flags.output === 'json' || flags.output === 'yaml') ctx.stdout.write(renderData(flags.output, result));
  else ctx.stdout.write(verifyText(result));
  if (!result.ok) {
    const s = result.summary;
    const parts = [s.missing && `${s.missing} missing`, s.differs && `${s.differs} differ`, s.unready && `${s.unready} not ready`, s.extra && `${s.extra} left over`].filter(Boolean);
    throw new FindingsError(`the installation does not match the rendered profile: ${parts.join(', ')}`);
  }
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
    text += '\n' + renderTable(bad, [
      { header: 'COMPONENT', value: (o) => displayName(o.component) },
      { header: 'OBJECT', value: (o) => o.object },
      { header: 'STATUS', value: (o) => STATE_TEXT[o.state] },
      { header: 'DETAILS', value: (o) => o.details.join(', ') },
    ]);
  } else {
    text += `\n✔ All ${result.objects.length} objects match the rendered profile and are ready.\n`;
  }
  return text;
}
