// The CSV dialect of kube-apiserver's `--token-auth-file` / `--basic-auth-file`: Go's
// `encoding/csv` with `TrimLeadingSpace` and a variable number of fields. Quoted fields may hold
// commas (`"g1,g2"`) and doubled quotes; a bare quote in an unquoted field is an error, as in Go.
// Pure and total: any input gives a typed result. Errors name line and column, never content,
// because these files hold secrets.

export interface CsvRecord {
  /** 1-based line where the record starts. */
  readonly line: number;
  readonly fields: readonly string[];
}

export type CsvResult =
  | { readonly ok: true; readonly records: readonly CsvRecord[] }
  | { readonly ok: false; readonly error: string };

export function parseKubeCsv(text: string): CsvResult {
  const records: CsvRecord[] = [];
  const input = text.startsWith('\ufeff') ? text.slice(1) : text;
  let i = 0;
  let line = 1;
  const n = input.length;

  while (i < n) {
    // Skip blank (empty or whitespace-only) lines.
    let j = i;
    while (j < n && (input[j] === ' ' || input[j] === '\t' || input[j] === '\r')) j++;
    if (j >= n) break;
    if (input[j] === '\n') {
      i = j + 1;
      line++;
      continue;
    }

    const startLine = line;
    const fields: string[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      // TrimLeadingSpace: spaces and tabs before each field are dropped.
      while (i < n && (input[i] === ' ' || input[i] === '\t')) i++;
      if (i < n && input[i] === '"') {
        const column = columnOf(input, i);
        i++;
        let value = '';
        for (;;) {
          if (i >= n) return { ok: false, error: `line ${startLine}, column ${column}: quoted field not terminated` };
          const c = input[i];
          if (c === '"') {
            if (input[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\r' && input[i + 1] === '\n') {
            i++;
            continue;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        fields.push(value);
        // After a closing quote only a separator or the end of the line may follow.
        if (i < n && input[i] === '\r' && input[i + 1] === '\n') i++;
        if (i >= n || input[i] === '\n') {
          endOfRecord = true;
          if (i < n) {
            i++;
            line++;
          }
        } else if (input[i] === ',') {
          i++;
        } else {
          return { ok: false, error: `line ${line}, column ${columnOf(input, i)}: extraneous or missing " in quoted field` };
        }
      } else {
        let value = '';
        while (i < n && input[i] !== ',' && input[i] !== '\n') {
          if (input[i] === '"') return { ok: false, error: `line ${line}, column ${columnOf(input, i)}: bare " in non-quoted field` };
          value += input[i];
          i++;
        }
        if (value.endsWith('\r') && (i >= n || input[i] === '\n')) value = value.slice(0, -1);
        fields.push(value);
        if (i >= n || input[i] === '\n') {
          endOfRecord = true;
          if (i < n) {
            i++;
            line++;
          }
        } else {
          i++; // the comma
          if (i >= n) {
            fields.push('');
            endOfRecord = true;
          }
        }
      }
    }
    records.push({ line: startLine, fields });
  }
  return { ok: true, records };
}

function columnOf(input: string, index: number): number {
  const lineStart = input.lastIndexOf('\n', index - 1) + 1;
  return index - lineStart + 1;
}
