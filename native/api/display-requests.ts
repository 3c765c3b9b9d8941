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

/** The symbol kinds, in the order a palette lists them (native/displays/schema.ts checks documents against this list). */
export const DISPLAY_SYMBOL_KINDS = [
  'pump',
  'compressor',
  'fan',
  'motor',
  'valve',
  'control-valve',
  'tank',
  'heat-exchanger',
  'boiler',
  'conveyor',
  'line',
  'instrument',
  'value',
  'indicator',
  'bar',
  'sparkline',
  'alarm',
  'text',
  'button',
  'link',
  'section',
  // An imported SVG (svg: its markup made safe) and a part: one element of a drawing bound by its id.
  'drawing',
  'part',
] as const;
export type DisplaySymbolKind = (typeof DISPLAY_SYMBOL_KINDS)[number];

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
  /** A drawing's SVG markup, made safe by the SVG import. */
  svg?: string;
}

export interface DisplayDocumentInfo {
  id: string;
  title: string;
  parent?: string;
  size: { w: number; h: number };
  elements: DisplayElementInfo[];
}

/** A machine's faceplate as a display template defines it for the machine's template or kind (full tag paths). */
export interface FaceplateInfo {
  /** The display template it comes from. */
  template: string;
  keyTags: string[];
  /** The machine's mode tag (Auto / Manual…), when its template names one. */
  mode?: string;
  /** Typed commands: writable tags with named states, offered as their states' buttons. */
  commands: string[];
  setpoints: string[];
  /** The small trend's pens. */
  trend: string[];
}

/** A display template, as listed for the editor's palette. */
export interface DisplayTemplateSummary {
  id: string;
  title: string;
  machineTemplate?: string;
  machineKind?: string;
  faceplate: boolean;
  section: boolean;
}

export interface DisplayResults {
  'displays.list': {
    displays: { id: string; title: string; parent?: string; elements: number }[];
    /** The display templates (displays/templates/*.json). */
    templates: DisplayTemplateSummary[];
    /** Files that were refused, each a sentence with file:line. */
    problems: string[];
  };
  'displays.get': {
    /** The document as its file says (sections unexpanded). */
    display: DisplayDocumentInfo;
    /** The elements as shown: each section replaced by its template's elements for its machine. */
    view: DisplayElementInfo[];
    unknownTags: string[];
    /** Sections whose template or machine is unknown, each a sentence. */
    problems: string[];
    /** The faceplate of each machine the display names (by machine path), from the display templates. */
    faceplates: Record<string, FaceplateInfo>;
  };
}
