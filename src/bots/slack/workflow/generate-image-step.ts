import type { App } from '@slack/bolt';
import type { SlackFeatureDeps } from '../deps.js';
import { errorRef } from '../../../shared/error-ref.js';
import { startGeneration } from '../generation.js';
import { failureText } from '../words.js';

const GENERATE_IMAGE_FUNCTION = 'generate_image';

/** Workflow runs without a `user` input act as one workspace-wide workflow user (default role). */
const WORKFLOW_USER = 'workflow';

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** mrkdwn escapes are for messages; a workflow error is plain text. */
function plain(words: string): string {
  return words.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Workflow inputs are free text: the prompt is taken as written, flags are not parsed in it.
 * The Workflow Builder step `generate_image`: inputs prompt, negative_prompt?, model?, channel, user?;
 * outputs image_url, project_url, job_id. A refusal fails the step at once with the reason; an
 * accepted job posts its live message in the channel and completes the step when it ends — from
 * the record, so a restart in between still completes it (the execution token is kept sealed).
 * The model is an id or display name as GET /api/models lists them; the core checks it like any
 * other surface's, so an unknown one fails the step with the same refusal naming the choices.
 */
export function registerGenerateImageStep(app: App, deps: SlackFeatureDeps): void {
  app.function(GENERATE_IMAGE_FUNCTION, async ({ inputs, fail, body, context }) => {
    const event = body.event;
    const executionId = event.function_execution_id;
    const token = context.functionBotAccessToken ?? event.bot_access_token;
    const teamId = body.team_id ?? context.teamId ?? '';
    const log = deps.log.child({ function: GENERATE_IMAGE_FUNCTION, executionId });
    try {
      const channelId = text(inputs.channel);
      const prompt = text(inputs.prompt);
      const negative = text(inputs.negative_prompt);
      const model = text(inputs.model);
      if (!/^[CDG][A-Z0-9]+$/.test(channelId)) return void (await fail({ error: 'The step needs a channel to post the image in.' }));
      if (prompt === '') return void (await fail({ error: 'The step needs a prompt.' }));
      if (!token) return void (await fail({ error: 'The step could not start: Slack sent no workflow token.' }));
      const userId = text(inputs.user) || WORKFLOW_USER;
      const outcome = await startGeneration(
        deps,
        { teamId, userId, channelId },
        { prompt, ...(negative ? { negativePrompt: negative } : {}), ...(model ? { model } : {}) },
        { workflow: { executionId, sealedToken: deps.sealer.seal(token) } },
      );
      if (!outcome.ok) await fail({ error: plain(failureText(outcome)) });
    } catch (error) {
      const ref = errorRef();
      log.error({ err: error, ref }, 'workflow step failed');
      await fail({ error: `Something went wrong on our side (reference ${ref}).` }).catch((e: unknown) => log.warn({ err: e }, 'could not fail the step'));
    }
  });
}
