import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/*
 * A page is a view of the modules (CONVENTIONS.md, "Pages"): it calls their read functions and
 * renders what they return. It never imports a table, drizzle-orm or the driver, not even for a
 * type: a type taken from a schema is a table's shape leaking into the page, and the next query
 * follows it. The database handle's types come from src/db/client.ts through one page,
 * session.ts, as types only: pages pass the database on to the modules.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pagesFolder = join(root, 'src/pages');
const dbClient = join(root, 'src/db/client.ts');
/** The one page that names the db client, for its handle's types, which the other pages take from it. */
const handleTypesPage = join(pagesFolder, 'session.ts');

type Imported = { specifier: string; typeOnly: boolean };

/** Every module a source file names: imports and re-exports (type-only ones too), dynamic imports, `import('…')` types. */
function importsOf(fileName: string, source: string): Imported[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: Imported[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const elements = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = Boolean(
        clause && (clause.isTypeOnly || (!clause.name && elements && elements.length > 0 && elements.every((element) => element.isTypeOnly))),
      );
      found.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** Why a page may not import this, or undefined when it may. */
function whyForbidden(fileName: string, { specifier, typeOnly }: Imported): string | undefined {
  if (specifier === 'drizzle-orm' || specifier.startsWith('drizzle-orm/'))
    return 'drizzle-orm: the query belongs in a read function of the module that owns the data';
  if (specifier === 'postgres') return 'the Postgres driver: pages pass the database to the modules';
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(fileName), specifier);
  if (/\.schema(\.[cm]?[jt]sx?)?$/.test(target)) return 'a schema file: expose what the page needs from the module’s service or types file';
  if (target === dbClient || target === dbClient.replace(/\.ts$/, '')) {
    if (!typeOnly) return 'the db client as a value: pages take its types only (Database, DbOrTx)';
    if (fileName !== handleTypesPage) return 'the db client: pages take the handle’s types (Database, DbOrTx) from session.ts';
  }
  return undefined;
}

/** Each forbidden import of a source file, as "file: 'specifier' (why)". */
function forbiddenImports(fileName: string, source: string): string[] {
  return importsOf(fileName, source).flatMap((imported) => {
    const why = whyForbidden(fileName, imported);
    return why ? [`${relative(root, fileName)}: '${imported.specifier}' (${why})`] : [];
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

  it('lets session.ts alone take the handle’s types from the db client', () => {
    expect(forbiddenImports(handleTypesPage, "export type { Database, DbOrTx } from '../db/client.ts';")).toEqual([]);
    expect(forbiddenImports(handleTypesPage, "import { createDatabase } from '../db/client.ts';")).toHaveLength(1);
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
