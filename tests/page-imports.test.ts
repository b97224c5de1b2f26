import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/*
 * A page is a view of the modules (CONVENTIONS.md, "Pages"): it calls their read functions and
 * renders what they return. It never imports a table, drizzle-orm or the driver, not even for a
 * type: a type taken from a schema is a table's shape leaking into the page, and the next query
 * follows it. Nor the db client: session.ts types the handle as the modules take it, and pages
 * pass the database on to the modules.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pagesFolder = join(root, 'src/pages');
const dbClient = join(root, 'src/db/client.ts');

/** Every module a source file names: imports and re-exports (type-only ones too), dynamic imports, `import('…')` types. */
function importsOf(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push(node.moduleReference.expression.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** Why a page may not import this, or undefined when it may. */
function whyForbidden(fileName: string, specifier: string): string | undefined {
  if (specifier === 'drizzle-orm' || specifier.startsWith('drizzle-orm/'))
    return 'drizzle-orm: the query belongs in a read function of the module that owns the data';
  if (specifier === 'postgres') return 'the Postgres driver: pages pass the database to the modules';
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(fileName), specifier);
  if (/\.schema(\.[cm]?[jt]sx?)?$/.test(target)) return 'a schema file: expose what the page needs from the module’s service or types file';
  if (target === dbClient || target === dbClient.replace(/\.ts$/, '')) return 'the db client: pages take the handle’s types (Database, DbOrTx) from session.ts';
  return undefined;
}

/** Each forbidden import of a source file, as "file: 'specifier' (why)". */
function forbiddenImports(fileName: string, source: string): string[] {
  return importsOf(fileName, source).flatMap((specifier) => {
    const why = whyForbidden(fileName, specifier);
    return why ? [`${relative(root, fileName)}: '${specifier}' (${why})`] : [];
  });
}

const pageFiles = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? pageFiles(join(folder, entry.name)) : /\.(ts|tsx|mts|cts)$/.test(entry.name) ? [join(folder, entry.name)] : [],
  );

describe('what pages import', () => {
  it('finds the page files to check', () => {
    const files = pageFiles(pagesFolder).map((file) => relative(root, file));
    expect(files).toContain('src/pages/request-page.tsx');
    expect(files).toContain('src/pages/session.ts');
  });

  it('imports no table, no schema file and nothing of drizzle-orm in any page, not even a type', () => {
    const offences = pageFiles(pagesFolder).flatMap((file) => forbiddenImports(file, readFileSync(file, 'utf8')));
    expect(offences).toEqual([]);
  });

  // The check itself, on made-up pages: each way of importing a table is caught, and named.
  const page = join(pagesFolder, 'made-up-page.tsx');
  it.each([
    ["import { eq } from 'drizzle-orm';", "'drizzle-orm'"],
    ["import { pgTable } from 'drizzle-orm/pg-core';", "'drizzle-orm/pg-core'"],
    ["import type { SQL } from 'drizzle-orm';", "'drizzle-orm'"],
    ["import { devices } from '../devices/devices.schema.ts';", "'../devices/devices.schema.ts'"],
    ["import type { devices } from '../devices/devices.schema.ts';", "'../devices/devices.schema.ts'"],
    ["import { type StorageMedium } from '../devices/devices.schema.ts';", "'../devices/devices.schema.ts'"],
    ["export { deviceKinds } from '../devices/devices.schema.ts';", "'../devices/devices.schema.ts'"],
    ["type Row = import('../allocation/allocation.schema.ts').Request;", "'../allocation/allocation.schema.ts'"],
    ["const load = () => import('../stock/stock.schema.ts');", "'../stock/stock.schema.ts'"],
    ["import { createDatabase } from '../db/client.ts';", "'../db/client.ts'"],
    ["import type { Database } from '../db/client.ts';", "'../db/client.ts'"],
  ])('catches %s', (line, named) => {
    const offences = forbiddenImports(page, line);
    expect(offences).toHaveLength(1);
    expect(offences[0]).toContain('src/pages/made-up-page.tsx');
    expect(offences[0]).toContain(named);
  });

  it('lets no page name the db client, not even session.ts for the handle’s types', () => {
    expect(forbiddenImports(join(pagesFolder, 'session.ts'), "export type { Database, DbOrTx } from '../db/client.ts';")).toHaveLength(1);
  });

  it.each([
    "import type { Database, DbOrTx } from './session.ts';",
    "import { deviceKinds, type StorageMedium } from '../devices/devices.service.ts';",
    "import { Hono } from 'hono';",
    "import { schemaOfTheForm } from './forms.tsx';",
  ])('lets %s through', (line) => {
    expect(forbiddenImports(page, line)).toEqual([]);
  });
});
