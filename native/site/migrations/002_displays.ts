// The displays of each version: every display file's text by id (JSON), so a version's displays can be
// compared and put back like its site file. NULL: not recorded (versions made before any display was
// saved from the console; the first save records what displays/ held until then on them).
export const sql = `
ALTER TABLE config_version ADD COLUMN displays TEXT;
`;
