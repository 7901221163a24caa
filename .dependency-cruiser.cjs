/**
 * Architecture rules, checked by `npm run lint` (depcruise … --ignore-known). Violations that already existed
 * when a rule was introduced are listed in .dependency-cruiser-known-violations.json (`npm run arch:baseline`);
 * that list may only shrink. test/architecture/boundaries.spec.ts proves each rule reports what it forbids.
 *
 * server/ is split three ways:
 * - infrastructure every domain may use: server/shared, server/http, server/db, server/system (metrics, the
 *   heartbeat, the system routes) and the root files errors.ts, config.ts, dev-secrets.ts;
 * - composition: the root files that build and start the graph (modules.ts — services.ts until it is replaced —
 *   boot.ts, app.ts, main.ts), server/cli (commands) and server/web (pages and their headers);
 * - domains: every other folder of server/ (auth, campaigns, channels, contacts, content, daily, demo, events,
 *   experiments, groups, handover, live-codes, org, setup, sidebar, sop, tags, tasks, and any folder added later).
 * Type-only imports count as dependencies (tsPreCompilationDeps): a type shared across a boundary couples the
 * two sides as much as a value does.
 */
const NOT_DOMAINS = ['shared', 'http', 'db', 'system', 'cli', 'web'].join('|');
/** Files allowed to import the module graph as a whole. */
const COMPOSITION = [
  'server/modules\\.ts',
  'server/services\\.ts',
  'server/boot\\.ts',
  'server/app\\.ts',
  'server/main\\.ts',
  'server/cli/cli-context\\.ts',
  'jobs/scheduler\\.ts',
  'jobs/job-wiring\\.ts',
];
/** The adapter files the core may import: the registry and the contract (interface + domain events). */
const ADAPTER_CONTRACT = '^adapters/(registry|channel-adapter|channel-events)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'domain-face-only',
      comment:
        'Another domain is reached only through its face, server/<domain>/index.ts. The source folder is captured ' +
        '($1) so a domain may import its own files; specs may reach into what they test.',
      severity: 'error',
      from: { path: '^(server/[^/]+/|server/[^/]+$|jobs/)', pathNot: '\\.spec\\.ts$' },
      to: { path: `^server/(?!(?:${NOT_DOMAINS})/)[^/]+/`, pathNot: ['^$1', '^server/[^/]+/index\\.ts$'] },
    },
    {
      name: 'module-graph-in-composition-only',
      comment:
        'Only composition files import the module graph as a whole (server/modules.ts, server/services.ts until it ' +
        'is gone); everything else declares the narrow dependencies it needs.',
      severity: 'error',
      from: { path: '^(server|jobs)/', pathNot: `^(${COMPOSITION.join('|')})$` },
      to: { path: '^server/(modules|services)\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycle, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-adapters-through-registry',
      comment: 'The core (server/, jobs/) imports adapters only through adapters/registry.ts and the contract files.',
      severity: 'error',
      from: { path: '^(server|jobs)/' },
      to: { path: '^adapters/', pathNot: ADAPTER_CONTRACT },
    },
    {
      name: 'adapters-not-core',
      comment: 'Adapters know vendors, not the core: they never import server/ or jobs/.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^(server|jobs)/' },
    },
  ],
  options: {
    // Specs import test/ helpers; those are not part of the architecture and are not cruised further.
    doNotFollow: { path: ['node_modules', '^test/'] },
    // The browser pages import each other by URL (/web/shared/api.js); the server side is what the rules are about.
    exclude: { path: '^server/web/.*\\.js$' },
    tsPreCompilationDeps: true,
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'],
    },
    cache: false,
  },
};
