// Moved to server/shared/local-time.ts (campaigns, tasks and daily use it too); kept for the runtime files
// not yet switched over.
export * from '../../shared/local-time.ts';
