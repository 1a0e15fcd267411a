/**
 * The one render path shared by install, install --dry-run, verify-install and uninstall -f:
 * reads the flag inputs (files, stdin) and hands them to src/render. Only this file knows the
 * renderer's entry point.
 */
import type { KubeObject } from '../../model/k8s.js';
import { render } from '../../render/index.js';
import type { CliContext } from '../context.js';
import type { RenderFlags } from '../options/render.js';
import { builtinProfiles, readRenderInput } from './manifest-input.js';
import { type InstallRecord, installRecord } from '../../apply/record.js';
import { ISTIO_VERSION } from '../../model/release.js';

export interface RenderedInstall {
  objects: KubeObject[];
  /** Profile name as resolved by the renderer. */
  profile: string;
  /** Control-plane namespace (metadata.namespace of the IstioOperator, default istio-system). */
  namespace: string;
  /** The revision, undefined for the default control plane. */
  revision: string | undefined;
  /** The merged IstioOperator (what the install record keeps). */
  iop: unknown;
  /** Whether `profile` names a built-in profile (else a profile file). */
  builtinProfile: boolean;
}

export async function renderInstall(ctx: CliContext, flags: RenderFlags): Promise<RenderedInstall> {
  const input = await readRenderInput(ctx, flags);
  const result = render(input);
  for (const w of result.warnings) ctx.stderr.write(`Warning: ${w}\n`);
  return {
    iop: result.iop,
    builtinProfile: Object.hasOwn(input.profiles, result.profile),
    objects: result.objects,
    profile: result.profile,
    namespace: result.namespace,
    revision: result.revision === '' ? undefined : result.revision,
  };
}

/**
 * Renders an install record again: its merged IstioOperator alone, on the built-in profiles; with
 * `revision`, as that revision instead of the recorded one (a canary of the same install: mesh upgrade).
 */
export function renderRecord(record: InstallRecord, revision?: string): RenderedInstall {
  const profiles = builtinProfiles();
  const result = render({
    profiles,
    profileFiles: {},
    files: [{ name: `the install record ${record.source}`, text: record.iop }],
    sets: [],
    ...(revision !== undefined ? { revision: revision === 'default' ? '' : revision } : {}),
  });
  return {
    objects: result.objects,
    profile: record.profile,
    namespace: result.namespace,
    revision: result.revision === '' ? undefined : result.revision,
    iop: result.iop,
    builtinProfile: Object.hasOwn(profiles, record.profile),
  };
}

/** The install record for a render (what install writes beside the objects, for verify-install, uninstall and upgrade). */
export function recordFor(rendered: RenderedInstall, inputs: { files: readonly string[]; sets: readonly string[] }): KubeObject {
  return installRecord({
    iop: rendered.iop,
    profile: rendered.profile,
    builtinProfile: rendered.builtinProfile,
    revision: rendered.revision,
    namespace: rendered.namespace,
    version: ISTIO_VERSION,
    files: inputs.files,
    sets: inputs.sets,
  });
}
