/** The one IPC channel between renderer and main; both directions carry wire envelopes. */
export const IPC_CHANNEL = 'aurum:msg';
