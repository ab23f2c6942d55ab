// Compiling a CRD's x-kubernetes-validations: each rule (and messageExpression) parsed and type
// checked once, with its estimated cost, so a CRD with a broken or too expensive rule is refused
// on create with upstream's words and the programs are reused for every object.
import { fieldErr, type FieldError, type Path } from '../../../machinery/field.js';
import type { JSONSchemaProps, ValidationRule } from '../types.js';
import { CostEstimator, exceedFactor, staticEstimatedCostLimit, staticSizeOf, type AstNode } from './cost.js';
import { celEnvironment } from './env.js';
import { rewriteHas } from './has.js';

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

/** cel-go prints `ERROR: <input>:1:6: message`; the library's text carries a source excerpt after its first line. */
function compileMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return `ERROR: <input>: ${text.split('\n')[0]}`;
}

function usesOldSelf(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  const n = node as AstNode;
  if (n.op === 'id' && n.args === 'oldSelf') return true;
  return Array.isArray(n.args) ? n.args.some(usesOldSelf) : typeof n.args === 'object' && usesOldSelf(n.args);
}

function compileExpr(src: string): { program?: Program; error?: string; type?: string } {
  const env = celEnvironment();
  const text = rewriteHas(src);
  try {
    const program = env.parse(text) as unknown as Program;
    const checked = env.check(text);
    if (!checked.valid) return { error: compileMessage(checked.error) };
    return { program, type: String(checked.type) };
  } catch (e) {
    return { error: compileMessage(e) };
  }
}

/** Compiles one rule of the schema node `schema`, whose rules live at `p` (…x-kubernetes-validations[i]). */
export function compileRule(rule: ValidationRule, schema: JSONSchemaProps, p: Path): CompiledRule {
  const out: CompiledRule = { rule, transition: false, cost: 0, errors: [] };
  if (typeof rule?.rule !== 'string' || rule.rule.trim() === '') {
    out.errors.push(fieldErr.required(p.child('rule'), ''));
    return out;
  }
  const c = compileExpr(rule.rule);
  if (c.error) {
    out.errors.push(fieldErr.invalid(p.child('rule'), rule, `compilation failed: ${c.error}`));
    return out;
  }
  if (c.type !== 'bool' && c.type !== 'dyn') {
    out.errors.push(fieldErr.invalid(p.child('rule'), rule, `compilation failed: cel expression must evaluate to a bool`));
    return out;
  }
  out.program = c.program;
  out.transition = usesOldSelf(c.program!.ast);
  if (rule.optionalOldSelf && !out.transition) {
    out.errors.push(fieldErr.invalid(p.child('optionalOldSelf'), true, 'may not be set if oldSelf is not used in rule'));
  }
  const scope = new Map<string, JSONSchemaProps | undefined>([
    ['self', schema],
    ['oldSelf', schema],
  ]);
  out.cost = new CostEstimator(staticSizeOf).estimate(c.program!.ast, scope);
  if (out.cost > staticEstimatedCostLimit) {
    out.errors.push(
      fieldErr.forbidden(
        p.child('rule'),
        `estimated rule cost exceeds budget by factor of ${exceedFactor(out.cost, staticEstimatedCostLimit)} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`,
      ),
    );
  }
  if (rule.messageExpression !== undefined) {
    if (rule.messageExpression.trim() === '') {
      out.errors.push(fieldErr.required(p.child('messageExpression'), 'messageExpression must be non-empty if specified'));
    } else {
      const m = compileExpr(rule.messageExpression);
      if (m.error) out.errors.push(fieldErr.invalid(p.child('messageExpression'), rule, `messageExpression compilation failed: ${m.error}`));
      else if (m.type !== 'string' && m.type !== 'dyn') {
        out.errors.push(fieldErr.invalid(p.child('messageExpression'), rule, 'must evaluate to a string'));
      } else out.messageProgram = m.program;
    }
  }
  if (rule.message !== undefined && rule.message.trim() === '' && rule.messageExpression === undefined) {
    out.errors.push(fieldErr.required(p.child('message'), 'message must be non-empty if specified'));
  }
  if (rule.message !== undefined && /[\r\n]/.test(rule.message)) {
    out.errors.push(fieldErr.invalid(p.child('message'), rule.message, 'message must not contain line breaks'));
  }
  const reasons = ['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'];
  if (rule.reason !== undefined && !reasons.includes(rule.reason)) {
    out.errors.push(fieldErr.notSupported(p.child('reason'), rule.reason, reasons));
  }
  return out;
}
