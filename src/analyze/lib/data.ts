/** The analysis's own data helpers; narrowing YAML-derived objects is src/util/narrow.ts. */
export type Obj = Readonly<Record<string, unknown>>;

/** True when every key=value of `selector` is in `labels` (an empty selector selects everything). */
export function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}
