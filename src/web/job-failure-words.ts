import { describeJobFailure, type JobFailureWords } from '../core/job-failures.js';
import { describeQualityNote, type QualityNote, type QualityNoteWords } from '../core/quality.js';
import { jobFailureSentences } from '../infra/job-failure-sentences.js';
import { qualityNoteSentences } from '../infra/quality-note-sentences.js';

/** The web API's `message` for a failed job, per code (JSON escapes it; the web page shows it as text). */
export const JOB_FAILURE_WORDS: JobFailureWords = jobFailureSentences();

export function jobFailureMessage(code: string | undefined, details: Readonly<Record<string, unknown>> | undefined): string {
  return describeJobFailure(JOB_FAILURE_WORDS, code, details);
}

/** The web's words for a job posted although its re-render failed the quality check too. */
export const QUALITY_NOTE_WORDS: QualityNoteWords = qualityNoteSentences();

export function qualityNoteMessage(note: QualityNote): string {
  return describeQualityNote(QUALITY_NOTE_WORDS, note);
}
