/**
 * The one render path shared by install, install --dry-run, verify-install and uninstall -f:
 * reads the flag inputs (files, stdin) and hands them to src/render. Only this file knows the
 * renderer's entry point.
 */
import { MeshError } from '../../errors.js';
import type { KubeObject } from '../../model/k8s.js';
import type { CliContext } from '../context.js';
import type { RenderFlags } from '../commands/install.js';

export interface RenderedInstall {
  objects: KubeObject[];
  /** Profile name as resolved by the renderer. */
  profile: string;
  /** Control-plane namespace (metadata.namespace of the IstioOperator, default istio-system). */
  namespace: string;
  /** The revision, undefined for the default control plane. */
  revision: string | undefined;
}

export async function renderInstall(_ctx: CliContext, _flags: RenderFlags): Promise<RenderedInstall> {
  throw new MeshError('rendering is not available yet in this build (src/render has not landed)');
}
