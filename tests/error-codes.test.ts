import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes, type ErrorCode } from '../src/error-codes.ts';
import { DomainError } from '../src/errors.ts';
import { refusalInFrench } from '../src/http/problem-fr.ts';

const sourceFiles = (folder: string): string[] =>
  readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : [];
  });

const codes = Object.keys(errorCodes) as ErrorCode[];

describe('the closed list of error codes', () => {
  it('has French words for every code, even with no details', () => {
    for (const code of codes) {
      const words = refusalInFrench(new DomainError(409, code, 'English words.'));
      expect(words, code).toMatch(/^\p{Lu}.*[.!]$/su);
      expect(words, code).not.toBe('English words.');
    }
  });

  it('holds only codes the code raises', () => {
    const source = [...sourceFiles('src'), ...sourceFiles('workers')]
      .filter((path) => !path.endsWith('error-codes.ts') && !path.endsWith('problem-fr.ts'))
      .map((path) => readFileSync(path, 'utf8'))
      .join('\n');
    // The asset code's refusals are named after the reason the reader gives (asset_code_${reason}).
    const raised = (code: string) =>
      source.includes(`'${code}'`) || (code.startsWith('asset_code_') && source.includes(`'${code.slice('asset_code_'.length)}'`));
    expect(codes.filter((code) => !raised(code))).toEqual([]);
  });
});
