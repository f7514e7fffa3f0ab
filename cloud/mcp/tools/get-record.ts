/** get_record: one record by id. */
import { z } from 'zod';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { shortenLongTexts } from '../result-size';
import { baseIdInput, noticeOutput, recordIdInput, recordOutput, tableInput } from '../schemas';

export const getRecordTool = defineTool({
  name: 'get_record',
  title: 'Get record',
  description:
    'Gets one record by its id, with all its non-empty fields (Airtable omits empty cells).',
  input: z.object({ baseId: baseIdInput, table: tableInput, recordId: recordIdInput }),
  output: recordOutput.extend({ notice: noticeOutput }),
  annotations: READS,
  async run(args, ctx, signal) {
    const r = await ctx.airtable.getRecord(args.baseId, args.table, args.recordId, {}, { signal });
    const { fields, cut } = shortenLongTexts(r.fields);
    const data = { id: r.id, createdTime: r.createdTime, fields };
    if (cut.length === 0) return { data };
    const notice = `Long text in ${cut.map((f) => `"${f}"`).join(', ')} was cut to keep the result under 100000 characters.`;
    return { data: { ...data, notice }, notice };
  },
});
