// The first and last instant each hour's activity covers, so that a summary over a range that starts
// or ends inside an hour (the current hour so far, the last minutes) takes that hour's share of the
// activity instead of all or nothing. Rows written before this migration keep NULL: read as the whole hour.
export const sql = `
ALTER TABLE activity_hour ADD COLUMN first_ms INTEGER;
ALTER TABLE activity_hour ADD COLUMN last_ms INTEGER;
`;
