/**
 * The registry: every analyzer, in alphabetical order of file name. The repository check
 * (test/unit/analyze/repository.test.ts) fails when a file in this folder is missing here.
 */
import type { Analyzer } from '../types.js';
import * as destinationruleCaCertificate from './destinationrule-ca-certificate.js';
import * as schemaValidation from './schema-validation.js';
import * as virtualserviceConflictingMeshHosts from './virtualservice-conflicting-mesh-hosts.js';
import * as virtualserviceDestinationHost from './virtualservice-destination-host.js';

/** File name (without .ts) → analyzer. */
export const ANALYZER_FILES: Readonly<Record<string, Analyzer>> = {
  'destinationrule-ca-certificate': destinationruleCaCertificate,
  'schema-validation': schemaValidation,
  'virtualservice-conflicting-mesh-hosts': virtualserviceConflictingMeshHosts,
  'virtualservice-destination-host': virtualserviceDestinationHost,
};

export const ANALYZERS: readonly Analyzer[] = Object.values(ANALYZER_FILES).sort((a, b) => (a.meta.name < b.meta.name ? -1 : 1));
