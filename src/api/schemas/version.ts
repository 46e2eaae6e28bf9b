import { z } from 'zod';
import { schemaVersion } from './common';

export const version = z.object({
  schemaVersion,
  version: z.string().describe('lakevault\'s release, a semantic version (CHANGELOG.md)'),
  node: z.string().describe('the Node.js version running lakevault, e.g. v20.20.2'),
}).describe('lakevault --version --json');
