const pkg = require('../package.json') as { version: string };

/** The version of lakevault recorded in every manifest and report. */
export const TOOL_VERSION: string = pkg.version;
