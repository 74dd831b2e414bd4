/**
 * A streaming CSV reader (RFC 4180): fields separated by a delimiter,
 * records by LF or CRLF, fields in double quotes may hold delimiters, line
 * breaks and doubled quotes. Chunks go in as they are read, so a training
 * file is never held whole in memory.
 *
 * @internal
 */
export class CsvReader {
  private _field = '';
  private _fields: string[] = [];
  private _quoted = false;
  /** The previous character closed a quoted field (a quote now is an escaped quote). */
  private _afterQuote = false;
  private _line = 1;
  private _recordLine = 1;
  private _pendingCR = false;
  private _any = false;

  constructor(
    private readonly _onRecord: (fields: string[], line: number) => void,
    private readonly _delimiter = ',',
  ) {}

  push(chunk: string): void {
    const delimiter = this._delimiter;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this._pendingCR) {
        this._pendingCR = false;
        if (c === '\n') continue;
      }
      if (this._quoted) {
        if (c === '"') {
          this._quoted = false;
          this._afterQuote = true;
        } else {
          if (c === '\n') this._line++;
          this._field += c;
        }
        continue;
      }
      if (c === '"') {
        if (this._afterQuote) {
          // "" inside a quoted field: one literal quote.
          this._field += '"';
          this._quoted = true;
          this._afterQuote = false;
        } else if (this._field === '') {
          this._quoted = true;
          this._any = true;
        } else {
          this._field += c; // a stray quote in an unquoted field: keep it
        }
        continue;
      }
      this._afterQuote = false;
      if (c === delimiter) {
        this._fields.push(this._field);
        this._field = '';
        this._any = true;
      } else if (c === '\n' || c === '\r') {
        this._endRecord();
        this._line++;
        this._recordLine = this._line;
        if (c === '\r') this._pendingCR = true;
      } else {
        this._field += c;
        this._any = true;
      }
    }
  }

  /** Flushes the last record (a file need not end with a newline). */
  end(): void {
    if (this._quoted) throw new CsvError(`line ${this._recordLine}: a quoted field is not closed before the end of the file`);
    this._endRecord();
  }

  private _endRecord(): void {
    this._afterQuote = false;
    if (!this._any && this._field === '' && this._fields.length === 0) return; // blank line
    this._fields.push(this._field);
    const fields = this._fields;
    this._fields = [];
    this._field = '';
    this._any = false;
    this._onRecord(fields, this._recordLine);
  }
}

/** A CSV file that cannot be read as a table. */
export class CsvError extends Error {
  override readonly name = 'CsvError';
}
