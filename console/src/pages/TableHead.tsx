/** A table's column headers, the last over a column of buttons: named for screen readers only. */
export function TableHead({ columns, action }: { columns: readonly string[]; action: string }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th key={column} scope="col">
            {column}
          </th>
        ))}
        <th scope="col">
          <span className="visually-hidden">{action}</span>
        </th>
      </tr>
    </thead>
  );
}
