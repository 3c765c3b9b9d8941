// ESG: energy, water and CO2e per machine, area and site, traceable to the factor versions used.

export { type EsgSection, open } from './capability.js';
export { type EsgConfig, type EsgConfigInput, esgConfigSchema } from './config.js';
export { FactorError, GWP } from './factors.js';
export { type EsgHandlers, esgHandlers } from './handlers.js';
export { checkEsgConfig, DEFAULT_FACTORS_DIR, EsgConfigError, type EsgOptions, type EsgService, openEsg } from './service.js';
