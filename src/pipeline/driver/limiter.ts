// A counting semaphore: executable visits across the whole run (options.concurrency), and the
// iterations of one ParallelFor (`iteratorPolicy.parallelismLimit`, which KFP compiles into the loop
// template's Argo `parallelism`, backend/src/v2/compiler/argocompiler/dag.go iteratorTask).
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`a concurrency limit must be at least 1, got ${limit}`);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
