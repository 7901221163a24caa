// Moved to server/shared/variant.ts; kept only for server/live-codes/welcome-sender.ts (switch it to shared,
// then delete this file).
export * from '../../shared/variant.ts';
