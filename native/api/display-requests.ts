// Process displays (viewer side): the display documents stored beside the site file, listed and
// read. The document's schema is native/displays/schema.ts; its shape, as clients see it, is here.
import { z } from 'zod';
import type { HttpForms } from './http.js';

const displayId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a display id is 1–64 lower-case letters, digits and dashes');

export const displayRequests = {
  /** Every display of the site (id, title, parent), and the files refused with the reason. */
  'displays.list': z.object({}).strict().default({}),
  /** One display's document, and the bound tag paths the site does not have. */
  'displays.get': z.object({ id: displayId }).strict(),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const displayHttp = {
  'displays.list': { method: 'GET', path: '/api/displays' },
  'displays.get': { method: 'GET', path: '/api/displays/:id' },
} as const satisfies HttpForms<typeof displayRequests>;

export type DisplaySymbolKind = 'pump' | 'valve' | 'tank' | 'line' | 'value' | 'alarm' | 'text' | 'button';

export interface DisplayElementInfo {
  id: string;
  kind: DisplaySymbolKind;
  x: number;
  y: number;
  w: number;
  h: number;
  rotation?: number;
  label?: string;
  bind: { value?: string; state?: string; alarm?: string; command?: string };
  props: Record<string, string | number | boolean>;
}

export interface DisplayDocumentInfo {
  id: string;
  title: string;
  parent?: string;
  size: { w: number; h: number };
  elements: DisplayElementInfo[];
}

export interface DisplayResults {
  'displays.list': {
    displays: { id: string; title: string; parent?: string; elements: number }[];
    /** Files that were refused, each a sentence with file:line. */
    problems: string[];
  };
  'displays.get': { display: DisplayDocumentInfo; unknownTags: string[] };
}
