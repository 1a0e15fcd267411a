/**
 * The one render path shared by install, install --dry-run, verify-install and uninstall -f:
 * reads the flag inputs (files, stdin) and hands them to src/render. Only this file knows the
 * renderer's entry point.
 */
import type { KubeObject } from '../../model/k8s.js';
import { render } from '../../render/index.js';
import type { CliContext } from '../context.js';
import type { RenderFlags } from '../options/render.js';
import { readRenderInput } from './manifest-input.js';

export interface RenderedInstall {
  objects: KubeObject[];
  /** Profile name as resolved by the renderer. */
  profile: string;
  /** Control-plane namespace (metadata.namespace of the IstioOperator, default istio-system). */
  namespace: string;
  /** The revision, undefined for the default control plane. */
  revision: string | undefined;
}

export async function renderInstall(ctx: CliContext, flags: RenderFlags): Promise<RenderedInstall> {
  const result = render(await readRenderInput(ctx, flags));
  for (const w of result.warnings) ctx.stderr.write(`Warning: ${w}\n`);
  return {
    objects: result.objects,
    profile: result.profile,
    namespace: result.namespace,
    revision: result.revision === '' ? undefined : result.revision,
  };
}
