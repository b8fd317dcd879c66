/**
 * Progress for long runs: a bar on a terminal, plain lines in CI and logs
 * (at most one per finished unit, rate-limited), nothing with --quiet.
 */
import cliProgress from "cli-progress";

export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private total = 0;
  private done = 0;
  private unit = "";
  private lastLine = 0;
  private readonly t0 = Date.now();
  private tPlan = Date.now();
  constructor(
    private readonly name: string,
    private readonly mode: "bar" | "lines" | "quiet",
  ) {}

  static auto(name: string, quiet: boolean): Progress {
    return new Progress(name, quiet ? "quiet" : process.stderr.isTTY ? "bar" : "lines");
  }

  plan(total: number, unit: string): void {
    // an artifact may plan several stages (toy models, then SAEs): each counts from 0
    this.bar?.stop();
    this.done = 0;
    this.tPlan = Date.now();
    this.total = total;
    this.unit = unit;
    if (this.mode === "bar") {
      this.bar = new cliProgress.SingleBar(
        { format: `${this.name} {bar} {value}/{total} ${unit} | {label} | {eta}`, hideCursor: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { label: "starting", eta: "ETA …" });
    } else if (this.mode === "lines") this.line(`${this.name}: ${total} ${unit} to run`);
  }

  tick(label: string): void {
    this.done++;
    if (this.bar) this.bar.update(this.done, { label, eta: this.eta() });
    else if (this.mode === "lines") {
      const now = Date.now();
      if (this.done === this.total || now - this.lastLine > 2000) {
        this.lastLine = now;
        this.line(`${this.name}: ${this.done}/${this.total} ${this.unit} (${label}) ${((now - this.t0) / 1000).toFixed(0)}s`);
      }
    }
  }

  step(done: number, total: number): void {
    if (this.bar && (done === total || done % 100 === 0)) this.bar.update(this.done, { label: `step ${done}/${total}` });
  }

  /** Remaining time from the mean time per finished unit (the bar's own ETA is noisy on few units). */
  private eta(): string {
    if (this.done === 0) return "ETA …";
    const s = (((Date.now() - this.tPlan) / this.done) * (this.total - this.done)) / 1000;
    return `ETA ${s < 90 ? `${Math.round(s)}s` : `${Math.round(s / 60)}min`}`;
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }

  line(s: string): void {
    if (this.mode !== "quiet") process.stderr.write(s + "\n");
  }
}
