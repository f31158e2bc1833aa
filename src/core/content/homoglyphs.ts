/**
 * Letters from other scripts that look like Latin ones, folded to the Latin letter a reader sees.
 * NFKC already handles fullwidth, mathematical and circled letters; these are the look-alikes it
 * leaves alone (Cyrillic, Greek, Armenian, IPA and small capitals). Upper and lower case are listed
 * separately because they can look like different Latin letters (Greek Η looks like H, η like n).
 */
const PAIRS: ReadonlyArray<readonly [string, string]> = [
  // Cyrillic
  ['АаВвЕеКкМмНнОоРрСсТтУуХхЅѕІіЈјԀԁԚԛԜԝҮүҺһӀӏЬьГгПпИиЗзШшЩщЦцБбДдЛлЯяЁёЙйЇїЄєЭэ',
   'AaBbEeKkMmHhOoPpCcTtYyXxSsIiJjDdQqWwYyHhllbbrrnnuu33wwwwuu66ddnnRreeuuiieeee'],
  // Greek
  ['ΑαΒβΕεΖζΗηΙιΚκΜμΝνΟοΡρΤτΥυΧχωϹϲΓγΘθΛλΣσςΦφΨψΔδϜϝ', 'AaBbEeZzHnIiKkMuNvOoPpTtYuXxwCcryOoAAEoSFfYwAdFf'],
  // Armenian, Cherokee and Latin extensions seen in evasion lists
  ['ՕօՍսոցհզաւ', 'OoUunghqwi'],
  ['ıȷɑɡɩʟɪʀʏʜᴀʙᴄᴅᴇꜰɢᴊᴋᴍɴᴏᴘꞯꜱᴛᴜᴠᴡᴢǀ', 'ijagilirYhabcdefgjkmnopqstuvwzl'],
];

const MAP = new Map<string, string>();
for (const [from, to] of PAIRS) {
  const sources = [...from];
  const targets = [...to];
  if (sources.length !== targets.length) throw new Error(`homoglyph table out of step: ${from}`);
  sources.forEach((source, i) => MAP.set(source, targets[i] as string));
}

// Regional indicator symbols (🇦..🇿) spell letters in flag-emoji text.
const REGIONAL_A = 0x1f1e6;

/** Folds one character; returns it unchanged when it has no Latin look-alike. */
export function foldHomoglyph(char: string): string {
  const mapped = MAP.get(char);
  if (mapped !== undefined) return mapped;
  const code = char.codePointAt(0) ?? 0;
  if (code >= REGIONAL_A && code < REGIONAL_A + 26) return String.fromCharCode(0x61 + code - REGIONAL_A);
  return char;
}

