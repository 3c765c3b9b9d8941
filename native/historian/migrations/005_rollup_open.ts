// The bucket each tag is still filling — its current minute and its current hour — changes at every
// commit. As a row of the minute / hour tables (keyed by tag and time, so each tag's buckets of
// the current hour or five days fill a page of their own) every commit rewrote two pages per tag;
// here they are one small row per tag, 1,000 tags in about 50 pages. Closed buckets go to the
// minute and hour tables (and blocks) as before. A file from before keeps its open buckets as rows:
// readers let a rollup_open bucket replace a row of the same time, and the writer stores the
// bucket as a row when it closes, so nothing needs moving.
export const ROLLUP_OPEN_MIGRATION = '005_rollup_open';

export const sql = `
CREATE TABLE rollup_open (
  tag INTEGER PRIMARY KEY,
  m1 BLOB,
  h1 BLOB
);
`;
