/** The demo face: seeds an empty database with the demo organisation (SIYU_DEMO). */
export { seedDemo, type DemoDeps, type SeedSummary } from './seed-demo.ts';
export { demoWorld, type DemoWorldDeps } from './demo-world.ts';
export { setUpDemo, type DemoSetupDeps, type DemoSetupResult } from './demo-setup.ts';
export { DEMO_KF_QUESTIONS } from './demo-data.ts';
