import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import {
  type TagGenerateFlags,
  type TagListFlags,
  type TagRemoveFlags,
  type TagSetFlags,
  addTagGenerateOptions,
  addTagListOptions,
  addTagRemoveOptions,
  addTagSetOptions,
} from '../options/tag.js';

export function registerTag(program: Command, ctx: CliContext): void {
  const tag = program
    .command('tag')
    .description('revision tags: stable names (prod, default) that point to a control-plane revision for injection')
    .addHelpText(
      'after',
      `
A namespace labelled istio.io/rev=prod is injected by the revision the tag prod points to; moving the
tag (mesh tag set prod -r NEW --overwrite) moves every such namespace at once (restart the pods to
pick it up). The tag default also serves istio-injection=enabled and sidecar.istio.io/inject=true,
and validates Istio config that names no revision (istiod-default-validator).
`,
    );
  addTagSetOptions(tag.command('set <tag>').description('create a revision tag, or point it to another revision with --overwrite'))
    .addHelpText(
      'after',
      `
Examples:
  mesh tag set prod -r 1-31-1                   create the tag prod
  mesh tag set prod -r 1-31-2 --overwrite       point it to another revision
  mesh tag set default -r 1-31-2 --overwrite    make 1-31-2 the default (injection and validation)

Exit codes: 0 set; 64 bad flags, an unknown revision, or an existing tag without --overwrite; 1 the confirmation was declined, or other.
`,
    )
    .action(async (name: string, opts: TagSetFlags, cmd: Command) => {
      const { tagSetAction } = await import('../actions/tag.js');
      await tagSetAction(ctx, cmd, name, opts);
    });
  addTagGenerateOptions(tag.command('generate <tag>').description("print a revision tag's webhook configurations (for GitOps); writes nothing"))
    .addHelpText(
      'after',
      '\nExample:\n  mesh tag generate prod -r 1-31-1 > tag-prod.yaml\n\nExit codes: 0 printed; 64 bad flags or an unknown revision; 1 other.\n',
    )
    .action(async (name: string, opts: TagGenerateFlags, cmd: Command) => {
      const { tagGenerateAction } = await import('../actions/tag.js');
      await tagGenerateAction(ctx, cmd, name, opts);
    });
  addTagListOptions(tag.command('list').alias('show').description('list the revision tags, their revisions, and the namespaces and pods they serve')).action(
    async (opts: TagListFlags, cmd: Command) => {
      const { tagListAction } = await import('../actions/tag.js');
      await tagListAction(ctx, cmd, opts);
    },
  );
  addTagRemoveOptions(tag.command('remove <tag>').alias('delete').description('remove a revision tag (refused while namespaces still use it, unless --force)'))
    .addHelpText('after', '\nExit codes: 0 removed; 64 an unknown tag; 79 namespaces still use the tag (pass --force); 1 other.\n')
    .action(async (name: string, opts: TagRemoveFlags, cmd: Command) => {
      const { tagRemoveAction } = await import('../actions/tag.js');
      await tagRemoveAction(ctx, cmd, name, opts);
    });
}
