// Status errors: the one error type every component throws, mapped to the Kubernetes `Status`
// object (reason, code, details.causes) that kubectl and client libraries parse.
import { aggregate, errorBody, type FieldError } from './field.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message: string;
  reason: StatusReason | '';
  details?: StatusDetails;
  code: number;
}

/** A qualified resource, e.g. {group: '', resource: 'services'} or {group: 'apps', resource: 'deployments'}. */
export interface GroupResource {
  group: string;
  resource: string;
}

function grString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason | '',
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }

  static fromStatus(s: Status): StatusError {
    return new StatusError(s.code, s.reason, s.message, s.details);
  }
}

export const errors = {
  notFound: (gr: GroupResource, name: string) =>
    new StatusError(404, 'NotFound', `${grString(gr)} "${name}" not found`, {
      name,
      group: gr.group,
      kind: gr.resource,
    }),
  alreadyExists: (gr: GroupResource, name: string) =>
    new StatusError(409, 'AlreadyExists', `${grString(gr)} "${name}" already exists`, {
      name,
      group: gr.group,
      kind: gr.resource,
    }),
  conflict: (gr: GroupResource, name: string, why: string) =>
    new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${grString(gr)} "${name}": ${why}`, {
      name,
      group: gr.group,
      kind: gr.resource,
    }),
  /** The optimistic-concurrency failure, in upstream's words. */
  modified: (gr: GroupResource, name: string) =>
    errors.conflict(
      gr,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    ),
  /** 422 with one cause per field error; `kind` is the object's Kind (e.g. "Service"). */
  invalid: (group: string, kind: string, name: string, errs: readonly FieldError[]) =>
    new StatusError(422, 'Invalid', `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${aggregate(errs)}`, {
      name,
      group,
      kind,
      causes: errs.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field })),
    }),
  badRequest: (msg: string) => new StatusError(400, 'BadRequest', msg),
  unauthorized: (msg = 'Unauthorized') => new StatusError(401, 'Unauthorized', msg),
  /** NewForbidden: no resource (a non-resource path) reads `forbidden: ...`, no name `<resource> is forbidden: ...`. */
  forbidden: (gr: GroupResource, name: string, why: string) => {
    const what = !gr.resource && !gr.group ? '' : name ? `${grString(gr)} "${name}" is ` : `${grString(gr)} is `;
    const details: StatusDetails = {};
    if (name) details.name = name;
    if (gr.group) details.group = gr.group;
    if (gr.resource) details.kind = gr.resource;
    return new StatusError(403, 'Forbidden', `${what}forbidden: ${why}`, details);
  },
  methodNotSupported: (gr: GroupResource, verb: string) =>
    new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${grString(gr)}"`, {
      group: gr.group,
      kind: gr.resource,
    }),
  gone: (msg: string) => new StatusError(410, 'Gone', msg),
  /** What a list or watch below the compaction point gets. */
  resourceExpired: (msg: string) => new StatusError(410, 'Expired', msg),
  tooLarge: (limit: number) =>
    new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`),
  unsupportedMediaType: (ct: string) =>
    new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format (${ct}) - accepted media types include: application/json, application/yaml`,
    ),
  notAcceptable: (msg: string) => new StatusError(406, 'NotAcceptable', msg),
  internal: (msg: string) =>
    new StatusError(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] }),
  unavailable: (msg: string) => new StatusError(503, 'ServiceUnavailable', msg),
};

export function isStatusError(e: unknown): e is StatusError {
  return e instanceof StatusError;
}

export function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}

export function isConflict(e: unknown): boolean {
  return e instanceof StatusError && e.code === 409;
}
