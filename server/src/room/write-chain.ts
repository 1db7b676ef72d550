/**
 * A room's ordered chain of writes and the sends that wait for them: a relay or a sync reply
 * runs only after every write queued before it, so no client ever sees content that is not yet
 * written. A task that throws must not stall the document: its failure is logged and counted,
 * and the chain goes on with the next task.
 */
import { errorMessage, type Logger } from '../log.js';

export class WriteChain {
  private tail: Promise<void> = Promise.resolve();
  /** Tasks that threw (for metrics and tests). */
  failures = 0;

  constructor(
    private readonly docName: string,
    private readonly log: Logger,
    private readonly onFailure: () => void = () => {},
  ) {}

  /** Runs `task` after every task queued so far, once `before` (a write already under way) has
   * settled. Never rejects. */
  then(task: () => void | Promise<void>, before?: Promise<unknown>): void {
    const previous = before ? this.tail.then(() => before) : this.tail;
    this.tail = previous.then(task).catch((error: unknown) => {
      this.failures++;
      this.onFailure();
      this.log.error('a queued write or send failed; the document goes on', {
        doc: this.docName,
        error: errorMessage(error),
      });
    });
  }

  /** Resolves when every task queued so far has run. */
  drained(): Promise<void> {
    return this.tail;
  }
}
