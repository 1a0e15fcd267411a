// Types for compare.mjs (the parity test imports it from TypeScript).
export interface ParityCase {
  name: string;
  args: string[];
  files?: Record<string, string>;
}
export interface FieldDiff {
  path: string;
  istioctl: unknown;
  mesh: unknown;
}
export interface Comparison {
  equal: string[];
  differing: { key: string; diffs: FieldDiff[] }[];
  onlyIstioctl: string[];
  onlyMesh: string[];
  fields: number;
  rbacBroader: string[];
}
export interface AllowEntry {
  case?: string | RegExp;
  object: string | RegExp;
  path?: string | RegExp;
  reason: string;
}
export type KubeDoc = { kind: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;
export const HELM_LABELS: string[];
export const OWNER_LABELS: string[];
export const CASES: ParityCase[];
export function run(cmd: string, args: string[], opts?: { cwd?: string }): Promise<{ code: number; stdout: string; stderr: string }>;
export function renderCase(c: ParityCase, o: { istioctl: string; mesh: string[]; cwd?: string }): Promise<{ istioctl: KubeDoc[]; mesh: KubeDoc[] }>;
export function parseManifest(text: string): KubeDoc[];
export function keyOf(o: KubeDoc): string;
export function grants(rules: unknown): Set<string>;
export function covered(grant: string, granted: Set<string>): boolean;
export function diffTrees(a: unknown, b: unknown, path?: string, out?: FieldDiff[]): FieldDiff[];
export function compareManifests(istioctl: KubeDoc[], mesh: KubeDoc[]): Comparison;
export function allowed(list: AllowEntry[], caseName: string, key: string, path: string): AllowEntry | undefined;
