// DefaultIngressClass, as upstream's admission plugin: an Ingress created with neither
// spec.ingressClassName nor the legacy class annotation gets the class marked default; two
// classes marked default refuse the create (upstream's internal error inside a Forbidden).
import type { KubeObject } from '../../../api/meta.js';
import { AnnotationIngressClass, isDefaultIngressClass, type Ingress, type IngressClass } from '../../../api/networking.js';
import { errors } from '../../../machinery/status.js';
import { everything } from '../../store/selectors.js';
import type { Store } from '../../store/store.js';

export function admitIngressClass(classes: () => Store) {
  return async (obj: KubeObject): Promise<void> => {
    const ing = obj as Ingress;
    const spec = (ing.spec ??= {});
    if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) return;
    if (ing.metadata.annotations?.[AnnotationIngressClass] !== undefined) return;
    const { items } = await classes().list(undefined, { matcher: everything });
    const defaults = items.map((i) => i.obj as IngressClass).filter(isDefaultIngressClass);
    if (defaults.length === 0) return;
    if (defaults.length > 1) {
      const why = `Internal error occurred: ${defaults.length} default IngressClasses were found, only 1 allowed`;
      throw errors.forbidden({ group: 'networking.k8s.io', resource: 'ingresses' }, ing.metadata.name ?? '', why);
    }
    spec.ingressClassName = defaults[0]!.metadata.name;
  };
}
