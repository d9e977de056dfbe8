/**
 * The split of type-check configurations: jest's globals exist for the tests only. A file under src/
 * that calls `describe` fails `npm run typecheck`, the same file under tests/ passes.
 */
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '../../..');

/** The diagnostics tsc gives one extra file (text in memory) under the given tsconfig. */
function diagnosticsFor(tsconfig: string, file: string, text: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`cannot read ${tsconfig}`);
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => (resolve(name) === file ? text : readFile(name));
  host.fileExists = (name) => resolve(name) === file || fileExists(name);
  const program = ts.createProgram({ rootNames: [file], options: config.options, host });
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(file))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const probe = "describe('a suite', () => undefined);\nexport {};\n";

describe('type-check configurations', () => {
  it('has no jest globals in src/', () => {
    const problems = diagnosticsFor(join(ROOT, 'tsconfig.json'), join(ROOT, 'src/probe.ts'), probe);

    expect(problems).toEqual([expect.stringContaining("Cannot find name 'describe'")]);
  });

  it('has them in tests/', () => {
    const tests = join(ROOT, 'tests/tsconfig.json');
    const problems = diagnosticsFor(tests, join(dirname(tests), 'probe.ts'), probe);

    expect(problems).toEqual([]);
  });
});
