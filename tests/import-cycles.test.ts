import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * No file of src/ or workers/ reaches itself through its imports, type-only ones included: a
 * cycle means two modules each own a piece of the other, and the piece belongs in one of them.
 * TypeScript's own pre-processor lists each file's specifiers (import, import type, export from,
 * dynamic import()); every relative one is resolved, and the strongly connected components of the
 * graph (Tarjan) are the cycles, each named by its files.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const folders = ['src', 'workers'];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The file a relative specifier names, as NodeNext with allowImportingTsExtensions resolves it; undefined outside the TypeScript sources. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.jsx$/, '.tsx'), `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')];
  return candidates.find((candidate) => /\.tsx?$/.test(candidate) && existsSync(candidate) && statSync(candidate).isFile());
}

function importGraph() {
  const files = folders.flatMap((folder) => sourceFiles(join(root, folder)));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolveSpecifier(file, specifier))
      .filter((target): target is string => target !== undefined && files.includes(target));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Tarjan's strongly connected components with more than one file, or one file importing itself. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (file: string) => {
    index.set(file, counter);
    lowLink.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        lowLink.set(file, Math.min(lowLink.get(file)!, lowLink.get(target)!));
      } else if (onStack.has(target)) {
        lowLink.set(file, Math.min(lowLink.get(file)!, index.get(target)!));
      }
    }
    if (lowLink.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)!.includes(file)) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

const named = (file: string) => relative(root, file);

describe('imports', () => {
  it('finds the files and their imports (the graph this check walks is not empty)', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get(join(root, 'src/devices/transitions.service.ts'))!.map(named)).toContain('src/devices/lifecycle.ts');
    expect(graph.get(join(root, 'workers/index.ts'))!.length).toBeGreaterThan(0);
  });

  it('never form a cycle between the files of src/ and workers/, type-only imports included', () => {
    const found = cycles(importGraph()).map((component) => component.map(named));
    const report = found.map((component) => `${component.length} files: ${component.join(' → ')}`).join('\n');
    expect(found, `import cycles:\n${report}`).toEqual([]);
  });

  it('keeps the outbox relay free of the workers: the API runs it without loading a processor', () => {
    const graph = importGraph();
    const reached = new Set<string>();
    const walk = (file: string) => {
      for (const target of graph.get(file) ?? [])
        if (!reached.has(target)) {
          reached.add(target);
          walk(target);
        }
    };
    walk(join(root, 'src/outbox/relay.ts'));
    expect([...reached].map(named).filter((file) => file.startsWith('workers/'))).toEqual([]);
  });
});
