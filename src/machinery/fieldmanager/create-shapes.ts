// What a create's managedFields hold depends only on the object's shape: which fields and map
// keys it sets, and its lists (whose items' keys and values name fields), never on its other
// scalar values. Working it out (a typed walk, a comparison with nothing, the FieldsV1
// encoding) was the larger part of a create's CPU; objects of one shape — the Services of one
// manifest, IPAddresses, Events, Leases — now share the answer. Lists are taken whole, so a shape
// with lists of its own (a Pod's containers) rarely repeats and simply misses.

/**
 * The shape of a JSON value: object keys in order with their values' shapes, scalars by type,
 * arrays whole. Keys go in with their length in front instead of quoted: as unambiguous, and no
 * JSON.stringify per key.
 */
export function shapeOf(v: unknown): string {
  if (v === null) return 'N';
  switch (typeof v) {
    case 'string':
      return 's';
    case 'number':
      return 'n';
    case 'boolean':
      return 'b';
    case 'object': {
      if (Array.isArray(v)) return `[${JSON.stringify(v)}]`;
      let out = '{';
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (x === undefined) continue;
        out += `${k.length}:${k}${shapeOf(x)},`;
      }
      return `${out}}`;
    }
    default:
      return '?';
  }
}

/** Bounded: past this many shapes the table starts over, so odd objects cannot grow it without end. */
const MAX_SHAPES = 1024;
/**
 * Shapes longer than this are not kept: they carry big lists (a Pod's containers with their
 * environment), rarely repeat, and would make the table megabytes; at most ~4 MiB is kept.
 */
const MAX_SHAPE_LENGTH = 4096;

/** A create's FieldsV1 by kind and shape, as JSON ('' when the create owns nothing). */
export class CreateShapes {
  private readonly fields = new Map<string, string>();

  get(key: string): string | undefined {
    return this.fields.get(key);
  }

  set(key: string, fieldsV1: string): void {
    if (key.length > MAX_SHAPE_LENGTH) return;
    if (this.fields.size >= MAX_SHAPES) this.fields.clear();
    this.fields.set(key, fieldsV1);
  }
}
