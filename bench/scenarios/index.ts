// The scenarios in the order they run and are reported.
import { amqp } from './amqp.js';
import { backlog } from './backlog.js';
import { fanout } from './fanout.js';
import { filter } from './filter.js';
import { idle } from './idle.js';
import { latency } from './latency.js';
import { pairs } from './pairs.js';
import { route } from './route.js';
import type { Scenario } from './scenario.js';
import { tableSize } from './table-size.js';

export const SCENARIOS: readonly Scenario[] = [route, fanout, filter, amqp, backlog, latency, idle, tableSize, pairs];
