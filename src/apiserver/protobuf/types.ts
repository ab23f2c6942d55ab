// Shapes of the generated protobuf table (generated.ts) — the wire contract of upstream's types.

/** Protobuf scalar kinds as Go's generated code reads them, or 'message' for an embedded message. */
export type FieldType =
  | 'string'
  | 'bytes'
  | 'bool'
  | 'int32'
  | 'int64'
  | 'uint32'
  | 'uint64'
  | 'double'
  | 'float'
  | 'message';

/** Types whose Go code hand-writes both their JSON and their protobuf form. */
export type SpecialKind = 'time' | 'microtime' | 'duration' | 'intstr' | 'quantity' | 'rawjson';

export interface FieldDef {
  /** Go field name (for messages; JSON uses `json`). */
  go: string;
  /** JSON key; '' for inline-embedded structs and JSON-hidden fields. */
  json: string;
  num: number;
  /** Wire type of one element: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wire: 0 | 1 | 2 | 5;
  /** Element type; for a map, the value type (keys are always strings). */
  type: FieldType;
  msg?: string;
  rep?: true;
  map?: true;
  /** Go pointer: absent means nil, and a present zero value is kept. */
  ptr?: true;
  omitempty?: true;
  /** `json:",inline"`: a nested message on the wire, flattened into the parent in JSON. */
  inline?: true;
  /** `json:"-"`: travels in protobuf only. */
  hidden?: true;
}

export interface MessageDef {
  fields: FieldDef[];
  special?: SpecialKind;
  /** A named Go slice (metav1.Verbs): message {repeated items = 1} on the wire, a bare array in JSON. */
  wrap?: true;
}
