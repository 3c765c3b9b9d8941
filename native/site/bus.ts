// The tag bus of a site: the site's tags and, after them, the derived tags of its bound models
// (<machine>/AnomalyScore, /Health, /RUL); every sample's source time is checked against the
// historian's accept window where it enters (bus.update).
import type { TagInfo } from '../api/types.js';
import { resolveAcceptWindow } from '../historian/index.js';
import { modelTags } from '../inference/index.js';
import { TagBus } from '../tags/bus.js';
import type { Boundary } from '../util/boundary.js';
import { withAlarmLimits } from './alarm-limits.js';
import type { SiteModel } from './model.js';

export function siteBus(model: SiteModel, boundary: Boundary, dirs: { modelsDir: string; dataDir: string }): TagBus {
  const acceptWindow = resolveAcceptWindow(model.raw.historian.acceptWindow, model.raw.historian.retention);
  return new TagBus(siteTags(model, dirs), undefined, boundary, { acceptWindow });
}

/** A site's tag table: its tags, then its bound models' derived tags, with their alarm limits; ids are places in this list. */
export function siteTags(model: SiteModel, dirs: { modelsDir: string; dataDir: string }): TagInfo[] {
  const derived = modelTags(model.raw.models?.bindings ?? [], dirs, model.tags.length);
  return withAlarmLimits([...model.tags, ...derived], model.raw.alarms);
}
