/**
 * Waiting for room: callers claim a share of something (a slot, bytes) with a function
 * that checks and takes it in one synchronous step, and wait, in order, until it succeeds.
 * Whoever gives a share back calls `release`, and the waiting claims are tried again.
 */
export class Claims {
  private waiting: (() => void)[] = [];

  /** Resolves once `tryClaim()` returned true (it is called now, and again after each release). */
  async claim(tryClaim: () => boolean): Promise<void> {
    while (!tryClaim()) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    for (const wake of this.waiting.splice(0)) wake();
  }
}
