// The reusable validators other components call, in one place. Each returns upstream's
// message strings (string checks) or FieldErrors with upstream's paths and wording.
export {
  isDNS1123Label,
  isDNS1123Subdomain,
  isDNS1035Label,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  isValidPercent,
  isEnvVarName,
  isHTTPHeaderName,
  nameIsDNSSubdomain,
  nameIsDNSLabel,
  nameIsDNS1035Label,
  type NameValidator,
} from './names.js';
export {
  parseIPSloppy,
  isIPv4String,
  isIPv6String,
  isValidIP,
  isValidIPv4Address,
  isValidIPv6Address,
  isValidCIDR,
  parseCIDRSloppy,
  validateNonSpecialIP,
  allowLoopbackAddresses,
} from './ip.js';
export { validateLabels, validateLabelName, validateAnnotations, validateLabelSelector, selectorMatches, isEmptySelector } from './labels.js';
export { validateObjectMeta, validateObjectMetaUpdate, validateImmutableField, validateNonnegativeField } from './objectmeta.js';
export { validatePortNumOrName } from './port.js';
export { fieldImmutableErrorMsg, isNegativeErrorMsg, inclusiveRangeError, maxLenError, regexError, emptyError } from './messages.js';
export { validateService, validateServiceCreate, validateServiceUpdate, validateServiceStatusUpdate } from './service.js';
export { normalizeClusterIPs, validateServiceClusterIPsRelatedFields } from './service-clusterips.js';
export { isHeadlessService, externallyAccessible, needsHealthCheck } from './service-helpers.js';
