/** The shapes shared by the analysis framework and every analyzer. Plain data only. */
import type { KubeObject } from '../model/k8s.js';
import type { KindId } from './kinds.js';
import type { Level, MessageValue } from './messages.js';

/** Where an object came from: a file (with the line its document starts on) or the cluster. */
export interface Origin {
  file?: string;
  /** 1-based line of the object's first line in `file`. */
  line?: number;
  /** The document's source text and the 1-based line it starts on, to find the line of a field later. */
  source?: { text: string; firstLine: number };
  /** For an item of a List: its path inside the document. */
  prefix?: FieldPath;
  cluster?: boolean;
}

/** One object as analyzers see it. `namespace` is '' for cluster-scoped kinds. */
export interface Resource {
  readonly id: KindId;
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace: string;
  readonly name: string;
  readonly object: KubeObject;
  readonly origin: Origin;
}

/** A path into an object, e.g. ['spec', 'http', 0, 'route', 0, 'destination', 'host']. */
export type FieldPath = readonly (string | number)[];

export interface ReportOptions {
  /** The field the finding is about; its line is shown for objects from files. */
  path?: FieldPath;
}

/** Read-only settings of one analysis run. */
export interface AnalysisSettings {
  /** The control-plane namespace (`-i`), also the mesh root namespace unless meshConfig says otherwise. */
  istioNamespace: string;
  /** The control-plane revision (`-r`), '' for the default revision. */
  revision: string;
  /** Mesh config (MeshConfig fields such as rootNamespace, defaultServiceExportTo, ...). */
  meshConfig: Readonly<Record<string, unknown>>;
  /**
   * True when a live cluster was read: then a kind's objects are all there, and "no Pod matches", "no
   * Service selects", "no webhook injects" are facts. From files alone they may just be out of view,
   * so analyzers only judge absences when this is set or the files carry objects of the kind.
   */
  cluster?: boolean;
}

/**
 * What an analyzer sees. It offers only find / list / report (plus the run's settings), so the same
 * analyzer runs on files, a cluster, or both layered.
 */
export interface AnalysisContext {
  readonly settings: AnalysisSettings;
  /** One object by kind, namespace ('' for cluster-scoped) and name. */
  find(kind: KindId, namespace: string, name: string): Resource | undefined;
  /** All objects of a kind, or those in one namespace; sorted by namespace then name. */
  list(kind: KindId, options?: { namespace?: string }): readonly Resource[];
  /** Report a finding about `resource` with the catalog entry `code`. */
  report(code: string, resource: Resource, data?: Readonly<Record<string, MessageValue>>, options?: ReportOptions): void;
}

export interface AnalyzerMeta {
  /** Unique, `<group>.<Name>` in istioctl's style, e.g. `virtualservice.DestinationHostAnalyzer`. */
  name: string;
  /** One line, shown by `--list-analyzers`. */
  description: string;
  /** Every kind the analyzer reads through the context (the tester checks this). */
  inputs: readonly KindId[];
  /** Every code the analyzer can report. */
  codes: readonly string[];
}

export interface Analyzer {
  meta: AnalyzerMeta;
  analyze(ctx: AnalysisContext): void;
}

/** One finding, after formatting. */
export interface Message {
  code: string;
  level: Level;
  text: string;
  analyzer: string;
  resource: { kind: string; apiVersion: string; namespace: string; name: string };
  origin: { file?: string; line?: number; cluster?: boolean };
  data: Readonly<Record<string, MessageValue>>;
  path?: FieldPath;
}
