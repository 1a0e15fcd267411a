/**
 * Shell completion: `mesh completion bash|zsh|fish|powershell` prints a script that asks
 * `mesh __complete WORD…` for the candidates of the last word, as cobra-based CLIs (kubectl, helm,
 * istioctl) do. The candidates come from the commander program itself (commands, flags, choices)
 * and, for values only a cluster knows (namespaces, pods, revisions), from lookups the caller gives.
 */
import type { Command, Option } from 'commander';
import { PROXY_CONFIG_TYPES } from './options/proxy-config.js';

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

/** Values that need the cluster or data outside commander; each may fail (then: no candidates). */
export interface CompletionLookups {
  namespaces(): Promise<string[]>;
  /** `POD.NAMESPACE` of pods with an istio-proxy container (in NAMESPACE, when given). */
  proxies(namespace: string | undefined): Promise<string[]>;
  revisions(): Promise<string[]>;
  profiles(): string[];
  analyzers(): string[];
  codes(): string[];
}

const visible = (c: Command): boolean => !(c as unknown as { _hidden?: boolean })._hidden;

function findOption(cmd: Command | undefined, flag: string): Option | undefined {
  for (let c = cmd; c; c = c.parent ?? undefined) {
    const o = c.options.find((x) => x.long === flag || x.short === flag);
    if (o) return o;
  }
  return undefined;
}

function flagsOf(cmd: Command): string[] {
  const out: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const o of c.options) if (!o.hidden && o.long) out.push(o.long);
  }
  return [...new Set([...out, '--help'])];
}

/**
 * The words typed after `mesh`, as the completion scripts pass them: everything after
 * `__complete` in argv, verbatim. Commander's parsed operands drop a `--` (its end of options),
 * so `mesh install --<TAB>` would complete the command name instead of its flags.
 */
export function completionWords(argv: readonly string[]): string[] | undefined {
  const at = argv.indexOf('__complete');
  return at < 0 ? undefined : argv.slice(at + 1);
}

/** The candidates for the last of `words` (the words after `mesh`; the last may be ''). */
export async function complete(program: Command, words: readonly string[], lookups: CompletionLookups): Promise<string[]> {
  const current = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  let cmd = program;
  const positionals: string[] = [];
  let namespace: string | undefined;
  for (let i = 0; i < before.length; i++) {
    const w = before[i]!;
    if (w.startsWith('-')) {
      const eqAt = w.indexOf('=');
      const o = findOption(cmd, eqAt > 0 ? w.slice(0, eqAt) : w);
      const isNamespace = o?.long === '--namespace';
      if (eqAt > 0) {
        if (isNamespace) namespace = w.slice(eqAt + 1);
      } else if (o?.required) {
        // `--flag VALUE`: the next word is the value.
        if (isNamespace && before[i + 1] !== undefined) namespace = before[i + 1];
        i++;
      }
      continue;
    }
    const sub = positionals.length === 0 ? cmd.commands.find((c) => c.name() === w || c.aliases().includes(w)) : undefined;
    if (sub) cmd = sub;
    else positionals.push(w);
  }
  const starts = (xs: readonly string[]): string[] => [...new Set(xs)].filter((x) => x.startsWith(current)).sort();

  // The value of a flag: `--flag VALUE` (the previous word is the flag) or `--flag=VALUE`.
  const prev = before[before.length - 1];
  const eq = current.startsWith('-') ? current.indexOf('=') : -1;
  const flagWord = eq > 0 ? current.slice(0, eq) : prev !== undefined && prev.startsWith('-') && !prev.includes('=') ? prev : undefined;
  const option = flagWord !== undefined ? findOption(cmd, flagWord) : undefined;
  if (option?.required) {
    const typed = eq > 0 ? current.slice(eq + 1) : current;
    const prefix = eq > 0 ? current.slice(0, eq + 1) : '';
    const values = await optionValues(option, lookups);
    return [...new Set(values)]
      .filter((v) => v.startsWith(typed))
      .sort()
      .map((v) => prefix + v);
  }
  if (current.startsWith('-')) return starts(flagsOf(cmd));

  const subs = cmd.commands.filter(visible);
  if (subs.length > 0 && positionals.length === 0) return starts(subs.map((c) => c.name()));
  return starts(await positionalValues(cmd, positionals.length, lookups, namespace));
}

async function optionValues(o: Option, lookups: CompletionLookups): Promise<string[]> {
  if (o.argChoices) return o.argChoices;
  switch (o.long) {
    case '--profile':
      return lookups.profiles();
    case '--namespace':
    case '--istio-namespace':
      return safe(lookups.namespaces());
    case '--revision':
      return safe(lookups.revisions());
    case '--analyzer':
      return lookups.analyzers();
    case '--suppress':
      return lookups.codes().map((c) => `${c}=`);
    default:
      return [];
  }
}

async function positionalValues(cmd: Command, index: number, lookups: CompletionLookups, namespace: string | undefined): Promise<string[]> {
  const path = commandPath(cmd);
  if (path === 'completion' && index === 0) return [...SHELLS];
  if (path === 'help') return [];
  if ((path === 'proxy-status' && index === 0) || (path === 'proxy-config' && index === 1)) return safe(lookups.proxies(namespace));
  if (path === 'proxy-config' && index === 0) return [...PROXY_CONFIG_TYPES];
  if (path === 'profile dump' || path === 'profile diff') return lookups.profiles();
  return [];
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

async function safe(p: Promise<string[]>): Promise<string[]> {
  try {
    return await p;
  } catch {
    return [];
  }
}

/** The script for a shell; it calls `mesh __complete` with the words typed so far. */
export function completionScript(shell: Shell): string {
  switch (shell) {
    case 'bash':
      return `# mesh completion for bash: source <(mesh completion bash), or save it in /etc/bash_completion.d/mesh
_mesh_complete() {
  local IFS=$'\\n'
  COMPREPLY=($(mesh __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _mesh_complete mesh
`;
    case 'zsh':
      return `#compdef mesh
# mesh completion for zsh: source <(mesh completion zsh), or save it as _mesh on your $fpath
_mesh() {
  local -a candidates
  candidates=("\${(@f)$(mesh __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -- "\${candidates[@]}"
}
if [ "$funcstack[1]" = "_mesh" ]; then _mesh "$@"; else compdef _mesh mesh; fi
`;
    case 'fish':
      return `# mesh completion for fish: mesh completion fish | source, or save it in ~/.config/fish/completions/mesh.fish
complete -c mesh -f -a '(mesh __complete (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'
`;
    case 'powershell':
      return `# mesh completion for PowerShell: mesh completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName mesh -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
  if ($wordToComplete -eq '') { $words += '' }
  mesh __complete @words 2>$null | ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
}
`;
  }
}
