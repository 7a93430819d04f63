// The one import point of the deployment-manifest module, shared by the hub (broker/) and the agent (agent/).
export * from './issues.js';
export * from './document.js';
export * from './edgehub-desired.js';
export * from './edgehub-devices.js';
export * from './identity.js';
export * from './certificates.js';
export * from './types.js';
export * from './create-options.js';
export * from './edge-agent-desired.js';
export * from './manifest.js';
export * from './build.js';
