// Where commands write. Tests pass a recorder; the binary writes to the process streams.
export interface Output {
  // Properties, not methods: commands pass them around unbound (`{ ...out, stderr: out.stdout }`).
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is an interactive terminal (progress lines may be redrawn). */
  isTTY: boolean;
}

export function processOutput(): Output {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY) && !process.env['CI'],
  };
}

export function recordingOutput(): Output & { out: string; err: string } {
  const rec = {
    out: '',
    err: '',
    isTTY: false,
    stdout(t: string) {
      rec.out += t;
    },
    stderr(t: string) {
      rec.err += t;
    },
  };
  return rec;
}
