import { parseManifests } from '../../src/analyze/load.js';
import { runAnalyzers } from '../../src/analyze/runner.js';
import { ResourceStore } from '../../src/analyze/store.js';
import { ANALYZERS } from '../../src/analyze/analyzers/index.js';
import { analyzeSeeds, emit } from './gen.js';
const seeds = analyzeSeeds();
let te=0, tp=0, ta=0, tj=0; const per = new Map<string, number>();
for (const d of seeds) {
  let t = performance.now(); const text = emit(d); te += performance.now()-t;
  t = performance.now(); JSON.stringify(d); tj += performance.now()-t;
  t = performance.now(); const r = parseManifests(text,{file:'x',defaultNamespace:'default'}); tp += performance.now()-t;
  const store = ResourceStore.of(r.resources);
  for (const a of ANALYZERS) { t = performance.now(); runAnalyzers({store, analyzers:[a]}); const dt = performance.now()-t; ta += dt; per.set(a.meta.name, (per.get(a.meta.name)??0)+dt); }
}
console.log({n: seeds.length, emit: te/seeds.length, json: tj/seeds.length, parse: tp/seeds.length, analyze: ta/seeds.length});
console.log([...per].sort((a,b)=>b[1]-a[1]).slice(0,8).map(([k,v])=>`${k} ${(v/seeds.length).toFixed(3)}`).join('\n'));
