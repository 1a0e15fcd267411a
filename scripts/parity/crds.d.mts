// Types of scripts/parity/crds.mjs (for the TypeScript parity test).
export interface PathInfo {
  type: string;
  format: string;
  enum: string[] | undefined;
  preserve: boolean;
  nullable: boolean;
}
export interface RuleAt {
  path: string;
  rule: string;
  message: string;
}
export interface CrdParitySummary {
  crds: number;
  missingCrds: string[];
  versions: number;
  istioPaths: number;
  missingPaths: number;
  mismatchedPaths: number;
  extraPaths: number;
  istioRules: number;
  meshRules: number;
  rulesWithoutCounterpart: number;
  allowedRules: number;
  meshOnlyRules: number;
  constraintDiffs: number;
  perCrd: Record<
    string,
    {
      missingPaths: string[];
      mismatchedPaths: string[];
      extraPaths: string[];
      istioRules: number;
      meshRules: number;
      rulesWithoutCounterpart: string[];
      allowedRules: string[];
      meshOnlyRules: string[];
      constraintDiffs: string[];
    }
  >;
}
export type Crd = {
  metadata: { name: string };
  spec: { versions: { name: string; storage?: boolean; schema: { openAPIV3Schema: any } }[] } & Record<string, any>;
} & Record<string, any>;
export const repoRoot: string;
export const CEL_ALLOW_LIST: { crd: string; node: string; rule: string; reason: string }[];
export function defaultIstioctlPath(): string;
export function crdsOf(manifest: string | unknown[]): Map<string, Crd>;
export function istioCrdsFromIstioctl(istioctlPath?: string): Map<string, Crd>;
export function meshCrdsFromCli(): Map<string, Crd>;
export function schemaPaths(root: unknown): Map<string, PathInfo>;
export function schemaRules(root: unknown): RuleAt[];
export function compatible(istio: PathInfo, mesh: PathInfo): string[];
export function constraintDiffs(istioRoot: unknown, meshRoot: unknown): string[];
export function compareCrds(istio: Map<string, Crd>, mesh: Map<string, Crd>): { lines: string[]; summary: CrdParitySummary };
export function crdParity(opts?: {
  istioctlPath?: string;
  meshRender?: () => Promise<string | unknown[]> | string | unknown[];
}): Promise<{ lines: string[]; summary: CrdParitySummary }>;
