// Process displays, edited (engineers): saving a display document makes a new configuration version
// (author, time, comment; listed in config.versions, compared by config.diff, undone by
// config.rollback), and an SVG drawn elsewhere is made safe to place in a display. The document
// itself is checked by native/displays/schema.ts when the request is handled (its sentences name the
// field and the line of the saved file); here its size is bounded.
import { z } from 'zod';
import type { ConfigDiff, ConfigVersionInfo } from './config-requests.js';
import type { HttpForms } from './http.js';

export const DISPLAY_EDIT_LIMITS = {
  /** Characters of one display document as JSON (the display file's own limit, 4 MB, is checked when saved). */
  documentChars: 3_500_000,
  /** Characters of SVG text one import may carry. */
  svgChars: 1_000_000,
} as const;

const version = z.number().int().min(1);
const comment = z.string().trim().min(1, 'say in a comment what the change is for').max(2000);

/** A display document as the editor sends it; its fields are checked against the display schema by the handler. */
const documentArg = z.record(z.string(), z.unknown()).refine((d) => JSON.stringify(d).length <= DISPLAY_EDIT_LIMITS.documentChars, {
  message: `the display document exceeds ${DISPLAY_EDIT_LIMITS.documentChars.toLocaleString('en-US')} characters as JSON`,
});

export const displayEditRequests = {
  /**
   * Write one display (new or changed) and record it as a new configuration version. `baseVersion`
   * is the version the editor loaded the display at: when this display changed in a later version the
   * save is refused (conflict), never merged.
   */
  'displays.save': z.object({ display: documentArg, comment, baseVersion: version.optional() }).strict(),
  /** Make an SVG drawing safe to show: its inner markup, its viewBox, the ids its elements have (to bind), what was removed. */
  'displays.importSvg': z
    .object({
      svg: z
        .string()
        .min(1, 'the SVG text is empty')
        .max(
          DISPLAY_EDIT_LIMITS.svgChars,
          `the SVG text exceeds the limit of ${DISPLAY_EDIT_LIMITS.svgChars.toLocaleString('en-US')} characters`,
        ),
    })
    .strict(),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const displayEditHttp = {
  'displays.save': { method: 'POST', path: '/api/displays' },
  'displays.importSvg': { method: 'POST', path: '/api/displays/import-svg' },
} as const satisfies HttpForms<typeof displayEditRequests>;

export interface DisplayEditResults {
  'displays.save': {
    /** The configuration version the save made. */
    version: ConfigVersionInfo;
    /** What changed in the displays (entries of kind 'display'). */
    diff: ConfigDiff;
  };
  'displays.importSvg': {
    /** The drawing's inner markup, made safe (the element's `svg` field of a `drawing`). */
    markup: string;
    viewBox: string;
    /** The ids of the drawing's elements, to bind by id. */
    ids: { id: string; element: string }[];
    /** One sentence per kind of thing that was removed. */
    removed: string[];
  };
}
