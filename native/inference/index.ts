// The inference capability's public face: the model service and its request handlers.
export { predictionHandlers } from './handlers.js';
export * from './service.js';
