/** A start-up failure the person can fix: its message is one line naming the setting and the fix. */
export class StackError extends Error {
  override name = 'StackError';
}
