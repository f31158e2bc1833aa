import type { QualityNoteWords } from '../core/quality.js';

/**
 * The English words for a quality note, shared by every adapter (Discord, Slack, the web): no
 * value in them comes from outside, so no adapter needs its own quoting.
 */
export function qualityNoteSentences(): QualityNoteWords {
  return {
    unreadable: 'a file could not be read',
    blank: 'it looks blank',
    almost_black: 'it is almost all black',
    almost_white: 'it is almost all white',
    wrong_size: 'it is not the size that was asked for',
    no_motion: 'the clip does not move',
    sentence: (phrases) => `Quality check: ${phrases.join('; ')}, even after a second render with a new seed. Re-roll to try again.`,
  };
}
