// The displays capability: process displays (documents in `displays/` beside the site file) and the
// display templates (`displays/templates/`) offered to the viewer through displays.list and
// displays.get. Each request looks at the files on disk; a file is read again only when it changed (store.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Capability, type CapabilityContext, restartUnlessSame } from '../capability.js';
import { boundPaths, expandSections, faceplateOf, type MachineRef, namedMachines } from './schema.js';
import { copyShippedDisplays, displayFiles, templateFiles } from './store.js';

/** What it reads of the site model. */
export interface DisplaysConfig {
  /** The site file; its displays are in the `displays/` folder beside it. */
  file: string;
  /** The demo plant: the shipped displays are copied there on first start. */
  demoPlant: boolean;
  /** The site's machines with the template each is made from (display templates are chosen by it). */
  machines: MachineRef[];
}

/** The capability's section of the site model (core.ts): the file, the demo flag and the machines' templates. */
export function section(m: {
  file: string;
  demoPlant: boolean;
  site: { name: string };
  machines: readonly { name: string; kind: string }[];
  raw: { areas: readonly { name: string; machines: readonly { name: string; template?: string }[] }[] };
}): DisplaysConfig {
  const templateOf = new Map(
    m.raw.areas.flatMap((a) => a.machines.map((x): [string, string | undefined] => [`${m.site.name}/${a.name}/${x.name}`, x.template])),
  );
  const machines = m.machines.map((x) => {
    const template = templateOf.get(x.name);
    return { name: x.name, kind: x.kind, ...(template ? { template } : {}) };
  });
  return { file: m.file, demoPlant: m.demoPlant, machines };
}

/** Shipped displays of the demo plant (resources/displays; two levels up from native/displays/ and from dist/native/). */
const SHIPPED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'resources', 'displays');

export function open(ctx: CapabilityContext<DisplaysConfig>): Capability {
  const dir = path.join(path.dirname(ctx.config.file), 'displays');
  if (ctx.config.demoPlant) copyShippedDisplays(SHIPPED, dir);
  const files = displayFiles(dir);
  const templates = templateFiles(path.join(dir, 'templates'));
  const known = () => new Set(ctx.bus.tags.map((t) => t.name));
  return {
    handlers: {
      'displays.list': () => {
        const { displays, problems } = files.list();
        const t = templates();
        return {
          displays: displays.map((d) => ({ id: d.id, title: d.title, parent: d.parent, elements: d.elements.length })),
          templates: t.templates.map((x) => ({
            id: x.id,
            title: x.title,
            ...(x.machineTemplate ? { machineTemplate: x.machineTemplate } : {}),
            ...(x.machineKind ? { machineKind: x.machineKind } : {}),
            faceplate: !!x.faceplate,
            section: !!x.section,
          })),
          problems: [...problems, ...t.problems],
        };
      },
      'displays.get': ({ id }) => {
        const display = files.get(id);
        const t = templates();
        const view = expandSections(display, t.templates, ctx.config.machines);
        const tags = known();
        const faceplates: Record<string, NonNullable<ReturnType<typeof faceplateOf>>> = {};
        for (const name of namedMachines(view.elements)) {
          const machine = ctx.config.machines.find((m) => m.name === name);
          const f = machine ? faceplateOf(machine, t.templates) : undefined;
          if (f) faceplates[name] = f;
        }
        return {
          display,
          view: view.elements,
          unknownTags: boundPaths({ elements: view.elements }).filter((p) => !tags.has(p)),
          problems: [...view.problems, ...t.problems],
          faceplates,
        };
      },
    },
    // The files are looked at on each request; another site file (a folder elsewhere) or other machines need a restart.
    reconfigure: (next) => restartUnlessSame(ctx.config, next),
    stop: () => undefined,
  };
}
