// The progress line on stderr: rewritten in place on a terminal, one line per finished step otherwise.
export class ProgressLine {
  private readonly tty = process.stderr.isTTY;
  private readonly startedAt = Date.now();
  private shown = false;

  private clock(): string {
    const s = Math.round((Date.now() - this.startedAt) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }

  /** Step `i` of `n`; `final` marks the line that carries the step's result. */
  step(i: number, n: number, text: string, final = false): void {
    const line = `[${i}/${n} ${this.clock()}] ${text}`;
    if (this.tty) {
      process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
      this.shown = true;
    } else if (final) {
      process.stderr.write(`${line}\n`);
    }
  }

  /** A message on a line of its own. */
  say(text: string): void {
    this.done();
    process.stderr.write(`${text}\n`);
  }

  done(): void {
    if (this.tty && this.shown) process.stderr.write('\n');
    this.shown = false;
  }
}
