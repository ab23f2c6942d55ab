// The string formats a CRD schema may name, checked as kube-openapi's strfmt registry checks them
// (apiextensions restricts CRDs to this list; other formats are accepted and ignored).
import { isIPv4, isIPv6 } from 'node:net';
import { parseCIDRSloppy } from '../validation/ip.js';

const uuidRe = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const uuid3Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const uuid4Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const uuid5Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const hostnameRe = /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const emailRe = /^[^@\s]+@[^@\s]+$/;
const macRe = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/;
const dateRe = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTimeRe = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const durationRe = /^((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w))+$/;
const byteRe = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const hexColorRe = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const rgbColorRe = /^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$/;
const bsonRe = /^[0-9a-fA-F]{24}$/;

function validDate(s: string): boolean {
  const m = dateRe.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.getUTCDate() === Number(m[3]);
}

function validURI(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

const checks: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => bsonRe.test(s),
  uri: validURI,
  email: (s) => emailRe.test(s),
  hostname: (s) => s.length <= 255 && hostnameRe.test(s),
  ipv4: isIPv4,
  ipv6: isIPv6,
  cidr: (s) => parseCIDRSloppy(s) !== null,
  mac: (s) => macRe.test(s),
  uuid: (s) => uuidRe.test(s),
  uuid3: (s) => uuid3Re.test(s),
  uuid4: (s) => uuid4Re.test(s),
  uuid5: (s) => uuid5Re.test(s),
  hexcolor: (s) => hexColorRe.test(s),
  rgbcolor: (s) => rgbColorRe.test(s),
  byte: (s) => byteRe.test(s),
  password: () => true,
  date: validDate,
  duration: (s) => durationRe.test(s),
  datetime: (s) => dateTimeRe.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  'date-time': (s) => dateTimeRe.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
};

/** Whether `value` is valid for `format`; unknown formats accept everything, as upstream. */
export function checkFormat(format: string, value: string): boolean {
  const check = checks[format] ?? checks[format.replace(/-/g, '')];
  return check ? check(value) : true;
}
