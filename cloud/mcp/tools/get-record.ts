/** get_record: one record by id, as typed values or as display text. */
import { z } from 'zod';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { readOptionsShape, readParams } from '../read-options';
import { itemsBudget, maxResultChars, shortenLongTexts } from '../result-size';
import { baseIdInput, noticeOutput, recordIdInput, recordOutput, tableInput } from '../schemas';

export const getRecordTool = defineTool({
  name: 'get_record',
  title: 'Get record',
  description:
    'Gets one record by its id, with all its non-empty fields (Airtable omits empty cells), as ' +
    'typed values or (cellFormat "string") as the text Airtable shows. Airtable has no field ' +
    'selection for one record; use list_records with a filter on RECORD_ID() for that.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    recordId: recordIdInput,
    ...readOptionsShape,
  }),
  output: recordOutput.extend({ notice: noticeOutput }),
  annotations: READS,
  async run(args, ctx, signal) {
    const read = readParams(args);
    const r = await ctx.airtable.getRecord(args.baseId, args.table, args.recordId, read, {
      signal,
    });
    const max = maxResultChars(ctx);
    const { fields, cut } = shortenLongTexts(r.fields, itemsBudget(max));
    const data = { id: r.id, createdTime: r.createdTime, fields };
    if (cut.length === 0) return { data };
    const notice =
      `Long text in ${cut.map((f) => `"${f}"`).join(', ')} was cut to keep the result under ${max} characters. ` +
      'Read the full text with list_records, fields [that field], filterByFormula RECORD_ID() = "<id>".';
    return { data: { ...data, notice }, notice };
  },
});
