// One root-hook setup file starts the development database once for the whole run (test/setup.ts).
// `npx mocha <files>` runs just those files: mocha would otherwise add the whole suite to them.
const named = process.argv.slice(2).some((a) => /\.spec\.ts$/.test(a));
module.exports = {
  'node-option': ['import=tsx'],
  require: ['test/setup.ts'],
  ...(named ? {} : { spec: ['test/**/*.spec.ts', 'server/**/*.spec.ts', 'adapters/**/*.spec.ts', 'jobs/**/*.spec.ts'] }),
  reporter: 'test/support/reporter.cjs',
  timeout: 20000,
  exit: true,
};
