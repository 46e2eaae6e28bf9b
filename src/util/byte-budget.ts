/**
 * A budget of bytes shared by concurrent work: each piece takes what it will hold before it
 * reads, and gives it back when done; takers wait, first come first served, while the budget
 * is spent. It bounds the memory of buffered data whatever the number of tasks.
 */
export class ByteBudget {
  private available: number;
  private readonly waiting: { bytes: number; grant: () => void }[] = [];

  constructor(readonly total: number) {
    this.available = total;
  }

  /** Waits until `bytes` (at most the whole budget) are free, takes them; returns the release. */
  async take(bytes: number): Promise<() => void> {
    const amount = Math.min(bytes, this.total);
    if (this.waiting.length === 0 && amount <= this.available) {
      this.available -= amount;
    } else {
      await new Promise<void>((grant) => this.waiting.push({ bytes: amount, grant }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.available += amount;
      this.grantWaiting();
    };
  }

  private grantWaiting(): void {
    while (this.waiting.length > 0 && this.waiting[0]!.bytes <= this.available) {
      const next = this.waiting.shift()!;
      this.available -= next.bytes;
      next.grant();
    }
  }
}
