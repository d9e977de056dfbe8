/**
 * Who is calling, and may they: the local stack's IAM. Each function signs its AWS calls with its own
 * local access key id (set only locally), which maps to its role in the packaged template; every call
 * is evaluated with @cloud-copilot/iam-simulate against that role's statements and the target's
 * resource policy (SNS topic policies), as AWS would. Shared by every emulator's gateway.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument, TemplateFunction } from './template';

/** Tests seeding data, the developer's `aws lambda invoke`: allowed whatever an account admin may. */
export const LOCAL_ADMIN_ACCESS_KEY_ID = 'local-admin';
export const LOCAL_SECRET_ACCESS_KEY = 'local-secret-not-checked';

/** The access key id a function signs with on the local stack (Lambda would hand it role credentials). */
export function functionAccessKeyId(functionKey: string): string {
  return `local-fn-${functionKey}`;
}

export interface Identity {
  /** What AWS error messages call the caller: an assumed-role session ARN, or the admin user. */
  arn: string;
  /** aws:PrincipalArn: the role (or user) ARN behind the session. */
  principalArn: string;
  policies: { name: string; policy: PolicyDocument }[];
  label: string;
}

export type Decision =
  | { allowed: true }
  | { allowed: false; explicit: boolean; message: string; identity: Identity };

export interface AuthorizerOptions {
  region: string;
  accountId: string;
  functions: TemplateFunction[];
  /** Roles a service assumes, e.g. End User Messaging's publisher role for inbound texts. */
  serviceRoles: { service: string; roleArn: string; policies: { name: string; policy: PolicyDocument }[] }[];
  /** resource ARN -> resource policy (SNS topic policies). */
  resourcePolicies: Map<string, PolicyDocument>;
  /** Told of every decision, e.g. to log what each function called. */
  onDecision?: (call: { caller: string; action: string; resource: string; allowed: boolean }) => void;
}

const ADMIN_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

export class Authorizer {
  private readonly byKey = new Map<string, Identity>();
  private readonly byService = new Map<string, Identity>();

  constructor(private readonly opts: AuthorizerOptions) {
    for (const fn of opts.functions) {
      const roleName = fn.roleArn.split('/').pop() as string;
      this.byKey.set(functionAccessKeyId(fn.key), {
        arn: `arn:aws:sts::${opts.accountId}:assumed-role/${roleName}/${fn.name}`,
        principalArn: fn.roleArn,
        policies: fn.policies,
        label: fn.key,
      });
    }
    this.byKey.set(LOCAL_ADMIN_ACCESS_KEY_ID, {
      arn: `arn:aws:iam::${opts.accountId}:user/local-admin`,
      principalArn: `arn:aws:iam::${opts.accountId}:user/local-admin`,
      policies: [{ name: 'local-admin', policy: ADMIN_POLICY }],
      label: 'local-admin',
    });
    for (const role of opts.serviceRoles) {
      const roleName = role.roleArn.split('/').pop() as string;
      this.byService.set(role.service, {
        arn: `arn:aws:sts::${opts.accountId}:assumed-role/${roleName}/${role.service}`,
        principalArn: role.roleArn,
        policies: role.policies,
        label: role.service,
      });
    }
  }

  /** The caller behind an access key id, or undefined for a key AWS would not recognise. */
  identityForKey(accessKeyId: string): Identity | undefined {
    return this.byKey.get(accessKeyId);
  }

  /** A service acting through the role the template gives it (End User Messaging's ChannelRole). */
  serviceIdentity(service: string): Identity {
    const identity = this.byService.get(service);
    if (!identity) throw new Error(`the template gives ${service} no role`);
    return identity;
  }

  async authorize(identity: Identity, action: string, resource: string): Promise<Decision> {
    const resourcePolicy = this.opts.resourcePolicies.get(resource);
    const result = await runSimulation(
      {
        request: {
          principal: identity.arn,
          action,
          resource: { resource, accountId: this.opts.accountId },
          contextVariables: {
            'aws:PrincipalArn': identity.principalArn,
            'aws:PrincipalAccount': this.opts.accountId,
            'aws:SourceAccount': this.opts.accountId,
            'aws:RequestedRegion': this.opts.region,
          },
        },
        identityPolicies: identity.policies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(resourcePolicy ? { resourcePolicy } : {}),
      },
      {},
    );
    if (result.resultType === 'error') {
      throw new Error(`IAM simulation of ${action} on ${resource} failed: ${JSON.stringify(result.errors)}`);
    }
    const outcome = result.overallResult;
    const allowed = outcome === 'Allowed';
    this.opts.onDecision?.({ caller: identity.label, action, resource, allowed });
    if (allowed) return { allowed: true };
    const explicit = outcome === 'ExplicitlyDenied';
    // AWS's wording; SNS spells its service prefix in capitals in these messages.
    const shown = action.startsWith('sns:') ? `SNS:${action.slice(4)}` : action;
    const why = explicit
      ? resourcePolicy && !this.deniedByIdentity(identity)
        ? 'with an explicit deny in a resource-based policy'
        : 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${shown} action`;
    return {
      allowed: false,
      explicit,
      identity,
      message: `User: ${identity.arn} is not authorized to perform: ${shown} on resource: ${resource} ${why}`,
    };
  }

  private deniedByIdentity(identity: Identity): boolean {
    return identity.policies.some((p) => p.policy.Statement.some((s) => s.Effect === 'Deny'));
  }
}

/** The access key id in a SigV4 Authorization header (`Credential=AKID/date/region/service/aws4_request`). */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}
