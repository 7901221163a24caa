// One root-hook setup file starts the development database once for the whole run (test/setup.ts).
module.exports = {
  'node-option': ['import=tsx'],
  require: ['test/setup.ts'],
  spec: ['test/**/*.spec.ts', 'server/**/*.spec.ts', 'adapters/**/*.spec.ts', 'jobs/**/*.spec.ts'],
  reporter: 'test/support/reporter.cjs',
  timeout: 20000,
  exit: true,
};
