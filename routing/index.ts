// The route engine's one import point: the hub builds a RouteTable per configuration and evaluates messages.
export { EvalContext } from './context.js';
export type { Predicate } from './compile.js';
export {
  lineAndColumn,
  renderCaret,
  RouteError,
  type RouteErrorCode,
  type RoutePhase,
  type TextSpan,
} from './errors.js';
export type { RoutableMessage } from './message.js';
export { printExpr, printRoute } from './print.js';
export {
  compileCondition,
  compileRoute,
  DEFAULT_PRIORITY,
  type CompiledCondition,
  type CompiledRoute,
  type CompileOptions,
  type EndpointMatch,
  type RouteSpec,
} from './route.js';
export { endpointIdOf, type Sink, type Source, type SourceKind } from './statement.js';
export { MAX_MEMOISED_SOURCES, RouteTable } from './table.js';
export type { Tri } from './values.js';
export {
  encodeBody,
  encodeText,
  parseVectorCase,
  vectorSink,
  type VectorCase,
  type VectorSink,
} from './vector-case.js';
