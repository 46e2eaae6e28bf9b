import type { Command } from 'commander';
import { tableCommand } from './table';
import { copyCommand } from './copy';
import { flowCommand } from './flow';
import { backupCommand } from './backup';
import { checkpointCommand } from './checkpoint';
import { recoverCommand } from './recover';
import { drillCommand } from './drill';
import { validateCommand } from './validate';
import { diffCommand } from './diff';
import { auditCommand } from './audit';
import { doctorCommand } from './doctor';
import { planCommand } from './plan';
import { reportCommand } from './report';
import { repoCommand } from './repo';

/** Every command of the CLI, one file each. */
export const commands: (() => Command)[] = [
  tableCommand,
  copyCommand,
  flowCommand,
  backupCommand,
  checkpointCommand,
  repoCommand,
  recoverCommand,
  drillCommand,
  validateCommand,
  diffCommand,
  auditCommand,
  doctorCommand,
  planCommand,
  reportCommand,
];
