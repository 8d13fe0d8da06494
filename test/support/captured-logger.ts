import { Logger, type LogItem } from '@aws-lambda-powertools/logger';

/** A Powertools logger that keeps each line, as it would print it (empty keys dropped), instead of printing. */
export class CapturedLogger extends Logger {
  #lines: Record<string, unknown>[] = [];

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    this.#lines.push(JSON.parse(JSON.stringify(log.getAttributes())));
  }

  /** The lines written since the last call, oldest first. */
  take(): Record<string, unknown>[] {
    return this.#lines.splice(0);
  }
}
