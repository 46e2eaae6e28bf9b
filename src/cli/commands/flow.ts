import { Command } from 'commander';
import { IntegrityError } from '../../errors';
import { lazyModule } from '../../util/lazy';
import { parseInteger, withStore } from '../context';

const seedFlow = lazyModule((): typeof import('../../flow/seed-flow') => require('../../flow/seed-flow'));

export function flowCommand(): Command {
  return new Command('flow')
    .description('the seed project\'s whole flow on the configured store (what `npm start` runs); prints a JSON summary')
    .option('--table <name>', 'table to create', 'vendas')
    .option('--rows <n>', 'rows to generate', '50000')
    .option('--seed <n>', 'generator seed', '42')
    .option('--rows-per-file <n>', 'rows per Parquet file', '12500')
    .action(async (flags: { table: string; rows: string; seed: string; rowsPerFile: string }, command: Command) => {
      const rows = parseInteger('--rows', flags.rows, 1, 100_000_000);
      const seed = parseInteger('--seed', flags.seed, 0, 2 ** 31 - 1);
      const rowsPerFile = parseInteger('--rows-per-file', flags.rowsPerFile, 1, 2_000_000);
      await withStore(command, async ({ config, open, output }) => {
        const summary = await seedFlow().runSeedFlow(open.store, config, {
          table: flags.table, rows, seed, rowsPerFile,
          onStep: (step) => output.phase(`flow: ${step}`),
        });
        output.done();
        // The flow's summary is JSON either way: it is the seed's report.
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        if (!summary.ok) throw new IntegrityError('the flow finished with problems (see the summary)');
      });
    });
}
