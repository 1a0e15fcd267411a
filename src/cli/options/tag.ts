import { type Command, Option } from 'commander';
import { UsageError, excerpt } from '../../errors.js';
import { isDns1123Label } from '../../model/names.js';
import { checkNamespaceFlag, outputOption } from '../flags.js';

export interface TagCommonFlags {
  istioNamespace: string;
}

export interface TagSetFlags extends TagCommonFlags {
  revision?: string;
  overwrite?: boolean;
  skipConfirmation?: boolean;
  /** --yes, as rollout-restart spells -y. */
  yes?: boolean;
  dryRun?: boolean;
  autoInjectNamespaces?: boolean;
}

export interface TagGenerateFlags extends TagCommonFlags {
  revision?: string;
  autoInjectNamespaces?: boolean;
  output: string;
}

export interface TagListFlags extends TagCommonFlags {
  output: string;
}

export interface TagRemoveFlags extends TagCommonFlags {
  force?: boolean;
  dryRun?: boolean;
}

const istioNamespace = (cmd: Command): Command => cmd.option('-i, --istio-namespace <ns>', 'the Istio control-plane namespace', 'istio-system');

export function addTagSetOptions(cmd: Command): Command {
  return istioNamespace(cmd)
    .option('-r, --revision <revision>', 'the control-plane revision the tag points to (required)')
    .option('--overwrite', 'point an existing tag to another revision')
    .option('-y, --skip-confirmation', 'do not ask before applying a tag whose webhooks would overlap others; --yes works too')
    .addOption(new Option('--yes', 'same as -y/--skip-confirmation').hideHelp())
    .option('--dry-run', 'print what would change, change nothing')
    .option('--auto-inject-namespaces', 'tag default only: also inject pods of namespaces without any injection label');
}

export function addTagGenerateOptions(cmd: Command): Command {
  return istioNamespace(cmd)
    .option('-r, --revision <revision>', 'the control-plane revision the tag points to (required)')
    .option('--auto-inject-namespaces', 'tag default only: also inject pods of namespaces without any injection label')
    .addOption(outputOption(['yaml', 'json'], 'yaml'));
}

export function addTagListOptions(cmd: Command): Command {
  return istioNamespace(cmd).addOption(outputOption());
}

export function addTagRemoveOptions(cmd: Command): Command {
  return istioNamespace(cmd)
    .option('--force', 'remove the tag even while namespaces still use it (their new pods get no sidecar)')
    .option('--dry-run', 'print what would be removed, remove nothing');
}

/** A tag is a label value and part of a webhook configuration's name: a DNS label. */
export function validateTagName(tag: string): void {
  if (!isDns1123Label(tag)) {
    throw new UsageError(`TAG: "${excerpt(tag)}" is not a valid tag name (lowercase letters, digits and '-', at most 63, e.g. prod, canary, default)`);
  }
}

export function validateRevisionFlag(revision: string | undefined): string {
  if (revision === undefined || revision === '') throw new UsageError('--revision: required (the control-plane revision the tag points to, e.g. -r 1-31-1)');
  if (!isDns1123Label(revision)) {
    throw new UsageError(`--revision: "${excerpt(revision)}" is not a valid revision name (lowercase letters, digits and '-', e.g. 1-31-1, canary)`);
  }
  return revision;
}

export function validateTagSet(tag: string, flags: TagSetFlags | TagGenerateFlags): { tag: string; revision: string } {
  validateTagName(tag);
  checkNamespaceFlag('-i/--istio-namespace', flags.istioNamespace);
  const revision = validateRevisionFlag(flags.revision);
  if (flags.autoInjectNamespaces === true && tag !== 'default') {
    throw new UsageError(`--auto-inject-namespaces: only for the tag default (got "${tag}")`);
  }
  return { tag, revision };
}

/** -y, --yes and --skip-confirmation are one flag here too, as on install, uninstall, upgrade and rollout-restart. */
export function tagSkipsConfirmation(flags: TagSetFlags): boolean {
  return flags.skipConfirmation === true || flags.yes === true;
}

export function validateTagCommon(flags: TagCommonFlags): void {
  checkNamespaceFlag('-i/--istio-namespace', flags.istioNamespace);
}
