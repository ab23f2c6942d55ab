// Label selectors, as apimachinery's labels package and metav1.LabelSelectorAsSelector.
export { LabelSelector, parseLabelSelector, selectorFromSet, labelSetString } from './selector.js';
export { labelSelectorAsSelector } from './from-meta.js';
export {
  newRequirement,
  requirementMatches,
  requirementString,
  RequirementError,
  type Requirement,
  type Operator,
  type Labels,
} from './requirement.js';
export { isQualifiedName, isValidLabelValue } from './validate.js';
