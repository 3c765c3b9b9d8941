// electron/preload.ts imports the bridge's type from this path (electron/ is another engineer's
// file in this change); the declaration itself is platform/bridge.ts. Remove this file once the
// preload imports '../renderer/src/platform/bridge'.
export type { AurumBridge } from '../platform/bridge';
