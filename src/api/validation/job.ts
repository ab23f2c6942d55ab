// ValidateJob / ValidateJobUpdate / ValidateJobStatusUpdate and ValidateJobTemplateSpec
// (pkg/apis/batch/validation), with upstream's field paths and messages.
import { fieldErr, omitValue, Path, type FieldError } from '../../machinery/field.js';
import { JobLabels, type Job, type JobSpec, type JobStatus, type PodFailurePolicyRule } from '../batch.js';
import type { PodTemplateSpec } from '../core.js';
import { isEmptySelector, selectorMatches, validateLabelSelector } from './labels.js';
import { isQualifiedName, nameIsDNSSubdomain } from './names.js';
import { validateImmutableField, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
import { validatePodTemplateSpec } from './podspec.js';

const maxParallelismForIndexedJob = 100_000;
const maxCompletionsForIndexedJob = 100_000;
const maxPodFailurePolicyRules = 20;
const maxOnExitCodesValues = 255;
const maxOnPodConditions = 20;

const actions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const exitCodeOperators = ['In', 'NotIn'];
const conditionStatuses = ['False', 'True', 'Unknown'];

/** Go's `%q` of a []string: `["a" "b"]`. */
const goQuotedList = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

function validateOnExitCodes(rule: NonNullable<PodFailurePolicyRule['onExitCodes']>, path: Path, containerNames: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (rule.containerName != null && !containerNames.has(rule.containerName)) {
    errs.push(fieldErr.invalid(path.child('containerName'), rule.containerName, 'must be one of the container or initContainer names in the pod template'));
  }
  const op = path.child('operator');
  if (!rule.operator) errs.push(fieldErr.required(op, `valid values: ${goQuotedList(exitCodeOperators)}`));
  else if (!exitCodeOperators.includes(rule.operator)) errs.push(fieldErr.notSupported(op, rule.operator, exitCodeOperators));
  const values = rule.values ?? [];
  const vp = path.child('values');
  if (values.length === 0) errs.push(fieldErr.required(vp, 'at least one value is required'));
  else if (values.length > maxOnExitCodesValues) errs.push(fieldErr.tooMany(vp, values.length, maxOnExitCodesValues));
  const seen = new Set<number>();
  let prev = -1;
  values.forEach((v, i) => {
    if (rule.operator === 'In' && v === 0) errs.push(fieldErr.invalid(vp.index(i), v, 'must not be 0 for the In operator'));
    if (seen.has(v)) errs.push(fieldErr.duplicate(vp.index(i), v));
    else seen.add(v);
    if (prev > v) errs.push(fieldErr.invalid(vp.index(i), v, 'must be ordered'));
    prev = v;
  });
  return errs;
}

function validatePodFailurePolicyRule(spec: JobSpec, rule: PodFailurePolicyRule, path: Path, containerNames: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const ap = path.child('action');
  if (!rule.action) errs.push(fieldErr.required(ap, `valid values: ${goQuotedList(actions)}`));
  else if (rule.action === 'FailIndex') {
    if (spec.backoffLimitPerIndex == null) errs.push(fieldErr.invalid(ap, rule.action, 'requires the backoffLimitPerIndex to be set'));
  } else if (!actions.includes(rule.action)) errs.push(fieldErr.notSupported(ap, rule.action, actions));
  if (rule.onExitCodes) errs.push(...validateOnExitCodes(rule.onExitCodes, path.child('onExitCodes'), containerNames));
  const conds = rule.onPodConditions ?? [];
  if (conds.length > maxOnPodConditions) errs.push(fieldErr.tooMany(path.child('onPodConditions'), conds.length, maxOnPodConditions));
  conds.forEach((c, j) => {
    const cp = path.child('onPodConditions').index(j);
    for (const m of isQualifiedName(c.type ?? '')) errs.push(fieldErr.invalid(cp.child('type'), c.type ?? '', m));
    if (!c.status) errs.push(fieldErr.required(cp.child('status'), `valid values: ${goQuotedList(conditionStatuses)}`));
    else if (!conditionStatuses.includes(c.status)) errs.push(fieldErr.notSupported(cp.child('status'), c.status, conditionStatuses));
  });
  if (rule.onExitCodes && conds.length > 0) errs.push(fieldErr.invalid(path, omitValue, 'specifying both OnExitCodes and OnPodConditions is not supported'));
  if (!rule.onExitCodes && conds.length === 0) errs.push(fieldErr.invalid(path, omitValue, 'specifying one of OnExitCodes and OnPodConditions is required'));
  return errs;
}

function containerNamesOf(t: PodTemplateSpec | undefined): Set<string> {
  return new Set([...(t?.spec?.containers ?? []), ...(t?.spec?.initContainers ?? [])].map((c) => c.name));
}

/** validateJobSpec: the rules a Job and a CronJob's job template share. */
function validateJobSpecFields(spec: JobSpec, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'] as const) {
    if (spec[k] != null) errs.push(...validateNonnegativeField(spec[k], path.child(k)));
  }
  const indexed = spec.completionMode === 'Indexed';
  if (spec.backoffLimitPerIndex != null) {
    errs.push(...validateNonnegativeField(spec.backoffLimitPerIndex, path.child('backoffLimitPerIndex')));
    if (!indexed) errs.push(fieldErr.forbidden(path.child('backoffLimitPerIndex'), 'requires indexed completion mode'));
  }
  if (spec.maxFailedIndexes != null) {
    errs.push(...validateNonnegativeField(spec.maxFailedIndexes, path.child('maxFailedIndexes')));
    if (spec.backoffLimitPerIndex == null) errs.push(fieldErr.required(path.child('backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
    if (!indexed) errs.push(fieldErr.forbidden(path.child('maxFailedIndexes'), 'requires indexed completion mode'));
  }
  if (spec.completionMode != null) {
    if (spec.completionMode !== 'NonIndexed' && spec.completionMode !== 'Indexed') {
      errs.push(fieldErr.notSupported(path.child('completionMode'), spec.completionMode, ['NonIndexed', 'Indexed']));
    }
    if (indexed) {
      if (spec.completions == null) errs.push(fieldErr.required(path.child('completions'), 'when completion mode is Indexed'));
      if (spec.parallelism != null && spec.parallelism > maxParallelismForIndexedJob) {
        errs.push(fieldErr.invalid(path.child('parallelism'), spec.parallelism, `must be less than or equal to ${maxParallelismForIndexedJob} when completion mode is Indexed`));
      }
      if (spec.completions != null && spec.completions > maxCompletionsForIndexedJob) {
        errs.push(fieldErr.invalid(path.child('completions'), spec.completions, `must be less than or equal to ${maxCompletionsForIndexedJob} when completion mode is Indexed`));
      }
      if (spec.completions != null && spec.maxFailedIndexes != null && spec.maxFailedIndexes > spec.completions) {
        errs.push(fieldErr.invalid(path.child('maxFailedIndexes'), spec.maxFailedIndexes, 'must be less than or equal to completions'));
      }
    }
  }
  if (spec.podFailurePolicy) {
    const rp = path.child('podFailurePolicy', 'rules');
    const rules = spec.podFailurePolicy.rules ?? [];
    if (rules.length > maxPodFailurePolicyRules) errs.push(fieldErr.tooMany(rp, rules.length, maxPodFailurePolicyRules));
    const names = containerNamesOf(spec.template);
    rules.forEach((r, i) => errs.push(...validatePodFailurePolicyRule(spec, r ?? ({} as PodFailurePolicyRule), rp.index(i), names)));
  }
  if (spec.podReplacementPolicy != null) {
    const allowed = spec.podFailurePolicy ? ['Failed'] : ['Failed', 'TerminatingOrFailed'];
    if (!allowed.includes(spec.podReplacementPolicy)) {
      errs.push(
        spec.podFailurePolicy && spec.podReplacementPolicy === 'TerminatingOrFailed'
          ? fieldErr.notSupported(path.child('podReplacementPolicy'), spec.podReplacementPolicy, ['Failed'])
          : fieldErr.notSupported(path.child('podReplacementPolicy'), spec.podReplacementPolicy, ['Failed', 'TerminatingOrFailed']),
      );
    }
  }
  errs.push(...validatePodTemplateSpec(spec.template, path.child('template')));
  // SetDefaults_PodSpec turns an unset restartPolicy into Always, so both mean "not chosen".
  const rp = spec.template?.spec?.restartPolicy ?? '';
  const rpPath = path.child('template', 'spec', 'restartPolicy');
  if (rp === 'Always' || rp === '') errs.push(fieldErr.required(rpPath, 'valid values: "OnFailure", "Never"'));
  else if (rp !== 'OnFailure' && rp !== 'Never') errs.push(fieldErr.notSupported(rpPath, rp, ['OnFailure', 'Never']));
  else if (spec.podFailurePolicy && rp !== 'Never') errs.push(fieldErr.invalid(rpPath, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

/** ValidateJobSpec: a Job's own spec needs a selector that matches its template. */
function validateJobSpec(spec: JobSpec, path: Path): FieldError[] {
  const errs = validateJobSpecFields(spec, path);
  if (!spec.selector) errs.push(fieldErr.required(path.child('selector'), ''));
  else {
    errs.push(...validateLabelSelector(spec.selector, path.child('selector')));
    if (!selectorMatches(spec.selector, spec.template?.metadata?.labels)) {
      errs.push(fieldErr.invalid(path.child('template', 'metadata', 'labels'), spec.template?.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
    }
  }
  return errs;
}

/** ValidateGeneratedSelector: unless manualSelector, the labels and selector are the ones the API server generated. */
function validateGeneratedSelector(job: Job): FieldError[] {
  if (job.spec.manualSelector) return [];
  const errs: FieldError[] = [];
  const labels = job.spec.template?.metadata?.labels ?? {};
  const lp = Path.root('spec', 'template', 'metadata', 'labels');
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  for (const key of [JobLabels.legacyControllerUid, JobLabels.controllerUid]) {
    if (labels[key] !== uid) errs.push(fieldErr.invalid(lp.key(key), labels[key] ?? '', `must be '${uid}'`));
  }
  for (const key of [JobLabels.legacyJobName, JobLabels.jobName]) {
    if (labels[key] !== name) errs.push(fieldErr.invalid(lp.key(key), labels[key] ?? '', `must be '${name}'`));
  }
  if (job.spec.selector && !selectorMatches(job.spec.selector, { [JobLabels.controllerUid]: uid })) {
    errs.push(fieldErr.invalid(Path.root('spec', 'selector'), job.spec.selector, '`selector` not auto-generated'));
  }
  return errs;
}

/**
 * generateSelector (the Job strategy): unless the user manages the selector, pods carry the job's
 * name and uid (new and legacy label keys) and the selector picks the uid, which only this Job has.
 */
export function generateJobSelector(job: Job): void {
  if (job.spec.manualSelector) return;
  const t = (job.spec.template ??= {} as PodTemplateSpec);
  const meta = (t.metadata ??= {});
  const labels = (meta.labels ??= {});
  const uid = job.metadata.uid ?? '';
  for (const key of [JobLabels.legacyJobName, JobLabels.jobName]) labels[key] ??= job.metadata.name ?? '';
  for (const key of [JobLabels.legacyControllerUid, JobLabels.controllerUid]) labels[key] ??= uid;
  const sel = (job.spec.selector ??= {});
  const ml = (sel.matchLabels ??= {});
  ml[JobLabels.controllerUid] ??= uid;
}

export function validateJob(job: Job): FieldError[] {
  const errs = validateObjectMeta(job.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
  errs.push(...validateGeneratedSelector(job));
  errs.push(...validateJobSpec(job.spec ?? ({} as JobSpec), Path.root('spec')));
  return errs;
}

export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata, Path.root('metadata'));
  const spec = job.spec ?? ({} as JobSpec);
  const prev = old.spec ?? ({} as JobSpec);
  const p = Path.root('spec');
  errs.push(...validateJobSpec(spec, p));
  errs.push(...validateImmutableField(spec.selector, prev.selector, p.child('selector')));
  errs.push(...validateImmutableField(spec.template, prev.template, p.child('template')));
  errs.push(...validateImmutableField(spec.completionMode, prev.completionMode, p.child('completionMode')));
  errs.push(...validateImmutableField(spec.podFailurePolicy, prev.podFailurePolicy, p.child('podFailurePolicy')));
  errs.push(...validateImmutableField(spec.backoffLimitPerIndex, prev.backoffLimitPerIndex, p.child('backoffLimitPerIndex')));
  errs.push(...validateImmutableField(spec.managedBy, prev.managedBy, p.child('managedBy')));
  errs.push(...validateImmutableField(spec.successPolicy, prev.successPolicy, p.child('successPolicy')));
  if (spec.completions !== prev.completions) {
    // Elastic Indexed Jobs: completions may move only together with parallelism.
    if (spec.completionMode !== 'Indexed') errs.push(...validateImmutableField(spec.completions, prev.completions, p.child('completions')));
    else if (spec.completions !== spec.parallelism) {
      errs.push(fieldErr.invalid(p.child('completions'), spec.completions ?? null, 'can only be modified in tandem with spec.parallelism'));
    }
  }
  return errs;
}

function validateJobStatus(s: JobStatus, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['active', 'succeeded', 'failed', 'ready', 'terminating'] as const) {
    if (s[k] != null) errs.push(...validateNonnegativeField(s[k], path.child(k)));
  }
  const u = s.uncountedTerminatedPods;
  if (u) {
    const seen = new Set<string>();
    for (const k of ['succeeded', 'failed'] as const) {
      (u[k] ?? []).forEach((uid, i) => {
        const up = path.child('uncountedTerminatedPods', k).index(i);
        if (uid === '') errs.push(fieldErr.invalid(up, uid, 'must not be empty'));
        else if (seen.has(uid)) errs.push(fieldErr.duplicate(up, uid));
        seen.add(uid);
      });
    }
  }
  return errs;
}

export function validateJobStatusUpdate(job: Job, old: Job): FieldError[] {
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateJobStatus(job.status ?? {}, Path.root('status')));
  return errs;
}

/** ValidateJobTemplateSpec (a CronJob's jobTemplate): no selector, which each Job generates itself. */
export function validateJobTemplateSpecFields(spec: JobSpec | undefined, path: Path): FieldError[] {
  const s = spec ?? ({} as JobSpec);
  const errs = validateJobSpecFields(s, path);
  if (s.manualSelector) errs.push(fieldErr.notSupported(path.child('manualSelector'), s.manualSelector, ['nil', 'false']));
  if (s.selector && !isEmptySelector(s.selector)) errs.push(...validateLabelSelector(s.selector, path.child('selector')));
  return errs;
}
