/** list_bases: every base this connection can see (follows Airtable's offsets), paged to fit. */
import { z } from 'zod';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { maxResultChars, pageFrom } from '../result-size';
import { nextPositionOutput, noticeOutput, positionInput } from '../schemas';

const output = z.object({
  bases: z.array(
    z.object({
      id: z.string().describe('Base id (app...); pass it as baseId to the other tools.'),
      name: z.string(),
      permissionLevel: z.string().describe('Your access: none, read, comment, edit or create.'),
    }),
  ),
  total: z.number().int().describe('How many bases matched (all pages).'),
  nextOffset: nextPositionOutput('bases'),
  notice: noticeOutput,
});

export const listBasesTool = defineTool({
  name: 'list_bases',
  title: 'List bases',
  description:
    'Lists the Airtable bases this connection can access, with their ids and your permission level. ' +
    'Start here to find the baseId the other tools need. Bases not granted to this connection do ' +
    'not appear. A very long list comes in parts: continue with nextOffset.',
  input: z.object({
    nameContains: z
      .string()
      .max(200)
      .optional()
      .describe('Only bases whose name contains this text (case-insensitive).'),
    offset: positionInput('bases'),
  }),
  output,
  annotations: READS,
  async run(args, ctx, signal) {
    const all = await ctx.airtable.listBases({ signal });
    const needle = args.nameContains?.toLowerCase();
    const bases = (needle ? all.filter((b) => b.name.toLowerCase().includes(needle)) : all).map(
      (b) => ({ id: b.id, name: b.name, permissionLevel: b.permissionLevel }),
    );
    const page = pageFrom(bases, args.offset, maxResultChars(ctx));
    if (page.next === undefined) return { data: { bases: page.items, total: bases.length } };
    const notice =
      `Showing bases ${args.offset + 1}-${page.next} of ${bases.length} (result size limit). ` +
      `Call again with offset ${page.next} for more, or narrow the list with nameContains.`;
    return {
      data: { bases: page.items, total: bases.length, nextOffset: page.next, notice },
      notice,
    };
  },
});
