export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`split-pipelines: not implemented yet: ${argv.join(' ')}\n`);
  return 1;
}
