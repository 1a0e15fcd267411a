import type { AllowEntry } from './compare.mjs';
export const ALLOW: AllowEntry[];
