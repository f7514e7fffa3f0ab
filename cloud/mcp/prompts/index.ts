/** Every prompt, in the order prompts/list shows them. */
import { cleanUpDuplicatesPrompt } from './clean-up-duplicates';
import type { PromptDefinition } from './define-prompt';
import { exploreBasePrompt } from './explore-base';
import { watchTableChangesPrompt } from './watch-table-changes';

export const ALL_PROMPTS: readonly PromptDefinition[] = [
  exploreBasePrompt,
  cleanUpDuplicatesPrompt,
  watchTableChangesPrompt,
];
