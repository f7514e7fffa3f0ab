/** list_bases: every base this connection can see (follows Airtable's offsets). */
import { z } from 'zod';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { fittingPrefix } from '../result-size';
import { noticeOutput } from '../schemas';

const output = z.object({
  bases: z.array(
    z.object({
      id: z.string().describe('Base id (app...); pass it as baseId to the other tools.'),
      name: z.string(),
      permissionLevel: z.string().describe('Your access: none, read, comment, edit or create.'),
    }),
  ),
  total: z.number().int().describe('How many bases Airtable listed.'),
  notice: noticeOutput,
});

export const listBasesTool = defineTool({
  name: 'list_bases',
  title: 'List bases',
  description:
    'Lists the Airtable bases this connection can access, with their ids and your permission level. ' +
    'Start here to find the baseId the other tools need. Bases not granted to this connection do not appear.',
  input: z.object({
    nameContains: z
      .string()
      .max(200)
      .optional()
      .describe('Only bases whose name contains this text (case-insensitive).'),
  }),
  output,
  annotations: READS,
  async run(args, ctx, signal) {
    const all = await ctx.airtable.listBases({ signal });
    const needle = args.nameContains?.toLowerCase();
    const bases = (needle ? all.filter((b) => b.name.toLowerCase().includes(needle)) : all).map(
      (b) => ({ id: b.id, name: b.name, permissionLevel: b.permissionLevel }),
    );
    const fit = fittingPrefix(bases);
    if (fit.items.length === bases.length) return { data: { bases, total: bases.length } };
    const notice = `Showing ${fit.items.length} of ${bases.length} bases (result size limit); use nameContains to narrow the list.`;
    return { data: { bases: fit.items, total: bases.length, notice }, notice };
  },
});
