/** Rows deleted per statement: short transactions that hold few locks. */
export const RETENTION_BATCH = 500;
/** Pause between full batches while a backlog lasts, so pruning never crowds out other work. */
export const RETENTION_BATCH_PAUSE_MS = 50;

/** The moment before which rows older than `days` days are expired. */
export function retentionCutoff(days: number, now = Date.now()): Date {
  return new Date(now - days * 86_400_000);
}
