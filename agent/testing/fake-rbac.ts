// RBAC for the fake API server, evaluated as the real RBAC authorizer does: a request is allowed when some
// rule of a role bound to the user matches its (verb, API group, resource[/subresource], name) in its
// namespace. ClusterRoleBindings grant everywhere (cluster-scoped resources and lists across namespaces
// included); RoleBindings grant only in their own namespace. The roles come from the YAML that
// deploy/generate.ts writes, so what is tested is what is installed.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

/** What the authorizer is asked: the attributes of one request (or of the create inside an apply). */
export interface Attributes {
  readonly user: string;
  readonly verb: string;
  readonly group: string;
  /** `deployments`, or `edgedeployments/status` for a subresource. */
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
}

interface RbacObject {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly rules?: readonly PolicyRule[];
  readonly roleRef?: { readonly kind: string; readonly name: string };
  readonly subjects?: readonly { readonly kind: string; readonly name: string; readonly namespace?: string }[];
}

/** The user name a ServiceAccount authenticates as. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

const matches = (list: readonly string[] | undefined, value: string) =>
  (list ?? []).some((v) => v === '*' || v === value);

function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!matches(rule.verbs, a.verb) || !matches(rule.apiGroups, a.group)) return false;
  const [resource] = a.resource.split('/');
  const resourceOk = (rule.resources ?? []).some(
    (r) => r === '*' || r === a.resource || (r === `${resource}/*` && a.resource.includes('/')),
  );
  if (!resourceOk) return false;
  // A rule limited to names never matches a request without one (create by POST, list, watch).
  if (rule.resourceNames && rule.resourceNames.length > 0) return !!a.name && rule.resourceNames.includes(a.name);
  return true;
}

export class RbacAuthorizer {
  private readonly objects: readonly RbacObject[];

  constructor(objects: readonly unknown[]) {
    this.objects = objects as RbacObject[];
  }

  /** Reads Roles, ClusterRoles and their bindings from YAML files (other kinds are ignored). */
  static fromFiles(files: readonly URL[], namespace?: string): RbacAuthorizer {
    const objects = files.flatMap((f) =>
      parseAllDocuments(readFileSync(f, 'utf8'))
        .map((d) => d.toJSON() as RbacObject | null)
        .filter((o): o is RbacObject => !!o && /^(Cluster)?Role(Binding)?$/.test(o.kind)),
    );
    // A namespace scope install is kustomized into the device namespace: do the same here.
    const placed = namespace
      ? objects.map((o) => ({
          ...o,
          metadata: { ...o.metadata, ...(o.metadata.namespace ? { namespace } : {}) },
          ...(o.subjects ? { subjects: o.subjects.map((s) => ({ ...s, namespace })) } : {}),
        }))
      : objects;
    return new RbacAuthorizer(placed);
  }

  /** Rules that apply to `a.user` in `a.namespace` (all rules of ClusterRoleBindings, a RoleBinding's in its own). */
  private rulesFor(user: string, namespace: string | undefined): PolicyRule[] {
    const out: PolicyRule[] = [];
    for (const b of this.objects) {
      if (b.kind !== 'ClusterRoleBinding' && b.kind !== 'RoleBinding') continue;
      const bound = (b.subjects ?? []).some(
        (s) =>
          (s.kind === 'ServiceAccount' &&
            serviceAccountUser(s.namespace ?? b.metadata.namespace ?? '', s.name) === user) ||
          (s.kind === 'User' && s.name === user),
      );
      if (!bound || !b.roleRef) continue;
      if (b.kind === 'RoleBinding' && b.metadata.namespace !== namespace) continue;
      const role = this.objects.find(
        (r) =>
          r.kind === b.roleRef!.kind &&
          r.metadata.name === b.roleRef!.name &&
          (r.kind === 'ClusterRole' || r.metadata.namespace === b.metadata.namespace),
      );
      out.push(...(role?.rules ?? []));
    }
    return out;
  }

  allows(a: Attributes): boolean {
    return this.rulesFor(a.user, a.namespace).some((r) => ruleAllows(r, a));
  }

  /** The same authorizer with one verb taken out of one rule: to show that every granted verb is needed. */
  without(kind: string, roleName: string, ruleIndex: number, verb: string): RbacAuthorizer {
    return new RbacAuthorizer(
      this.objects.map((o) =>
        o.kind === kind && o.metadata.name === roleName
          ? {
              ...o,
              rules: (o.rules ?? []).map((r, i) =>
                i === ruleIndex ? { ...r, verbs: r.verbs.filter((v) => v !== verb) } : r,
              ),
            }
          : o,
      ),
    );
  }

  /** Every (role, rule index, verb) granted: what `without` can take away. */
  grants(): { kind: string; role: string; rule: number; verb: string; text: string }[] {
    return this.objects
      .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
      .flatMap((o) =>
        (o.rules ?? []).flatMap((r, i) =>
          r.verbs.map((verb) => ({
            kind: o.kind,
            role: o.metadata.name,
            rule: i,
            verb,
            text: `${o.kind} ${o.metadata.name}: ${verb} ${(r.apiGroups ?? []).map((g) => g || 'core').join(',')}/${(r.resources ?? []).join(',')}${r.resourceNames ? ` [${r.resourceNames.join(',')}]` : ''}`,
          })),
        ),
      );
  }

  /** The message a real API server sends with a 403. */
  static forbiddenMessage(a: Attributes): string {
    const [resource, sub] = a.resource.split('/');
    const what = `${resource}${a.group ? `.${a.group}` : ''}${a.name ? ` "${a.name}"` : ''}`;
    const scope = a.namespace
      ? ` in the namespace "${a.namespace}"`
      : a.verb === 'list' || a.verb === 'watch'
        ? ' at the cluster scope'
        : '';
    return `${what} is forbidden: User "${a.user}" cannot ${a.verb} resource "${resource}"${sub ? ` (subresource "${sub}")` : ''} in API group "${a.group}"${scope}`;
  }
}
