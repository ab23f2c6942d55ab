// core/v1 events: written (and aggregated) by every component's event recorder.
import type { Event } from '../../../api/core.js';
import { validateEvent } from '../../../api/validation/event.js';
import { pathSegmentNameProblems } from '../../../api/validation/names.js';
import { validateObjectMeta } from '../../../api/validation/objectmeta.js';
import { Path } from '../../../machinery/field.js';
import { fields, resourceInfo } from '../../resources.js';
import { eventPrinter } from '../../tables/event.js';
import { entry } from '../entry.js';
import { metaOnlyStatusUpdate, noDefaults } from '../strategy.js';

export const events = entry<Event>({
  info: resourceInfo({
    group: '',
    version: 'v1',
    resource: 'events',
    kind: 'Event',
    shortNames: ['ev'],
    fieldSelectors: fields(
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ),
    createOnUpdate: true,
  }),
  strategy: {
    defaults: noDefaults,
    // Upstream's generic registry checks every object's metadata after the kind's own rules
    // (ValidateObjectMetaAccessor with IsValidPathSegmentName): core/v1 Events get nothing
    // stricter, but a name like "a/b" or ".." would be a path no client could address.
    validateCreate: (ev) => [...validateEvent(ev), ...validateObjectMeta(ev.metadata, true, (n) => pathSegmentNameProblems(n), Path.root('metadata'), false)],
    // core/v1 Events are re-checked with the same legacy rules on update.
    validateUpdate: (ev) => validateEvent(ev),
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  printer: eventPrinter,
});
