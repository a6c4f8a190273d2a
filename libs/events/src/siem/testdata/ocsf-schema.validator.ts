// A small offline OCSF validator for tests: reads the OCSF 1.8.0 definitions vendored beside it
// in ./ocsf (the subset authtrail emits, Apache-2.0, see its README) and checks a document against a class: required attributes,
// unknown attributes, data types (with the dictionary's regexes and ranges), enum values, the
// sibling captions of enums, `at_least_one` / `just_one` constraints, and
// `type_uid = class_uid * 100 + activity_id`. Profiles count only when `metadata.profiles` names them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Inside the repository, and nowhere else: tests never read outside it (a fresh clone must pass).
export const OCSF_SCHEMA_DIR = join(__dirname, 'ocsf');

type Json = Record<string, unknown>;
interface AttributeDef {
  readonly requirement?: string;
  readonly type?: string;
  readonly enum?: Record<string, { caption?: string }>;
  readonly profile?: string | null;
  readonly sibling?: string;
}
interface Definition {
  readonly attributes: Readonly<Record<string, AttributeDef>>;
  readonly constraints: readonly { kind: 'at_least_one' | 'just_one'; names: readonly string[] }[];
}
interface DictionaryEntry {
  readonly type: string;
  readonly is_array?: boolean;
  readonly enum?: Record<string, { caption?: string }>;
  readonly sibling?: string;
}
interface TypeDef {
  readonly type?: string;
  readonly regex?: string;
  readonly max_len?: number;
  readonly range?: readonly [number, number];
  readonly values?: readonly unknown[];
}

const cache = new Map<string, Json>();
function readJson(relative: string): Json {
  let json = cache.get(relative);
  if (!json) {
    json = JSON.parse(readFileSync(join(OCSF_SCHEMA_DIR, relative), 'utf8')) as Json;
    cache.set(relative, json);
  }
  return json;
}

const dictionary = (): { attributes: Record<string, DictionaryEntry>; types: Record<string, TypeDef> } => {
  const dict = readJson('dictionary.json') as { attributes: Record<string, DictionaryEntry>; types: { attributes: Record<string, TypeDef> } };
  return { attributes: dict.attributes, types: dict.types.attributes };
};

/** Attributes of one file with its `$include`d profiles, each tagged with its profile. */
function ownAttributes(json: Json): Record<string, AttributeDef> {
  const attributes = { ...(json['attributes'] as Record<string, unknown>) };
  const includes = (attributes['$include'] as string[] | undefined) ?? [];
  delete attributes['$include'];
  const merged: Record<string, AttributeDef> = {};
  for (const file of includes) {
    const profile = readJson(file);
    for (const [name, def] of Object.entries(ownAttributes(profile))) merged[name] = { profile: profile['name'] as string, ...def };
  }
  for (const [name, def] of Object.entries(attributes as Record<string, AttributeDef>)) merged[name] = { ...merged[name], ...def };
  return merged;
}

function constraintsOf(json: Json): Definition['constraints'] {
  const constraints = (json['constraints'] as Record<string, string[]> | undefined) ?? {};
  return [
    ...(constraints['at_least_one'] ? [{ kind: 'at_least_one' as const, names: constraints['at_least_one'] }] : []),
    ...(constraints['just_one'] ? [{ kind: 'just_one' as const, names: constraints['just_one'] }] : []),
  ];
}

/** A definition with its `extends` chain resolved: parent first, child attributes override per key. */
function resolveDefinition(json: Json, parentOf: (name: string) => Json | undefined): Definition {
  const parentName = json['extends'] as string | undefined;
  const parentJson = parentName ? parentOf(parentName) : undefined;
  const parent: Definition = parentJson ? resolveDefinition(parentJson, parentOf) : { attributes: {}, constraints: [] };
  const attributes: Record<string, AttributeDef> = { ...parent.attributes };
  for (const [name, def] of Object.entries(ownAttributes(json))) {
    const inherited = attributes[name];
    attributes[name] = { ...inherited, ...def, enum: inherited?.enum || def.enum ? { ...inherited?.enum, ...def.enum } : undefined };
  }
  const own = constraintsOf(json);
  return { attributes, constraints: own.length > 0 ? own : parent.constraints };
}

const EVENT_FILES: Readonly<Record<string, string>> = {
  base_event: 'events/base_event.json',
  iam: 'events/iam/iam.json',
  authentication: 'events/iam/authentication.json',
};

function eventDefinition(name: string): Definition {
  return resolveDefinition(readJson(EVENT_FILES[name] as string), (parent) => (EVENT_FILES[parent] ? readJson(EVENT_FILES[parent] as string) : undefined));
}

function objectDefinition(name: string): Definition | undefined {
  const parentOf = (parent: string): Json | undefined => (parent === 'object' ? undefined : readJson(`objects/${parent}.json`));
  try {
    return resolveDefinition(readJson(`objects/${name}.json`), parentOf);
  } catch {
    return undefined;
  }
}

export interface OcsfValidation {
  readonly errors: readonly string[];
}

/** Validates `document` as an event of class `className` (`authentication` or `base_event`). */
export function validateOcsf(document: unknown, className: keyof typeof EVENT_FILES): OcsfValidation {
  const errors: string[] = [];
  if (!isObject(document)) return { errors: ['document is not an object'] };
  const profiles = ((document['metadata'] as Json | undefined)?.['profiles'] as string[] | undefined) ?? [];
  validateObject(document, eventDefinition(className), '', profiles, errors, true);
  const classJson = readJson(EVENT_FILES[className] as string);
  const category = classJson['category'] ?? (className === 'authentication' ? 'iam' : undefined);
  const categoryUid = category ? ((readJson('categories.json')['attributes'] as Record<string, { uid: number }>)[category as string]?.uid ?? 0) : 0;
  const classUid = className === 'base_event' ? 0 : categoryUid * 1000 + (classJson['uid'] as number);
  if (document['class_uid'] !== classUid) errors.push(`class_uid: expected ${classUid}, got ${String(document['class_uid'])}`);
  if (document['category_uid'] !== categoryUid) errors.push(`category_uid: expected ${categoryUid}, got ${String(document['category_uid'])}`);
  const expectedType = (document['class_uid'] as number) * 100 + (document['activity_id'] as number);
  if (document['type_uid'] !== expectedType) errors.push(`type_uid: expected ${expectedType} (class_uid * 100 + activity_id), got ${String(document['type_uid'])}`);
  return { errors };
}

// class_uid and category_uid of a concrete class come from categories.json, not from base_event's enum.
const CLASS_KEYS = new Set(['class_uid', 'category_uid']);

function validateObject(value: Json, definition: Definition, path: string, profiles: readonly string[], errors: string[], isEvent: boolean): void {
  const dict = dictionary();
  const applies = (def: AttributeDef): boolean => !def.profile || profiles.includes(def.profile);
  for (const [name, def] of Object.entries(definition.attributes)) {
    if (def.requirement === 'required' && applies(def) && value[name] === undefined) errors.push(`${path}${name}: required attribute missing`);
  }
  for (const constraint of definition.constraints) {
    const present = constraint.names.filter((n) => value[n] !== undefined).length;
    if (constraint.kind === 'at_least_one' && present < 1) errors.push(`${path || '(event)'}: needs at least one of ${constraint.names.join(', ')}`);
    if (constraint.kind === 'just_one' && present !== 1) errors.push(`${path || '(event)'}: needs exactly one of ${constraint.names.join(', ')}`);
  }
  for (const [name, item] of Object.entries(value)) {
    const def = definition.attributes[name];
    const entry = dict.attributes[name];
    const at = `${path}${name}`;
    if (!def || !applies(def) || !entry) {
      errors.push(`${at}: not an attribute of this ${isEvent ? 'class' : 'object'}`);
      continue;
    }
    const type = def.type ?? entry.type;
    const enumeration = isEvent && CLASS_KEYS.has(name) ? undefined : entry.enum || def.enum ? { ...entry.enum, ...def.enum } : undefined;
    if (entry.is_array) {
      if (!Array.isArray(item)) errors.push(`${at}: expected an array of ${type}`);
      else item.forEach((element, i) => validateValue(element, type, enumeration, `${at}[${i}]`, profiles, errors));
    } else {
      validateValue(item, type, enumeration, at, profiles, errors);
    }
    // Sibling convention: `status` is the caption of `status_id` unless the id is 99 "Other".
    const sibling = def.sibling ?? entry.sibling;
    if (sibling && enumeration && typeof item === 'number' && item !== 99 && value[sibling] !== undefined) {
      const caption = enumeration[String(item)]?.caption;
      if (caption !== undefined && value[sibling] !== caption) errors.push(`${path}${sibling}: expected caption "${caption}" of ${name}=${item}, got "${String(value[sibling])}"`);
    }
  }
}

function validateValue(item: unknown, type: string, enumeration: AttributeDef['enum'], at: string, profiles: readonly string[], errors: string[]): void {
  const types = dictionary().types;
  if (enumeration && !Object.prototype.hasOwnProperty.call(enumeration, String(item))) {
    errors.push(`${at}: ${JSON.stringify(item)} is not one of the enum values ${Object.keys(enumeration).join(', ')}`);
  }
  if (type === 'object' || type === 'json_t') {
    if (type === 'object' && !isObject(item)) errors.push(`${at}: expected an object`);
    return;
  }
  const typeDef = types[type];
  if (typeDef) {
    checkPrimitive(item, type, typeDef, at, errors);
    return;
  }
  const object = objectDefinition(type);
  if (!object) {
    errors.push(`${at}: unknown type ${type} (not in this OCSF subset)`);
    return;
  }
  if (!isObject(item)) errors.push(`${at}: expected a ${type} object`);
  else validateObject(item, object, `${at}.`, profiles, errors, false);
}

function checkPrimitive(item: unknown, type: string, def: TypeDef, at: string, errors: string[]): void {
  const base = def.type ?? type;
  const ok =
    base === 'string_t' ? typeof item === 'string'
    : base === 'integer_t' || base === 'long_t' ? Number.isInteger(item)
    : base === 'float_t' ? typeof item === 'number'
    : base === 'boolean_t' ? typeof item === 'boolean'
    : base === 'timestamp_t' ? Number.isInteger(item)
    : true;
  if (!ok) {
    errors.push(`${at}: ${JSON.stringify(item)} is not a ${type}`);
    return;
  }
  if (def.type) checkPrimitive(item, def.type, dictionary().types[def.type] ?? {}, at, errors);
  if (def.regex && typeof item === 'string' && !new RegExp(def.regex).test(item)) errors.push(`${at}: "${item}" does not match the ${type} pattern`);
  if (def.max_len !== undefined && typeof item === 'string' && item.length > def.max_len) errors.push(`${at}: longer than ${def.max_len}`);
  if (def.range && typeof item === 'number' && (item < def.range[0] || item > def.range[1])) errors.push(`${at}: outside ${def.range.join('..')}`);
  if (def.values && !def.values.includes(item)) errors.push(`${at}: not one of ${def.values.join(', ')}`);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
