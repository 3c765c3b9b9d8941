// The displays capability: process displays (documents in `displays/` beside the site file) offered
// to the viewer through displays.list and displays.get. It holds no state of its own: each request
// reads the files.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Capability, type CapabilityContext, restartUnlessSame } from '../capability.js';
import { boundPaths } from './schema.js';
import { copyShippedDisplays, displayFiles } from './store.js';

/** What it reads of the site model. */
export interface DisplaysConfig {
  /** The site file; its displays are in the `displays/` folder beside it. */
  file: string;
  /** The demo plant: the shipped displays are copied there on first start. */
  demoPlant: boolean;
}

/** Shipped displays of the demo plant (resources/displays; two levels up from native/displays/ and from dist/native/). */
const SHIPPED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'resources', 'displays');

export function open(ctx: CapabilityContext<DisplaysConfig>): Capability {
  const dir = path.join(path.dirname(ctx.config.file), 'displays');
  if (ctx.config.demoPlant) copyShippedDisplays(SHIPPED, dir);
  const files = displayFiles(dir);
  const known = () => new Set(ctx.bus.tags.map((t) => t.name));
  return {
    handlers: {
      'displays.list': () => {
        const { displays, problems } = files.list();
        return { displays: displays.map((d) => ({ id: d.id, title: d.title, parent: d.parent, elements: d.elements.length })), problems };
      },
      'displays.get': ({ id }) => {
        const display = files.get(id);
        const tags = known();
        return { display, unknownTags: boundPaths(display).filter((p) => !tags.has(p)) };
      },
    },
    // The files are read on each request; only another site file (a folder elsewhere) needs a restart.
    reconfigure: (next) => restartUnlessSame(ctx.config, next),
    stop: () => undefined,
  };
}
