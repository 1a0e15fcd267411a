/**
 * Printers for findings: istioctl's log lines, json/yaml records, and SARIF 2.1.0. Pure functions from
 * messages to text; the CLI picks one and decides colour.
 */
import { stringify } from 'yaml';
import { MESSAGES, type Level, documentationUrl } from './messages.js';
import { friendlyName } from './runner.js';
import type { Message } from './types.js';

export const ANALYZE_FORMATS = ['log', 'json', 'yaml', 'sarif'] as const;
export type AnalyzeFormat = (typeof ANALYZE_FORMATS)[number];

export interface FormatOptions {
  /** Istio minor for documentation links, e.g. "1.31". */
  istioMinor: string;
  color?: boolean;
  toolVersion?: string;
}

/** `file:line`, `file`, or undefined for objects from the cluster. */
export function reference(m: Message): string | undefined {
  if (m.origin.file === undefined) return undefined;
  return m.origin.line !== undefined ? `${m.origin.file}:${m.origin.line}` : m.origin.file;
}

const paint: Record<Level, (s: string) => string> = {
  Error: (s) => `\u001b[1;31m${s}\u001b[0m`,
  Warning: (s) => `\u001b[33m${s}\u001b[0m`,
  Info: (s) => s,
};

/** `Error [IST0101] (VirtualService default/reviews reviews.yaml:12) Referenced host not found: "reviews"` */
export function logLine(m: Message, color = false): string {
  const ref = reference(m);
  const origin = m.resource.kind === '' ? '' : ` (${friendlyName(m.resource)}${ref !== undefined ? ` ${ref}` : ''})`;
  const head = `${m.level} [${m.code}]`;
  return `${color ? paint[m.level](head) : head}${origin} ${m.text}`;
}

export interface MessageRecord {
  code: string;
  level: Level;
  origin: string;
  reference?: string;
  message: string;
  documentationUrl: string;
}

export function toRecord(m: Message, istioMinor: string): MessageRecord {
  const r: MessageRecord = {
    code: m.code,
    level: m.level,
    origin: m.resource.kind === '' ? '' : friendlyName(m.resource),
    message: m.text,
    documentationUrl: documentationUrl(m.code, istioMinor),
  };
  const ref = reference(m);
  if (ref !== undefined) {
    // Keep istioctl's key order: code, level, origin, reference, message, documentationUrl.
    return { code: r.code, level: r.level, origin: r.origin, reference: ref, message: r.message, documentationUrl: r.documentationUrl };
  }
  return r;
}

export function formatMessages(messages: readonly Message[], format: AnalyzeFormat, options: FormatOptions): string {
  switch (format) {
    case 'log':
      return messages.map((m) => logLine(m, options.color === true) + '\n').join('');
    case 'json':
      return (
        JSON.stringify(
          messages.map((m) => toRecord(m, options.istioMinor)),
          null,
          2,
        ) + '\n'
      );
    case 'yaml':
      return messages.length === 0
        ? '[]\n'
        : stringify(
            messages.map((m) => toRecord(m, options.istioMinor)),
            { lineWidth: 0 },
          );
    case 'sarif':
      return JSON.stringify(toSarif(messages, options), null, 2) + '\n';
  }
}

const SARIF_LEVEL: Record<Level, 'error' | 'warning' | 'note'> = { Error: 'error', Warning: 'warning', Info: 'note' };

/** SARIF 2.1.0, one run, one rule per code that appears; file objects get physical locations. */
export function toSarif(messages: readonly Message[], options: FormatOptions): unknown {
  const codes = [...new Set(messages.map((m) => m.code))].sort();
  const ruleIndex = new Map(codes.map((c, i) => [c, i]));
  const rules = codes.map((code) => {
    const t = MESSAGES.find((x) => x.code === code);
    return {
      id: code,
      name: t?.name ?? code,
      shortDescription: { text: t?.description ?? code },
      helpUri: documentationUrl(code, options.istioMinor),
      defaultConfiguration: { level: SARIF_LEVEL[t?.level ?? 'Error'] },
    };
  });
  const results = messages.map((m) => {
    const logical = m.resource.kind === '' ? [] : [{ name: m.resource.name, fullyQualifiedName: friendlyName(m.resource), kind: m.resource.kind }];
    const physical =
      m.origin.file !== undefined && m.origin.file !== '-'
        ? [
            {
              physicalLocation: {
                artifactLocation: { uri: m.origin.file.split('\\').join('/') },
                ...(m.origin.line !== undefined ? { region: { startLine: m.origin.line } } : {}),
              },
              ...(logical.length > 0 ? { logicalLocations: logical } : {}),
            },
          ]
        : logical.length > 0
          ? [{ logicalLocations: logical }]
          : [];
    return { ruleId: m.code, ruleIndex: ruleIndex.get(m.code) ?? 0, level: SARIF_LEVEL[m.level], message: { text: m.text }, locations: physical };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mesh analyze',
            ...(options.toolVersion !== undefined ? { version: options.toolVersion } : {}),
            informationUri: `https://istio.io/v${options.istioMinor}/docs/reference/config/analysis/`,
            rules,
          },
        },
        results,
      },
    ],
  };
}
