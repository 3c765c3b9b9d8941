// What the Electron preload exposes on `window.aurum`: a message port to the core carrying the
// same envelopes as the WebSocket. Declared here so the renderer type-checks without Electron.
export interface AurumBridge {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): () => void;
}

declare global {
  interface Window {
    aurum?: AurumBridge;
  }
}
