// The one import point of the deployment-manifest module, shared by the hub (broker/) and the agent (agent/).
export * from './issues.js';
export * from './document.js';
export * from './edgehub-desired.js';
export * from './identity.js';
export * from './certificates.js';
