// A small fake Kubernetes API server over real HTTP on 127.0.0.1, driven by the real @kubernetes/client-node
// in tests. It is a fixture, not a cluster. See README.md here for what it does and, above all, what it does not.
// Every request is recorded (method, path, verb, group, resource, user) so tests can derive RBAC rules.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { RbacAuthorizer, type Attributes } from './fake-rbac.js';
import { discovery, findResource, type FakeResource } from './fake-resources.js';
import { ApiError, FakeStore, type KubeJson, type StoredEvent } from './fake-store.js';
import { parseLabelSelector } from './label-selector.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly verb: string;
  readonly group?: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** The bearer token the client sent: tests give each client its own. */
  readonly user?: string;
  /** The user the request ran as (`Impersonate-User`), whose RBAC applied. */
  readonly as?: string;
  /** Every authorization the request needed, in order: its verb, and `create` for an apply that created. */
  readonly authorized: Attributes[];
  status: number;
}

/** Makes matching requests fail. `watch` restricts a fault to watch requests (true) or to the rest (false). */
export interface Fault {
  readonly method?: string;
  readonly path?: RegExp;
  readonly watch?: boolean;
  readonly status: number;
  times: number;
}

interface Route {
  readonly resource: FakeResource;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    reason,
    code,
  };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  // client-node needs a Content-Type on every response, or it cannot parse it.
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseRoute(segments: string[]): { group: string; version: string; rest: string[] } | undefined {
  if (segments[0] === 'api' && segments[1]) return { group: '', version: segments[1], rest: segments.slice(2) };
  if (segments[0] === 'apis' && segments[1] && segments[2])
    return { group: segments[1], version: segments[2], rest: segments.slice(3) };
  return undefined;
}

export class FakeApiServer {
  readonly store = new FakeStore();
  readonly requests: RecordedRequest[] = [];
  private readonly faults: Fault[] = [];
  private readonly watches = new Map<ServerResponse, { silenced: boolean; timer?: NodeJS.Timeout }>();
  private server?: Server;
  url = '';
  /**
   * RBAC for impersonated users. Tokens themselves are cluster admins (system:masters), so tests and the fake
   * kubelet can do anything; a client that impersonates a user (kubeconfig `as`, header `Impersonate-User`)
   * gets exactly what the roles bound to that user allow, and a 403 otherwise, as a real API server answers.
   */
  rbac?: RbacAuthorizer;

  static async start(): Promise<FakeApiServer> {
    const fake = new FakeApiServer();
    fake.server = createServer((req, res) => {
      fake.handle(req, res).catch((err: unknown) => send(res, 500, status(500, 'InternalError', String(err))));
    });
    await new Promise<void>((resolve) => fake.server!.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    this.dropWatches();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A KubeConfig for this server; `token` identifies the client in `requests`; `as` impersonates a user. */
  kubeConfig(token = 'test', as?: string): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: token, token, ...(as ? { impersonateUser: as } : {}) }],
      contexts: [{ name: 'fake', cluster: 'fake', user: token }],
      currentContext: 'fake',
    });
    return kc;
  }

  fail(fault: Omit<Fault, 'times'> & { times?: number }): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Ends every open watch connection abruptly, as a restarting API server or a dropped link would. */
  dropWatches(): void {
    for (const res of this.watches.keys()) res.destroy();
    this.watches.clear();
  }

  /** New watches get headers and then nothing, like open ones after `silenceWatches`. */
  silenceNewWatches = false;

  /** Open watches stay connected but receive nothing more, not even their timeout: a half-open connection. */
  silenceWatches(): void {
    for (const w of this.watches.values()) {
      w.silenced = true;
      clearTimeout(w.timer);
    }
  }

  get openWatches(): number {
    return this.watches.size;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const segments = url.pathname.split('/').filter((s) => s !== '');
    const isWatch = req.method === 'GET' && url.searchParams.get('watch') === 'true';
    const auth = req.headers.authorization;
    const as = req.headers['impersonate-user'];
    const entry: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      verb: 'get',
      ...(auth?.startsWith('Bearer ') ? { user: auth.slice(7) } : {}),
      ...(typeof as === 'string' ? { as } : {}),
      authorized: [],
      status: 200,
    };
    this.requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    const gv = parseRoute(segments);
    if (!gv) return send(res, 404, status(404, 'NotFound', `the server could not find ${url.pathname}`));
    if (gv.rest.length === 0) {
      const list = discovery(gv.group, gv.version);
      return list ? send(res, 200, list) : send(res, 404, status(404, 'NotFound', 'unknown group version'));
    }
    const namespaced = gv.rest[0] === 'namespaces' && gv.rest.length >= 3;
    const [plural, name, subresource] = namespaced ? gv.rest.slice(2) : gv.rest;
    const resource = findResource(gv.group, gv.version, plural ?? '');
    if (!resource) return send(res, 404, status(404, 'NotFound', `the server could not find the requested resource`));
    const route: Route = {
      resource,
      ...(namespaced ? { namespace: gv.rest[1] } : {}),
      ...(name ? { name } : {}),
      ...(subresource ? { subresource } : {}),
    };
    Object.assign(entry, {
      verb: this.verb(req.method ?? 'GET', route, isWatch),
      group: resource.group,
      resource: resource.plural,
      ...(subresource ? { subresource } : {}),
      ...(route.namespace ? { namespace: route.namespace } : {}),
      ...(name ? { name } : {}),
    });
    const attributes: Attributes = {
      user: entry.as ?? '',
      verb: entry.verb,
      group: resource.group,
      resource: subresource ? `${resource.plural}/${subresource}` : resource.plural,
      ...(route.namespace ? { namespace: route.namespace } : {}),
      ...(name ? { name } : {}),
    };
    const authorize = (a: Attributes): void => {
      if (entry.as === undefined) return;
      entry.authorized.push(a);
      if (!this.rbac?.allows(a)) throw new ApiError(403, 'Forbidden', RbacAuthorizer.forbiddenMessage(a));
    };
    const fault = this.faults.find(
      (f) =>
        f.times > 0 &&
        (f.method ?? req.method) === req.method &&
        (f.path?.test(url.pathname) ?? true) &&
        (f.watch ?? isWatch) === isWatch,
    );
    if (fault) {
      fault.times--;
      return send(res, fault.status, status(fault.status, 'Injected', `injected ${fault.status}`));
    }
    try {
      authorize(attributes);
      if (isWatch) return this.watch(route, url.searchParams, res);
      // Server-side apply of an object that does not exist is a create: authorized as one too, answered 201.
      const creates =
        req.method === 'POST' ||
        (this.isApply(req) &&
          name !== undefined &&
          !route.subresource &&
          !this.store.get(resource, route.namespace, name));
      if (creates && req.method !== 'POST') authorize({ ...attributes, verb: 'create' });
      const result = await this.serve(req, route, url.searchParams);
      send(res, creates ? 201 : 200, result);
    } catch (err) {
      if (err instanceof ApiError) return send(res, err.code, status(err.code, err.reason, err.message));
      throw err;
    }
  }

  private isApply(req: IncomingMessage): boolean {
    return (
      req.method === 'PATCH' && (req.headers['content-type'] ?? '').split(';')[0] === 'application/apply-patch+yaml'
    );
  }

  private verb(method: string, route: Route, isWatch: boolean): string {
    if (method === 'GET') return isWatch ? 'watch' : route.name ? 'get' : 'list';
    return (
      { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: route.name ? 'delete' : 'deletecollection' }[method] ??
      method.toLowerCase()
    );
  }

  private async serve(req: IncomingMessage, route: Route, query: URLSearchParams): Promise<unknown> {
    const { resource: r, namespace: ns, name } = route;
    if (route.subresource && route.subresource !== 'status')
      throw new ApiError(404, 'NotFound', `no subresource ${route.subresource}`);
    const opts = { status: route.subresource === 'status' };
    const body = ['POST', 'PUT', 'PATCH'].includes(req.method ?? '') ? await readBody(req) : '';
    const json = (): KubeJson => JSON.parse(body) as KubeJson;
    switch (req.method) {
      case 'GET': {
        if (name) {
          const o = this.store.get(r, ns, name);
          if (!o) throw new ApiError(404, 'NotFound', `${r.plural} "${name}" not found`);
          return o;
        }
        const items = this.store.list(r, ns, query.get('labelSelector'));
        return {
          apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
          kind: `${r.kind}List`,
          metadata: { resourceVersion: String(this.store.resourceVersion) },
          items,
        };
      }
      case 'POST':
        return this.store.create(r, ns, json());
      case 'PUT':
        return this.store.replace(r, ns, name!, json(), opts);
      case 'PATCH': {
        const type = (req.headers['content-type'] ?? '').split(';')[0];
        if (type === 'application/apply-patch+yaml') {
          const manager = query.get('fieldManager');
          if (!manager) throw new ApiError(400, 'BadRequest', 'fieldManager is required for apply requests');
          return this.store.apply(r, ns, name!, parseYaml(body) as KubeJson, manager, opts);
        }
        // Strategic merge is served as a JSON merge patch (lists replace instead of merging by key).
        if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
          return this.store.mergePatch(r, ns, name!, JSON.parse(body), opts);
        }
        throw new ApiError(415, 'UnsupportedMediaType', `the fake does not serve ${type} patches`);
      }
      case 'DELETE':
        if (!name) throw new ApiError(405, 'MethodNotAllowed', 'deletecollection is not served');
        this.store.delete(r, ns, name);
        return status(200, '', 'deleted');
      default:
        throw new ApiError(405, 'MethodNotAllowed', `${req.method} not served`);
    }
  }

  private watch(route: Route, query: URLSearchParams, res: ServerResponse): void {
    const { resource: r, namespace: ns } = route;
    const matches = parseLabelSelector(query.get('labelSelector'));
    const wanted = (o: KubeJson) =>
      (!r.namespaced || !ns || o.metadata?.namespace === ns) && matches(o.metadata?.labels ?? {});
    const state: { silenced: boolean; timer?: NodeJS.Timeout } = { silenced: this.silenceNewWatches };
    // Headers must go out at once, or node-fetch waits for ever (reference/kubernetes.md §7.4).
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const write = (type: string, object: unknown) => {
      if (!state.silenced) res.write(JSON.stringify({ type, object }) + '\n');
    };
    const rv = query.get('resourceVersion');
    try {
      if (!rv || rv === '0') {
        for (const o of this.store.list(r, ns)) if (wanted(o)) write('ADDED', o);
      } else {
        for (const e of this.store.eventsSince(r, Number(rv))) if (wanted(e.object)) write(e.type, e.object);
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // A real server reports an expired resourceVersion as an ERROR event inside a 200 stream.
      write('ERROR', status(err.code, err.reason, err.message));
      res.end();
      return;
    }
    const unsubscribe = this.store.onEvent((e: StoredEvent) => {
      if (e.resource === r && wanted(e.object)) write(e.type, e.object);
    });
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
    if (timeoutSeconds > 0 && !state.silenced) state.timer = setTimeout(() => res.end(), timeoutSeconds * 1000);
    this.watches.set(res, state);
    // `res` close, not `req` close: on Node 20 the request closes as soon as its (empty) body ends.
    res.on('close', () => {
      unsubscribe();
      clearTimeout(state.timer);
      this.watches.delete(res);
    });
  }
}
