// core/v1 configmaps (upstream's pkg/registry/core/configmap): plain data, no status.
import type { ConfigMap } from '../../../api/core.js';
import { validateConfigMap, validateConfigMapUpdate } from '../../../api/validation/configmap.js';
import { resourceInfo } from '../../resources.js';
import { configMapPrinter } from '../../tables/simple.js';
import { entry } from '../entry.js';
import { metaOnlyStatusUpdate, noDefaults } from '../strategy.js';

export const configmaps = entry<ConfigMap>({
  info: resourceInfo({ group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] }),
  strategy: {
    defaults: noDefaults,
    validateCreate: validateConfigMap,
    validateUpdate: validateConfigMapUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  printer: configMapPrinter,
});
