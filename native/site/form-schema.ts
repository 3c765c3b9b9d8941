// The site file's schema as a field description for the console's forms (config.schema): JSON
// Schema generated from the one zod schema the validator uses (./schema.ts), the input side (what a
// person writes: defaults shown, optional fields optional). The forms build every section from it,
// so a field added to the schema appears in the forms without a form written for it. Rules the
// JSON Schema cannot carry (refinements, cross-references) are the validator's: its issues are
// shown beside the field they name.
import { z } from 'zod';
import type { FormSchema } from '../api/config-requests.js';
import { siteFileSchema } from './schema.js';

let cached: FormSchema | null = null;

export function siteFormSchema(): FormSchema {
  cached ??= z.toJSONSchema(siteFileSchema, { io: 'input', unrepresentable: 'any', reused: 'inline' }) as FormSchema;
  return cached;
}
