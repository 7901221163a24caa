// Moved to server/shared/variant.ts (live codes, campaigns and experiments use it too); kept for the runtime
// files not yet switched over.
export * from '../../shared/variant.ts';
