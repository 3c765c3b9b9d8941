// The inference capability's public face: the model service and its request handlers.

export { type InferenceFace, modelTags, open } from './capability.js';
export { predictionHandlers } from './handlers.js';
export * from './service.js';
