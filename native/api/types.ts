// Plain data types that cross the core ↔ UI boundary. Type-only: the renderer may import this file
// with `import type`, and nothing here may pull runtime code into the UI bundle.
import type { FieldProblem } from '../util/describe.js';

/** OPC UA-style quality, reduced to what an operator must distinguish. */
export type QualityName = 'Good' | 'Uncertain' | 'Bad';
/** Compact quality code used on the hot path and in columnar batches: 0 Good, 1 Uncertain, 2 Bad. */
export type QualityCode = 0 | 1 | 2;

export type TagDataType = 'float' | 'int' | 'bool' | 'string';
export type TagValue = number | boolean | string | null;
export type MachineKind = 'pump' | 'compressor' | 'boiler' | 'generic';

export interface TagInfo {
  /** Stable index of the tag in this core's tag table; the key of columnar batches. */
  id: number;
  /** Path-like name: Site/Area/Machine/Tag. */
  name: string;
  site: string;
  area: string;
  machine: string;
  unit: string;
  description: string;
  dataType: TagDataType;
  connection: string;
  address: string;
  /** Normal operating range, used by analog indicators. */
  rangeLo: number | null;
  rangeHi: number | null;
  /**
   * Decimals every screen shows the tag's values with: the site file's `decimals`, else a default from
   * the type, range and unit (native/tags/decimals.ts). Absent for boolean and text tags.
   */
  decimals?: number;
  writable: boolean;
  writeMin: number | null;
  writeMax: number | null;
  /**
   * Expected update period; a value older than ~3 periods turns Uncertain (stale). 0: the source is
   * event-driven (MQTT without expectedPeriodMs) and its value is never stale by time alone.
   */
  expectedPeriodMs: number;
  /**
   * Named states, in value order: a boolean tag always has two (false first; "OFF" / "ON" unless the
   * site file names them, e.g. Stop / Start); an integer tag with `states` is an enumeration and takes
   * only these values. Absent for plain numbers and text.
   */
  states?: TagState[];
  /** The analog alarm limits (hihi, hi, lo, lolo) the site's alarm definitions set on this tag, drawn on trends. Absent when none. */
  alarmLimits?: AlarmLimit[];
}

/** One analog alarm limit on a tag, from the site file's alarm definitions. */
export interface AlarmLimit {
  type: 'hihi' | 'hi' | 'lo' | 'lolo';
  limit: number;
  priority: 'Critical' | 'High' | 'Medium' | 'Low';
}

/** One named value of a boolean or enumerated tag. */
export interface TagState {
  value: number | boolean;
  label: string;
}

export interface MachineInfo {
  name: string;
  site: string;
  area: string;
  kind: MachineKind;
  description: string;
  /** Tag names by role (e.g. running, power, vibration), so screens need no naming convention. */
  roles: Record<string, string>;
  /** The tags the overview's machine card shows (site file `keyTags`; the machine's first five when absent), full names. */
  keyTags: string[];
}

/** One tag's current value as served to clients. */
export interface TagSnapshot {
  id: number;
  name: string;
  value: TagValue;
  quality: QualityName;
  qualityReason: string;
  /** Source timestamp, ISO 8601. */
  timestamp: string;
  unit: string;
}

/**
 * Many samples of many tags, column by column: parallel arrays of equal length.
 * Never one message per sample: the core coalesces updates and sends one batch per interval.
 */
export interface ValueBatch {
  ids: number[];
  /** Source timestamps, ms since epoch. */
  ts: number[];
  /** Numeric value (booleans as 0/1); null where the value is not numeric or missing. */
  v: (number | null)[];
  q: QualityCode[];
}

export type ConnectionProtocol = 'opcua' | 'modbus' | 'mqtt' | 'ingest';
export type ConnectionState = 'connected' | 'connecting' | 'disconnected' | 'error';

export interface ConnectionDiagnostics {
  name: string;
  protocol: ConnectionProtocol;
  endpoint: string;
  state: ConnectionState;
  lastError: string | null;
  lastErrorAt: string | null;
  reconnects: number;
  tagCount: number;
  /** Requests per second (Modbus) or notifications per second (OPC UA, MQTT), over the last interval. */
  rate: number;
  /** Round-trip latency of the last request, ms (null where the protocol has none). */
  latencyMs: number | null;
  errors: Record<string, number>;
}

/** One node of an OPC UA server's address space, for the tag picker. */
export interface BrowseNode {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: 'Object' | 'Variable' | 'Method' | 'ObjectType' | 'VariableType' | 'ReferenceType' | 'DataType' | 'View' | 'Unspecified';
  /** Built-in data type of a variable (Double, Boolean…), null otherwise. */
  dataType: string | null;
  /** A variable's current-value access for the console's session (AccessLevel ∧ UserAccessLevel); null otherwise. */
  accessLevel: { readable: boolean; writable: boolean } | null;
}

export interface CoreInfo {
  name: string;
  version: string;
  site: string;
  startedAt: string;
  shell: 'desktop' | 'serve' | 'test';
  demoPlant: boolean;
  /** The site's IANA time zone: every screen shows times in it. */
  timeZone: string;
  /** How every screen writes a date (site file `site.dateFormat`), always with a 24-hour time. */
  dateFormat: DateFormat;
}

/** iso 2026-12-01, dmy 01/12/2026, mdy 12/01/2026 (each followed by a 24-hour time). */
export type DateFormat = 'iso' | 'dmy' | 'mdy';

export interface WriteResult {
  tag: string;
  requested: number | boolean;
  /** The value read back from the device after the write. */
  readBack: TagValue;
  ok: boolean;
  error: string | null;
}

/** A file a request produces (CSV, HTML report…): sent to the caller as a download. */
export interface ExportFile {
  filename: string;
  contentType: string;
  body: string;
}

export interface ApiError {
  /** Machine-readable kind: validation, not_found, forbidden, unauthenticated, conflict, internal, unavailable. */
  type: string;
  /** A sentence for people (lower-case start, no full stop); for a failed argument check, the fields' sentences joined by "; ". */
  message: string;
  /**
   * A failed argument check (type validation): each problem, by the field it names; also a refusal
   * about one argument the check cannot see (config.updateTag's `scope` for a template's tag). Absent otherwise.
   */
  fields?: FieldProblem[];
}

/** One field of a request's arguments that the core's check refused (declared once, beside the sentences that fill it). */
export type { FieldProblem };

export type ApiResult<T> = { data: T; error?: undefined } | { data?: undefined; error: ApiError };
