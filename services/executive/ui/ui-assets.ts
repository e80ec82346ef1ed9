/**
 * The admin page's browser modules (browser/*.ts), served as JavaScript. No front-end
 * toolchain: the build's own `tsc` compiles them into dist/ beside the rest, and when the
 * executive runs from source (tsx) they are compiled here, once, with the project's own
 * `typescript` (transpileModule: types are checked by `npm run check-types` like every file).
 * Only the modules listed are served: a request names a module, never a file path.
 */
import { readFile } from 'node:fs/promises';

export const BROWSER_MODULES = new Set([
  'actions',
  'api',
  'app',
  'data',
  'dead-letters-panel',
  'dom',
  'fleet-panel',
  'limits-panel',
  'schema-panel',
  'snapshots-panel',
  'sources-panel',
  'writers-panel',
]);

const compiled = new Map<string, Promise<string>>();

async function compile(name: string): Promise<string> {
  const dir = new URL('./browser/', import.meta.url);
  try {
    // Built: tsc already wrote <name>.js next to this module's own .js.
    return await readFile(new URL(`${name}.js`, dir), 'utf8');
  } catch {
    const source = await readFile(new URL(`${name}.ts`, dir), 'utf8');
    // A dev dependency: present wherever the sources run (tsx), not needed once built.
    const ts = (await import('typescript')).default;
    return ts.transpileModule(source, {
      fileName: `${name}.ts`,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        verbatimModuleSyntax: true,
        rewriteRelativeImportExtensions: true,
      },
    }).outputText;
  }
}

/** The module's JavaScript, or undefined for a name that is not a browser module. */
export function browserModule(name: string): Promise<string> | undefined {
  if (!BROWSER_MODULES.has(name)) return undefined;
  let js = compiled.get(name);
  if (js === undefined) {
    js = compile(name);
    // A failed compile is not cached: the next request tries again.
    void js.catch(() => compiled.delete(name));
    compiled.set(name, js);
  }
  return js;
}
