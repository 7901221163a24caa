/** The demo face: seeds an empty database with the demo organisation (SIYU_DEMO). */
export { seedDemo, type DemoDeps, type SeedSummary } from './seed-demo.ts';
