import { InputError } from '../core/errors';
import type * as GenerateCommand from './commands/generate';
import type * as ImportTerraformCommand from './commands/import-terraform';
import type * as ParametersCommand from './commands/parameters';
import type * as PathsCommand from './commands/paths';
import type * as PreviewCommand from './commands/preview';
import type * as ServeCommand from './commands/serve';
import type * as PolicyTestCommand from './commands/policy-test';
import type * as ValidateCommand from './commands/validate';
import { EXIT, reportError } from './exit';
import type { ExitCode } from './exit';
import type { Io } from './io';
import { parseCommandLine } from './options';
import type { CommonOptions } from './options';

export const VERSION = '0.1.0';

export const USAGE = `eks-overlay: render per-cluster overlays for Argo CD (Config Management Plugin v2)

Usage:
  eks-overlay generate [dir]              Argo CD's generate command: YAML stream on stdout (dir defaults to .)
  eks-overlay parameters [dir]            Argo CD's dynamic parameters command: JSON announcements on stdout
  eks-overlay render <dir> [options]      render one app for people and CI
  eks-overlay validate <dir> [options]    render for every --context given and report every problem
  eks-overlay paths [dir] [--root <repo>] the Application's argocd.argoproj.io/manifest-generate-paths value
  eks-overlay import terraform <state> [options]
                                          a Terraform state's AWS resources as ACK objects, adopted in phases:
                                          [--out <dir>] [--phase observe|adopt|own] [--namespace <ns>]
                                          [--rgd <name>] [--only <kind>]... [--crd-dir <dir>]...
                                          [--region [<alias>=]<r>]... [--account-id [<alias>=]<id>]...
                                          [--report <file.json>]
  eks-overlay preview --base <ref> [--head <ref>] (--fleet <file> | --generator-url <url>
                      --generator-token-file <file>) [--repo <dir>] [--repo-url <url>] [--appsets <glob>]...
                      [--policies <dir>]... [--kube-api-versions <list>] [--format markdown|json]
                      [--output <file>] [--jobs N]
                                          what a change does to every Application on every cluster
  eks-overlay serve [--socket <path>]     the sidecar's warm render server (eks-overlay-client talks to it)
  eks-overlay policy test --policies <dir|file>... [--context <file>...] [--operation CREATE|UPDATE|DELETE]
              [--old-object <file>] [--namespace <ns>] [--kube-version 1.32] [--unsupported error|warn]
              [--output json] <object file>...
                                          evaluate admission policies (ValidatingAdmissionPolicy, Gatekeeper CEL)
                                          against objects or AdmissionReviews; verdict on stdout, exit 1 if denied
  eks-overlay --help | --version

Options (render, validate):
  --context <file>        cluster context JSON/YAML (the generator's clusterContext, a parameter set, or a list
                          of them); repeatable for validate. Replaces ARGOCD_ENV_CLUSTER_CONTEXT.
  --cluster <key=value>   override one context entry, as the "cluster" map parameter does (dotted key)
  --root <dir>            directory no file may resolve outside of (default: the app directory, or the
                          repository root derived from ARGOCD_APP_SOURCE_PATH)

Environment: ARGOCD_APP_*, ARGOCD_ENV_CLUSTER_CONTEXT, ARGOCD_APP_PARAMETERS, KUBE_VERSION (as Argo CD sets them).
EKS_OVERLAY_LOG_LEVEL=debug (or ARGOCD_ENV_EKS_OVERLAY_LOG_LEVEL) logs layer resolution on stderr.
EKS_OVERLAY_POLICY_DIRS (":"-separated directories) adds admission policies every render evaluates.

Exit codes: 0 ok, 1 render error, 2 usage, 70 internal error, 78 configuration error.
Nothing is written on stdout unless the command succeeds.
`;

function parseOptions(args: readonly string[], command: string): CommonOptions {
  const opts = parseCommandLine(args, command);
  if (
    (command === 'generate' || command === 'parameters') &&
    (opts.contexts.length > 0 || opts.root !== undefined)
  ) {
    throw new InputError(
      `${command} reads its context from Argo CD's environment; --context/--root are for render and validate`,
    );
  }
  if (command !== 'validate' && opts.contexts.length > 1)
    throw new InputError(`${command} takes at most one --context`);
  return opts;
}

/** Runs one command. Never calls process.exit; writes stdout only on success, and only once. */
export async function run(argv: readonly string[], io: Io): Promise<ExitCode> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.stderr.write(USAGE);
        return EXIT.usage;
      case '--help':
      case '-h':
      case 'help':
        io.stdout.write(USAGE);
        return EXIT.ok;
      case '--version':
      case '-v':
      case 'version':
        io.stdout.write(`${VERSION}\n`);
        return EXIT.ok;
      case 'generate':
      case 'render': {
        const opts = parseOptions(rest, command);
        if (command === 'render' && opts.dir === undefined)
          throw new InputError('render needs a directory');
        const { generate } = commands.generate();
        return await generate(opts, io);
      }
      case 'parameters': {
        const opts = parseOptions(rest, command);
        const { parameters } = commands.parameters();
        return await parameters(opts, io);
      }
      case 'validate': {
        const opts = parseOptions(rest, command);
        if (opts.dir === undefined) throw new InputError('validate needs a directory');
        const { validate } = commands.validate();
        return await validate(opts, io);
      }
      case 'paths':
        return await commands.paths().paths(rest, io);
      case 'import':
        return await commands.importTerraform().importTerraform(rest, io);
      case 'preview':
        return await commands.preview().preview(rest, io, run);
      case 'serve':
        return await commands.serve().serve(rest, io);
      case 'policy': {
        const [sub, ...policyArgs] = rest;
        if (sub !== 'test') throw new InputError('policy takes one subcommand: test');
        return await commands.policyTest().policyTest(policyArgs, io);
      }
      default:
        throw new InputError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    return reportError(e, io);
  }
}

/**
 * Commands load on demand so `--help`/`--version` evaluate none of them and each command only what it imports
 * (cold start counts against Argo CD's deadline). esbuild keeps a `require` inside a function lazy; a dynamic
 * `import()` would need ESM file extensions that neither esbuild nor jest resolve to the .ts sources here.
 */
const commands = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  generate: () => require('./commands/generate') as typeof GenerateCommand,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  parameters: () => require('./commands/parameters') as typeof ParametersCommand,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  validate: () => require('./commands/validate') as typeof ValidateCommand,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  paths: () => require('./commands/paths') as typeof PathsCommand,
  importTerraform: () =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./commands/import-terraform') as typeof ImportTerraformCommand,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  preview: () => require('./commands/preview') as typeof PreviewCommand,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  serve: () => require('./commands/serve') as typeof ServeCommand,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  policyTest: () => require('./commands/policy-test') as typeof PolicyTestCommand,
};
