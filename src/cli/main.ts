import { Command, CommanderError, Option } from 'commander';
import { report, SCHEMA_VERSION } from '../api/report';
import { TOOL_VERSION } from '../version';
import { commands } from './commands';
import { printErrorDocument, reportError } from './output';

/** Builds the `lakevault` program: global options, then one sub-command per file. */
export function buildProgram(): Command {
  const program = new Command('lakevault')
    .description('Back up, restore, recover, verify and secure Parquet tables in MinIO and S3 — server-side.')
    .option('-V, --version', 'print the version of lakevault and of its JSON reports')
    .option('--json', 'print one JSON document on stdout')
    .option('--endpoint <url>', 'S3 endpoint (default: $S3_ENDPOINT, else the embedded server)')
    .option('--region <region>', 'region (default: $AWS_REGION or us-east-1)')
    .option('--ca-bundle <file>', 'PEM file of CAs to trust for TLS (default: $S3_CA_BUNDLE)')
    .addOption(new Option('--path-style', 'path-style bucket addressing'))
    .addOption(new Option('--no-path-style', 'virtual-hosted bucket addressing'))
    .option('--warehouse <uri>', 'where tables live (default: s3://lake/warehouse)')
    .option('--backups <uri>', 'where backups go (default: s3://lake-backups)')
    .option('--checkpoints <uri>', 'where checkpoints go (default: s3://lake-checkpoints)')
    .option('--concurrency <n>', 'requests in flight (default: 64)')
    .option('--metrics-textfile <dir>', 'after the command, write the repository\'s metrics to <dir>/lakevault.prom (node_exporter textfile collector)')
    .option('--metrics-push <url>', 'after the command, push the repository\'s metrics to this Pushgateway (job lakevault)')
    .option('--manifest-key-file <file>', 'file holding the key that authenticates snapshot manifests (default: $LAKEVAULT_MANIFEST_KEY_FILE or $LAKEVAULT_MANIFEST_KEY)')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  // Printed by main(), which knows whether --json was given anywhere on the line.
  program.on('option:version', () => { throw new CommanderError(0, 'commander.version', TOOL_VERSION); });
  for (const make of commands) {
    const command = make();
    applyExitOverride(command);
    program.addCommand(command);
  }
  return program;
}

function applyExitOverride(command: Command): void {
  command.exitOverride().configureOutput({ writeErr: () => undefined });
  for (const sub of command.commands) applyExitOverride(sub);
}

/** Runs the CLI; resolves to the exit code (0 ok, 1 failure, 2 usage or configuration). */
export async function main(argv: string[]): Promise<number> {
  // The SDK warns that its future releases need Node 22; this version is pinned in the lock file.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const program = buildProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
    // A command that completed but must fail a pipeline (audit findings ≥ --fail-on) sets exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.version') return printVersion(json);
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help') return 0;
      // Commander may add a second line ("(Did you mean --rows?)"): keep the error one line.
      const message = error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
      process.stderr.write(`lakevault: error: ${message}\n`);
      if (json) printErrorDocument('USAGE', message);
      return 2;
    }
    return reportError(error, json);
  }
}

/** `lakevault --version`: the release and the version of the JSON reports (schemas/v<n>/). */
function printVersion(json: boolean): number {
  process.stdout.write(json
    ? JSON.stringify(report({ version: TOOL_VERSION, node: process.version }), null, 2) + '\n'
    : `lakevault ${TOOL_VERSION} (JSON report schema version ${SCHEMA_VERSION})\n`);
  return 0;
}
