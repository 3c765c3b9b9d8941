// MQTT topic filters (+ one level, # the rest) and the index that routes a topic to the tags
// subscribed through matching filters. Exact filters are a map lookup; only wildcard filters are
// tested one by one, and a site rarely has more than a handful of those.

/** Why a topic filter is not valid MQTT, as a sentence, or null when it is. */
export function topicFilterProblem(filter: string): string | null {
  if (filter === '') return 'an MQTT topic filter cannot be empty';
  if (filter.includes('\u0000')) return `"${filter}" contains a NUL character`;
  if (Buffer.byteLength(filter) > 65535) return 'an MQTT topic filter is at most 65535 bytes';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as string;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1))
      return `"${filter}" is not a valid MQTT topic filter: "#" stands alone as the last level (a/#), never before a "/" or inside a level`;
    if (level.includes('+') && level !== '+')
      return `"${filter}" is not a valid MQTT topic filter: "+" stands for a whole level (a/+/c), never part of one ("${level}")`;
  }
  return null;
}

export function isValidTopicFilter(filter: string): boolean {
  return topicFilterProblem(filter) === null;
}

export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  // Topics starting with $ (broker internals) never match a leading wildcard.
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

export class TopicIndex<T> {
  private readonly exact = new Map<string, T[]>();
  private readonly wildcard: { filter: string; values: T[] }[] = [];

  add(filter: string, value: T): void {
    const problem = topicFilterProblem(filter);
    if (problem) throw new Error(problem);
    if (filter.includes('+') || filter.includes('#')) {
      const entry = this.wildcard.find((w) => w.filter === filter);
      if (entry) entry.values.push(value);
      else this.wildcard.push({ filter, values: [value] });
    } else {
      const list = this.exact.get(filter);
      if (list) list.push(value);
      else this.exact.set(filter, [value]);
    }
  }

  filters(): string[] {
    return [...this.exact.keys(), ...this.wildcard.map((w) => w.filter)];
  }

  /** Calls fn for every value whose filter matches topic. */
  match(topic: string, fn: (value: T) => void): void {
    const list = this.exact.get(topic);
    if (list) for (const v of list) fn(v);
    for (const w of this.wildcard) if (topicMatches(w.filter, topic)) for (const v of w.values) fn(v);
  }
}
