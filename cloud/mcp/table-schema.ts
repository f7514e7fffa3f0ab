/**
 * One table's schema, read at most once per tool call (GET /v0/meta/bases/{baseId}/tables,
 * scope schema.bases:read) and only when the call needs it: date conditions (a date field and a
 * date-time field are filtered differently), field ids in filters, the default search fields,
 * dry runs. A 403 becomes a message saying why this call needs the schema and how to grant it.
 */
import { AirtableApiError } from '../airtable/api-errors';
import type { TableModel } from '../airtable/api-schemas';
import { findTable } from './table-lookup';
import type { ToolContext } from './tool-context';
import { ToolInputError } from './tool-errors';

export class TableSchema {
  private all?: Promise<TableModel[]>;

  constructor(
    private readonly ctx: ToolContext,
    private readonly baseId: string,
    private readonly tableKey: string,
    private readonly signal: AbortSignal,
  ) {}

  /** The table's schema; `why` completes "... needs the table schema" in the 403 message. */
  async get(why: string): Promise<TableModel> {
    return findTable(await this.tables(why), this.tableKey, this.baseId);
  }

  /** Every table of the base (one request, shared with get). */
  tables(why: string): Promise<TableModel[]> {
    this.all ??= this.ctx.airtable
      .getBaseSchema(this.baseId, {}, { signal: this.signal })
      .catch((err: unknown) => {
        if (err instanceof AirtableApiError && err.status === 403) {
          throw new ToolInputError(
            `${why} needs the table schema, which this connection cannot read (Airtable 403 ${err.type}). ` +
              `Reconnect at ${this.ctx.links.reconnectUrl} granting the schema.bases:read scope (and check the base id).`,
          );
        }
        throw err;
      });
    return this.all;
  }
}
