import { describeJobFailure, type JobFailureWords } from '../core/job-failures.js';
import { jobFailureSentences } from '../infra/job-failure-sentences.js';

/** The web API's `message` for a failed job, per code (JSON escapes it; the web page shows it as text). */
export const JOB_FAILURE_WORDS: JobFailureWords = jobFailureSentences();

export function jobFailureMessage(code: string | undefined, details: Readonly<Record<string, unknown>> | undefined): string {
  return describeJobFailure(JOB_FAILURE_WORDS, code, details);
}
