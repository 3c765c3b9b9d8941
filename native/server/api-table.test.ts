// Every request of the contract has an HTTP form, a permission entry and its row in docs/api.md,
// and the request table there is the one generated from the contract (npm run docs:api).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { httpForms, requestSchemas } from '../api/contract.js';
import { compilePath, formsOf } from '../api/http.js';
import { requirementOf } from '../auth/permissions.js';
import { requestTable, TABLE_END, TABLE_START, withRequestTable } from './api-table.js';

const doc = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'api.md'), 'utf8');
const names = Object.keys(requestSchemas);

describe('the contract over HTTP', () => {
  it('gives every request an HTTP form and a permission entry', () => {
    expect(names.filter((n) => !Object.hasOwn(httpForms, n))).toEqual([]);
    expect(names.filter((n) => requirementOf(n) === undefined)).toEqual([]);
  });
  it('never gives two requests the same method and path', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [name, entry] of Object.entries(httpForms))
      for (const form of formsOf(entry)) {
        const key = `${form.method} ${compilePath(form.path).pattern.source}`;
        if (seen.has(key)) twice.push(`${key}: ${seen.get(key)} and ${name}`);
        seen.set(key, name);
      }
    expect(twice).toEqual([]);
  });
  it('has a row in docs/api.md for each request, and the table there is the generated one', () => {
    const start = doc.indexOf(TABLE_START);
    const end = doc.indexOf(TABLE_END);
    expect(start, 'docs/api.md lacks the generated request table').toBeGreaterThan(0);
    const section = doc.slice(start, end);
    expect(names.filter((n) => !section.includes(`| \`${n}\` |`))).toEqual([]);
    expect(withRequestTable(doc) === doc, 'docs/api.md is out of date: run npm run docs:api').toBe(true);
    expect(section).toContain(requestTable());
  });
});
