/**
 * The layer table of docs/ARCHITECTURE.md, enforced: `npm run lint:deps`.
 * A module imports its own layer and the layers below it, never one above; no import cycle
 * (type-only imports count: a cycle of types is still two modules that cannot be read apart).
 */
const LAYERS = [
  ['entry', '^src/(cli|flow|testing)/|^src/index\\.ts$'],
  ['library', '^src/api/'],
  ['ops', '^src/(history|verify|plan|metrics|report)/'],
  ['domain', '^src/(table|snapshot|backup|retention|restore|dr|validate|audit|lake|sources|compact|diff|rows|timeline)/'],
  ['formats', '^src/(parquet|digest|datagen)/'],
  ['base', '^src/(store|config|model|util)/|^src/(errors|version)\\.ts$'],
];

const upward = LAYERS.slice(1).map(([name, path], index) => ({
  name: `layer-${name}`,
  comment: `${name} modules import only their own layer and the ones below it (docs/ARCHITECTURE.md)`,
  severity: 'error',
  from: { path },
  to: { path: LAYERS.slice(0, index + 1).map(([, above]) => above).join('|') },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycle in src/',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...upward.map((rule) => rule.name === 'layer-ops'
      // The plan runner drives the Lakevault client it is given: it names the client's type, never loads it.
      ? { ...rule, from: { ...rule.from, pathNot: '^src/plan/run\\.ts$' } }
      : rule),
    {
      name: 'plan-runner-types-only',
      comment: 'plan/run.ts names the library client\'s type only',
      severity: 'error',
      from: { path: '^src/plan/run\\.ts$' },
      to: { path: '^src/(api|cli|flow|testing)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'table-kinds-behind-table-source',
      comment: 'snapshot/, restore/, table/ and validate/ see a kind of table only through sources/table-source.ts',
      severity: 'error',
      from: { path: '^src/(snapshot|restore|table|validate)/' },
      to: { path: '^src/sources/', pathNot: '^src/sources/table-source\\.ts$' },
    },
    {
      name: 'table-kinds-apart',
      comment: 'a kind of table (sources/<kind>/) does not reach into another kind; sources/foreign/ is shared by the kinds lakevault did not write',
      severity: 'error',
      from: { path: '^src/sources/([^/]+)/' },
      to: { path: '^src/sources/[^/]+/', pathNot: ['^src/sources/$1/', '^src/sources/foreign/'] },
    },
    {
      name: 'foreign-formats-behind-sources',
      comment: 'lake/ (reading prefixes lakevault did not write) is reached through sources/, not by the core',
      severity: 'error',
      from: { path: '^src/(snapshot|restore|table|validate|backup|retention|dr|audit)/' },
      to: { path: '^src/lake/' },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/.*\\.d\\.ts$' },
  },
};
