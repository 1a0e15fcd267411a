/**
 * Runs analyzers over a ResourceStore and returns the findings: pure, no I/O.
 * Each analyzer gets its own context, which records the kinds it reads (for the tester) and tags its
 * reports with its name. Findings are then filtered (namespace, suppressions), de-duplicated and sorted.
 */
import type { KindId } from './kinds.js';
import { lineOfField } from './load.js';
import { type MessageValue, formatMessage, levelRank, messageType } from './messages.js';
import type { ResourceStore } from './store.js';
import { type Suppression, suppressedByAnnotation } from './suppress.js';
import type { AnalysisContext, AnalysisSettings, Analyzer, Message, Resource } from './types.js';

export const DEFAULT_SETTINGS: AnalysisSettings = { istioNamespace: 'istio-system', revision: '', meshConfig: {} };

export interface RunOptions {
  store: ResourceStore;
  analyzers: readonly Analyzer[];
  settings?: AnalysisSettings;
  /**
   * Keep only findings about objects in this namespace (a Namespace counts as in itself; other
   * cluster-scoped objects are kept). Omit for all.
   */
  namespace?: string;
  /** The same for a set of namespaces (`-l`): findings about objects in other namespaces are dropped. */
  namespaces?: readonly string[];
  suppressions?: readonly Suppression[];
  /**
   * Strict mode (the tester): an analyzer that throws, reports a code it does not declare, or leaves a
   * placeholder unfilled fails loudly. Otherwise such a failure becomes an IST0001 finding.
   */
  strict?: boolean;
}

export interface RunResult {
  messages: Message[];
  /** Names of the analyzers that ran. */
  executed: string[];
  /** For each analyzer, the kinds it read. */
  accessed: Map<string, Set<KindId>>;
  /** Suppressions (as written) that matched no finding. */
  unusedSuppressions: string[];
  /** Findings dropped by a suppression or annotation. */
  suppressedCount: number;
}

export class AnalyzerContractError extends Error {}

export function runAnalyzers(options: RunOptions): RunResult {
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const raw: RawMessage[] = [];
  const accessed = new Map<string, Set<KindId>>();
  for (const analyzer of options.analyzers) {
    const kinds = new Set<KindId>();
    accessed.set(analyzer.meta.name, kinds);
    const ctx = createContext({ analyzer, store: options.store, settings, kinds, out: raw, strict: options.strict === true });
    try {
      analyzer.analyze(ctx);
    } catch (err) {
      if (options.strict) throw err;
      raw.push(internalError(analyzer.meta.name, err));
    }
  }

  const used = new Set<Suppression>();
  let suppressedCount = 0;
  const kept: RawMessage[] = [];
  const inSet = options.namespaces !== undefined ? new Set(options.namespaces) : undefined;
  for (const m of raw) {
    if (options.namespace !== undefined || inSet !== undefined) {
      // As istioctl: a Namespace belongs to itself; other cluster-scoped objects are always kept.
      const ns = m.resourceRef?.id === 'Namespace' ? m.resource.name : m.resource.namespace;
      if (ns !== '' && options.namespace !== undefined && ns !== options.namespace) continue;
      if (ns !== '' && inSet !== undefined && !inSet.has(ns)) continue;
    }
    const annotated = m.resourceRef !== undefined && suppressedByAnnotation(m.resourceRef, m.code);
    const cli = options.suppressions?.find((s) => s.matches(m));
    if (cli) used.add(cli);
    if (annotated || cli) {
      suppressedCount++;
      continue;
    }
    if (m.path !== undefined && m.resourceRef?.origin.source !== undefined) {
      const line = lineOfField(m.resourceRef.origin, m.path);
      if (line !== undefined) m.origin.line = line;
    }
    kept.push(m);
  }
  const messages = sortAndDedupe(kept).map(strip);
  return {
    messages,
    executed: options.analyzers.map((a) => a.meta.name),
    accessed,
    unusedSuppressions: (options.suppressions ?? []).filter((s) => !used.has(s)).map((s) => s.text),
    suppressedCount,
  };
}

/** A finding while it is being collected: it still points at its Resource (for annotations and lines). */
type RawMessage = Message & { resourceRef?: Resource };

interface ContextInit {
  analyzer: Analyzer;
  store: ResourceStore;
  settings: AnalysisSettings;
  kinds: Set<KindId>;
  out: RawMessage[];
  strict: boolean;
}

function createContext(init: ContextInit): AnalysisContext {
  const { analyzer, store, kinds, out, strict } = init;
  const declared = new Set(analyzer.meta.codes);
  return {
    settings: init.settings,
    find(kind, namespace, name) {
      kinds.add(kind);
      return store.find(kind, namespace, name);
    },
    list(kind, options) {
      kinds.add(kind);
      return store.list(kind, options?.namespace);
    },
    report(code, resource, data = {}, options = {}) {
      const type = messageType(code);
      const problem =
        type === undefined
          ? `reported ${code}, which is not in the message catalog`
          : !declared.has(code)
            ? `reported ${code}, which is not in its meta.codes`
            : missingArgs(type.args, data);
      if (problem !== undefined || type === undefined) {
        const text = `analyzer ${analyzer.meta.name} ${problem ?? ''}`;
        if (strict) throw new AnalyzerContractError(text);
        out.push(internalError(analyzer.meta.name, new Error(text), resource));
        return;
      }
      const m: RawMessage = {
        code,
        level: type.level,
        text: formatMessage(type, data),
        analyzer: analyzer.meta.name,
        resource: { kind: resource.kind, apiVersion: resource.apiVersion, namespace: resource.namespace, name: resource.name },
        origin: originOf(resource),
        data,
        resourceRef: resource,
      };
      if (options.path !== undefined) m.path = options.path;
      out.push(m);
    },
  };
}

function missingArgs(args: readonly string[], data: Readonly<Record<string, MessageValue>>): string | undefined {
  const missing = args.filter((a) => data[a] === undefined);
  const extra = Object.keys(data).filter((k) => !args.includes(k));
  if (missing.length > 0) return `left placeholders unfilled: ${missing.join(', ')}`;
  if (extra.length > 0) return `passed data the template does not use: ${extra.join(', ')}`;
  return undefined;
}

function originOf(resource: Resource): Message['origin'] {
  const o: Message['origin'] = {};
  if (resource.origin.file !== undefined) o.file = resource.origin.file;
  if (resource.origin.line !== undefined) o.line = resource.origin.line;
  if (resource.origin.cluster) o.cluster = true;
  return o;
}

function internalError(analyzer: string, err: unknown, resource?: Resource): RawMessage {
  const detail = `analyzer ${analyzer} failed: ${err instanceof Error ? err.message : String(err)}`;
  return {
    code: 'IST0001',
    level: 'Error',
    text: `Internal error: ${detail}`,
    analyzer,
    resource: resource
      ? { kind: resource.kind, apiVersion: resource.apiVersion, namespace: resource.namespace, name: resource.name }
      : { kind: '', apiVersion: '', namespace: '', name: '' },
    origin: {},
    data: { detail },
  };
}

function strip(m: RawMessage): Message {
  const { resourceRef: _r, ...rest } = m;
  return rest;
}

/** Most severe first, then by code, object and line; identical findings appear once. */
export function sortAndDedupe<M extends Message>(messages: readonly M[]): M[] {
  const seen = new Set<string>();
  const out: M[] = [];
  for (const m of messages) {
    const key = `${m.code}\u0000${friendlyName(m.resource)}\u0000${m.origin.file ?? ''}\u0000${m.origin.line ?? ''}\u0000${m.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(m);
  }
  return out.sort(compareMessages);
}

function compareMessages(a: Message, b: Message): number {
  return (
    levelRank(b.level) - levelRank(a.level) ||
    cmp(a.code, b.code) ||
    cmp(a.resource.namespace, b.resource.namespace) ||
    cmp(a.resource.kind, b.resource.kind) ||
    cmp(a.resource.name, b.resource.name) ||
    cmp(a.origin.file ?? '', b.origin.file ?? '') ||
    (a.origin.line ?? 0) - (b.origin.line ?? 0) ||
    cmp(a.text, b.text)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `Kind ns/name`, or `Kind name` for cluster-scoped objects: what suppressions match and output shows. */
export function friendlyName(r: { kind: string; namespace: string; name: string }): string {
  return r.namespace === '' ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
}
