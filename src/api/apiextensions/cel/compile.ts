// Compiling a CRD's x-kubernetes-validations: each rule (and messageExpression) parsed and type
// checked once, with its estimated cost, so a CRD with a broken or too expensive rule is refused
// on create with upstream's words (apis/apiextensions/validation and schema/cel/compilation.go)
// and the programs are reused for every object.
import { fieldErr, type FieldError, type Path } from '../../../machinery/field.js';
import type { JSONSchemaProps, ValidationRule } from '../types.js';
import { CostEstimator, costErrorMessage, staticEstimatedCostLimit, staticSizeOf, type AstNode } from './cost.js';
import { celEnvironment, ruleEnvironment } from './env.js';
import { undefinedField } from './fields.js';
import { rewriteRule, unmangle } from './rewrite.js';
import { compileRegex } from '../regex.js';

export type Program = ((ctx: Record<string, unknown>) => unknown) & { ast: AstNode };

export interface CompiledRule {
  rule: ValidationRule;
  program?: Program;
  messageProgram?: Program;
  /** The rule reads oldSelf: a transition rule, run only on update unless optionalOldSelf. */
  transition: boolean;
  /** Estimated cost of one evaluation. */
  cost: number;
  errors: FieldError[];
}

const reasons = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

/**
 * cel-go prints issues as `ERROR: <input>:1:6: message`; the library's text carries a source
 * excerpt (`>    1 | rule` and a caret line) after its first line, from which the line and
 * 1-based column are taken; renamed functions read as the rule wrote them again.
 */
function compileMessage(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split('\n');
  const msg = unmangle(lines[0]!);
  const at = lines.findIndex((l) => /^>\s+\d+ \| /.test(l));
  const caret = at >= 0 ? lines[at + 1]?.indexOf('^') ?? -1 : -1;
  if (caret < 0) return `ERROR: <input>: ${msg}`;
  const prefix = /^>\s+\d+ \| /.exec(lines[at]!)![0].length;
  return `ERROR: <input>:${/\d+/.exec(lines[at]!)![0]}:${caret - prefix + 1}: ${msg}`;
}

function usesOldSelf(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  const n = node as AstNode;
  if (n.op === 'id' && n.args === 'oldSelf') return true;
  return Array.isArray(n.args) ? n.args.some(usesOldSelf) : typeof n.args === 'object' && usesOldSelf(n.args);
}

/**
 * cel-go compiles a constant pattern of find() and findAll() when the program is built (Kubernetes'
 * regex optimizations), so a bad one fails the CRD with `program instantiation failed: <Go's
 * parse error>` rather than every object at run time.
 */
function constantRegexError(node: unknown): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const n = node as AstNode;
  if (n.op === 'rcall') {
    const [name, , params] = n.args as [string, AstNode, AstNode[]];
    const pattern = params?.[0];
    if ((name === 'find' || name === 'findAll') && pattern?.op === 'value' && typeof pattern.args === 'string') {
      const re = compileRegex(pattern.args);
      if (re instanceof Error) return re.message;
    }
  }
  for (const c of Array.isArray(n.args) ? n.args : [n.args]) {
    const found = Array.isArray(c) ? c.map(constantRegexError).find(Boolean) : constantRegexError(c);
    if (found) return found;
  }
  return undefined;
}

/** Parses and type-checks; with `schema`, field references are checked against it too. */
function compileExpr(src: string, optionalOldSelf = false, schema?: JSONSchemaProps, isRoot = false): { program?: Program; error?: string; type?: string } {
  const env = schema ? ruleEnvironment(schema, optionalOldSelf, isRoot) : celEnvironment(optionalOldSelf);
  const text = rewriteRule(src);
  try {
    const program = env.parse(text) as unknown as Program;
    // Undefined fields first, with cel-go's words (the library's checker says `No such key`).
    const undefinedRef = schema ? undefinedField(program.ast, schema, text, isRoot) : undefined;
    if (undefinedRef) return { error: undefinedRef };
    const checked = env.check(text);
    if (!checked.valid) return { error: compileMessage(checked.error) };
    return { program, type: String(checked.type) };
  } catch (e) {
    return { error: compileMessage(e) };
  }
}

/** The per-rule field checks upstream makes before compiling (validation.go, x-kubernetes-validations). */
function ruleFieldErrors(rule: ValidationRule, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const r = typeof rule.rule === 'string' ? rule.rule.trim() : '';
  const msg = typeof rule.message === 'string' ? rule.message.trim() : '';
  if (!r) errs.push(fieldErr.required(p.child('rule'), 'rule is not specified'));
  else if (rule.message && !msg) errs.push(fieldErr.invalid(p.child('message'), rule.message, 'message must be non-empty if specified'));
  else if (/\n/.test(msg)) errs.push(fieldErr.invalid(p.child('message'), rule.message, 'message must not contain line breaks'));
  else if (/\n/.test(r) && !msg) errs.push(fieldErr.required(p.child('message'), 'message must be specified if rule contains line breaks'));
  for (const k of ['rule', 'message', 'messageExpression', 'fieldPath', 'reason'] as const) {
    if (rule[k] !== undefined && typeof rule[k] !== 'string') errs.push(fieldErr.invalid(p.child(k), rule[k], 'must be a string'));
  }
  if (rule.optionalOldSelf !== undefined && typeof rule.optionalOldSelf !== 'boolean') {
    errs.push(fieldErr.invalid(p.child('optionalOldSelf'), rule.optionalOldSelf, 'must be a boolean'));
  }
  if (errs.length) return errs;
  if (rule.messageExpression && !rule.messageExpression.trim()) {
    errs.push(fieldErr.required(p.child('messageExpression'), 'messageExpression must be non-empty if specified'));
  }
  if (rule.reason !== undefined && !reasons.includes(rule.reason)) errs.push(fieldErr.notSupported(p.child('reason'), rule.reason, reasons));
  if (rule.fieldPath) {
    if (!rule.fieldPath.trim()) errs.push(fieldErr.invalid(p.child('fieldPath'), rule.fieldPath, 'fieldPath must be non-empty if specified'));
    if (/\n/.test(rule.fieldPath)) errs.push(fieldErr.invalid(p.child('fieldPath'), rule.fieldPath, 'fieldPath must not contain line breaks'));
  }
  return errs;
}

/** Compiles one rule of the schema node `schema`, whose rules live at `p` (…x-kubernetes-validations[i]). */
export function compileRule(rule: ValidationRule, schema: JSONSchemaProps, p: Path, isRoot = false): CompiledRule {
  const out: CompiledRule = { rule, transition: false, cost: 0, errors: [] };
  if (rule === null || typeof rule !== 'object') {
    out.errors.push(fieldErr.required(p.child('rule'), 'rule is not specified'));
    return out;
  }
  out.errors.push(...ruleFieldErrors(rule, p));
  if (out.errors.length) return out;
  const c = compileExpr(rule.rule!, rule.optionalOldSelf === true, schema, isRoot);
  if (c.error) {
    out.errors.push(fieldErr.invalid(p.child('rule'), rule, `compilation failed: ${c.error}`));
    return out;
  }
  if (c.type !== 'bool' && c.type !== 'dyn') {
    out.errors.push(fieldErr.invalid(p.child('rule'), rule, 'cel expression must evaluate to a bool'));
    return out;
  }
  const badRegex = constantRegexError(c.program!.ast);
  if (badRegex) {
    out.errors.push(fieldErr.invalid(p.child('rule'), rule, `program instantiation failed: ${badRegex}`));
    return out;
  }
  out.program = c.program;
  out.transition = usesOldSelf(c.program!.ast);
  const scope = new Map<string, JSONSchemaProps | undefined>([
    ['self', schema],
    ['oldSelf', schema],
  ]);
  const estimator = new CostEstimator(staticSizeOf);
  out.cost = estimator.estimate(c.program!.ast, scope);
  if (out.cost > staticEstimatedCostLimit) {
    out.errors.push(fieldErr.forbidden(p.child('rule'), costErrorMessage('estimated rule cost', out.cost, staticEstimatedCostLimit)));
  }
  if (rule.messageExpression) {
    const m = compileExpr(rule.messageExpression, false, schema, isRoot);
    if (m.error) out.errors.push(fieldErr.invalid(p.child('messageExpression'), rule, `messageExpression compilation failed: ${m.error}`));
    else if (m.type !== 'string' && m.type !== 'dyn') out.errors.push(fieldErr.invalid(p.child('messageExpression'), rule, 'messageExpression must evaluate to a string'));
    else {
      out.messageProgram = m.program;
      const mc = estimator.estimate(m.program!.ast, scope);
      if (mc > staticEstimatedCostLimit) {
        out.errors.push(fieldErr.forbidden(p.child('messageExpression'), costErrorMessage('estimated messageExpression cost', mc, staticEstimatedCostLimit)));
      }
    }
  }
  if (!out.transition && rule.optionalOldSelf !== undefined) {
    out.errors.push(fieldErr.invalid(p.child('optionalOldSelf'), rule.optionalOldSelf, 'may not be set if oldSelf is not used in rule'));
  }
  return out;
}
