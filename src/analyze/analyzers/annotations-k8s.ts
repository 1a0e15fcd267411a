/**
 * Istio annotations on Namespaces, Services, Pods and Deployments (their own metadata, not pod
 * templates), checked against Istio's annotation table (lib/annotations.ts). Only annotations in Istio
 * domains (`istio.io` and its subdomains) are considered; `kubectl.kubernetes.io/…` and the like are not
 * Istio's business. In order, like istioctl:
 * - IST0108: the annotation is not one Istio knows (often a typo);
 * - IST0135: it is deprecated (not for the `sidecar.istio.io/inject` annotation when the object also
 *   has the label of that name — the usual belt-and-braces);
 * - IST0107: it does not apply to this kind (e.g. a Pod annotation on a Deployment: it has to go on the
 *   pod template). Not reported on objects Istio generates for Gateways (labelled
 *   `gateway.istio.io/managed`), which inherit the Gateway's annotations;
 * - IST0125: its value is not one the sidecar injector accepts (ports, CIDR ranges, numbers, booleans,
 *   interception mode, ProxyConfig YAML).
 */
import { SIDECAR_INJECT } from '../../model/injection.js';
import { type AnnotationValue, inIstioDomain, istioAnnotation } from '../lib/annotations.js';
import type { KindId } from '../kinds.js';
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { parseKubeYamlValue } from '../../model/yaml.js';
import { parseBoolError, parsePrefixError, parseUintError } from '../../util/go-parse.js';
import { isRecord, stringRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'annotations.K8sAnalyzer',
  description: 'Checks for misplaced, unknown, deprecated and invalid Istio annotations in Kubernetes resources',
  inputs: ['Namespace', 'Service', 'Pod', 'Deployment'],
  codes: ['IST0107', 'IST0108', 'IST0125', 'IST0135'],
};

const CHECKED: readonly KindId[] = ['Namespace', 'Service', 'Pod', 'Deployment'];
const GATEWAY_MANAGED = 'gateway.istio.io/managed';

export function analyze(ctx: AnalysisContext): void {
  for (const kind of CHECKED) {
    for (const r of ctx.list(kind)) {
      const annotations = r.object.metadata.annotations ?? {};
      const labels = stringRecord(r.object.metadata.labels);
      for (const [name, value] of Object.entries(annotations)) {
        if (!inIstioDomain(name)) continue;
        const path = ['metadata', 'annotations', name];
        const def = istioAnnotation(name);
        if (!def) {
          ctx.report('IST0108', r, { annotation: name }, { path });
          continue;
        }
        if (def.deprecated && !(name === SIDECAR_INJECT && SIDECAR_INJECT in labels)) {
          const extra = def.deprecated.instead !== undefined ? ` in favor of ${def.deprecated.instead}` : '';
          ctx.report('IST0135', r, { annotation: name, extra }, { path });
        }
        if (def.resources.includes('Any')) continue;
        if (!(def.resources as readonly string[]).includes(r.kind)) {
          if (!(GATEWAY_MANAGED in labels)) ctx.report('IST0107', r, { annotation: name, kind: def.resources.join(', ') }, { path });
          continue;
        }
        const problem = def.value !== undefined && typeof value === 'string' ? valueProblem(def.value, value, name) : undefined;
        if (problem !== undefined) ctx.report('IST0125', r, { annotation: name, problem }, { path });
      }
    }
  }
}

/**
 * What is wrong with an annotation value, or undefined when the injector would accept it. The text is
 * the injector's own error, as istioctl prints it: the name of the check, then Go's parse error.
 */
export function valueProblem(kind: AnnotationValue, value: string, annotation = ''): string | undefined {
  const check = CHECK_NAMES[annotation] ?? annotation.slice(annotation.lastIndexOf('/') + 1);
  switch (kind) {
    case 'bool':
      return parseBoolError(value);
    case 'uint32':
      return parseUintError(value, 32);
    case 'port': {
      const err = portError(value);
      return err === undefined ? undefined : `${check} invalid: ${err}`;
    }
    case 'ports-or-star':
      return value === '*' ? undefined : portsProblem(value, check);
    case 'ports':
      return portsProblem(value, check);
    case 'cidrs-or-star':
      return value === '*' ? undefined : cidrsProblem(value, check);
    case 'cidrs':
      return cidrsProblem(value, check);
    case 'interception-mode':
      return ['REDIRECT', 'TPROXY', 'NONE'].includes(value) ? undefined : `interceptionMode invalid, use REDIRECT,TPROXY,NONE: ${value}`;
    case 'proxy-config': {
      let parsed: unknown;
      try {
        parsed = parseKubeYamlValue(value);
      } catch (err) {
        return `the value is not valid YAML: ${err instanceof Error ? err.message : String(err)}`;
      }
      return parsed === null || parsed === undefined || isRecord(parsed) ? undefined : 'the value is not a ProxyConfig (a YAML map of its fields)';
    }
  }
}

/** The name the injector's check gives itself in its error, where it is not the annotation's last part. */
const CHECK_NAMES: Readonly<Record<string, string>> = {
  'status.sidecar.istio.io/port': 'excludeInboundPorts',
  'traffic.sidecar.istio.io/includeOutboundIPRanges': 'includeIPRanges',
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': 'excludeIPRanges',
};

/** One port (spaces around it allowed), as the injector parses it. */
function portError(s: string): string | undefined {
  const err = parseUintError(s.trim(), 16);
  return err === undefined ? undefined : `failed parsing port '${s}': ${err}`;
}

/** Comma-separated ports, spaces allowed around them; empty means none. */
function portsProblem(value: string, check: string): string | undefined {
  if (value.trim() === '') return undefined;
  for (const p of value.split(',')) {
    const err = portError(p);
    if (err !== undefined) return `${check} invalid: failed parsing port '${p}': ${err}`;
  }
  return undefined;
}

/** Comma-separated CIDR ranges, no spaces; empty means none. */
function cidrsProblem(value: string, check: string): string | undefined {
  if (value === '') return undefined;
  for (const c of value.split(',')) {
    const err = parsePrefixError(c);
    if (err !== undefined) return `${check} invalid: failed parsing cidr '${c}': ${err}`;
  }
  return undefined;
}
