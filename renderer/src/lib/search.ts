import type { TagInfo } from '../../../native/api/types';

/** Tags whose name, unit, description, connection or address contain every word of the query (any case). */
export function searchTags(tags: TagInfo[], query: string): TagInfo[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return tags;
  return tags.filter((t) => {
    const hay = `${t.name} ${t.unit} ${t.description} ${t.connection} ${t.address}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
