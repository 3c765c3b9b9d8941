// The renderer's only door to the core: one object on window.aurum, one IPC channel, messages in
// and out. No Node, no Electron APIs reach the page.
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import type { AurumBridge } from '../renderer/src/platform/bridge';
import { IPC_CHANNEL } from './channel';

const bridge = {
  post(message: unknown) {
    ipcRenderer.send(IPC_CHANNEL, message);
  },
  onMessage(listener: (message: unknown) => void) {
    const handler = (_e: IpcRendererEvent, message: unknown) => listener(message);
    ipcRenderer.on(IPC_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNEL, handler);
    };
  },
} satisfies AurumBridge;

contextBridge.exposeInMainWorld('aurum', bridge);
