// The `<option>`s of a `<select>` over a list of values, each shown by its label; `none` puts a
// first choice for no value (""), e.g. "all" in a filter.
export function Options<V extends string | number>({
  values,
  label = String,
  none,
}: {
  values: readonly V[];
  label?: (value: V) => string;
  none?: string;
}) {
  return (
    <>
      {none !== undefined ? <option value="">{none}</option> : null}
      {values.map((v) => (
        <option key={v} value={v}>
          {label(v)}
        </option>
      ))}
    </>
  );
}
