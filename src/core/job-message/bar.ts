/** The one progress bar every renderer draws (12 cells: fine enough to move every ~8 %). */
export const BAR_CELLS = 12;

export function progressBar(percent: number, cells = BAR_CELLS): string {
  const clamped = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round((clamped / 100) * cells);
  return `${'█'.repeat(filled)}${'░'.repeat(cells - filled)}`;
}

export function ordinal(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}
