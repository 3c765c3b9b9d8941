// A table of records: a header row of column names, one row per record. The screens' lists
// (journal, audit trail, KPI breakdowns) share its markup, so they read and style alike.
import type { Key, ReactNode } from 'react';

export function DataTable<R>({
  label,
  className,
  columns,
  rows,
  rowKey,
  rowData,
  cells,
}: {
  /** The table's accessible name. */
  label: string;
  /** Added to `grid`. */
  className?: string;
  columns: readonly string[];
  rows: readonly R[];
  rowKey: (row: R) => Key;
  /** `data-*` attributes of a row, for styling and tests. */
  rowData?: (row: R) => { [attribute: `data-${string}`]: string | undefined };
  /** The row's `<td>` cells, one per column. */
  cells: (row: R) => ReactNode;
}) {
  // A table wider than the window scrolls inside its own box: the page never scrolls sideways.
  return (
    <div className="table-scroll">
      <table className={className ? `grid ${className}` : 'grid'} aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={rowKey(r)} {...rowData?.(r)}>
              {cells(r)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
