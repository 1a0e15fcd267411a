/** Loads the Istio corpus (test/fixtures/istio-corpus/*.yaml): valid resources that together use every field. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const CORPUS_DIR = fileURLToPath(new URL('../../fixtures/istio-corpus/', import.meta.url));

export interface CorpusDoc {
  file: string;
  index: number;
  object: { apiVersion: string; kind: string; metadata: { name: string }; spec?: unknown; [k: string]: unknown };
}

export function loadCorpus(): CorpusDoc[] {
  const out: CorpusDoc[] = [];
  for (const file of readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const docs = parseAllDocuments(readFileSync(join(CORPUS_DIR, file), 'utf8'), { version: '1.1' });
    docs.forEach((doc, index) => {
      if (doc.errors.length > 0) throw new Error(`${file} document ${index}: ${doc.errors[0]!.message}`);
      const object = doc.toJS({ maxAliasCount: -1 }) as CorpusDoc['object'];
      if (object) out.push({ file, index, object });
    });
  }
  return out;
}
