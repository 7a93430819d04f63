// The same traffic shape on the hub and on the peers. On the hub a module publishes to an output and routes
// decide who receives it on which input; peers have no routes, so their subscribers subscribe to the very
// topic the publisher uses (same bytes, same length), and "dropped by a route" becomes "published to a topic
// nobody subscribes to".
import type { Broker } from '../peers/broker.js';

const CONTENT_JSON = '%24.ct=application%2Fjson&%24.ce=utf-8';

/** The topic of module `moduleId` sending to `output`, as the SDK writes it (trailing `/`). */
export function outputTopic(b: Broker, moduleId: string, output: string, json = false): string {
  const bag = `%24.on=${output}${json ? `&${CONTENT_JSON}` : ''}`;
  return `devices/${b.deviceId}/modules/${moduleId}/messages/events/${bag}/`;
}

/** The hub's delivery filter of module `moduleId` (what the SDK subscribes to for inputs). */
export function inputsFilter(b: Broker, moduleId: string): string {
  return `devices/${b.deviceId}/modules/${moduleId}/inputs/#`;
}

/**
 * What a receiving module subscribes to: its inputs on the hub; on a peer, the topic that stands for the
 * route (`peerTopic`).
 */
export function receiverFilter(b: Broker, moduleId: string, peerTopic: string): string {
  return b.kind === 'edgehub' ? inputsFilter(b, moduleId) : peerTopic;
}

/** `FROM /messages/modules/{from}/outputs/{output} [WHERE cond] INTO BrokeredEndpoint("/modules/{to}/inputs/{input}")` */
export function moduleRoute(from: string, output: string, to: string, input: string, where?: string): string {
  return `FROM /messages/modules/${from}/outputs/${output}${where ? ` WHERE ${where}` : ''} INTO BrokeredEndpoint("/modules/${to}/inputs/${input}")`;
}
