/**
 * The yearly targets of the décret: the share of a public body's retired IT equipment in stock on
 * 1 January (B) that must be oriented to reuse during the year (A), A / B. Data with its source,
 * as the attestation prints it.
 */
export const reuseTargets = {
  source: {
    title:
      'Décret n° 2023-266 du 12 avril 2023 fixant les objectifs et modalités de réemploi et de réutilisation des matériels informatiques réformés par l’État et les collectivités territoriales, article 3',
    url: 'https://www.legifrance.gouv.fr/jorf/article_jo/JORFARTI000047439327',
  },
  // Each share holds from its year until the next one's.
  fromYear: [
    { year: 2023, share: 0.25 },
    { year: 2024, share: 0.35 },
    { year: 2025, share: 0.5 },
  ],
} as const;

/** The target of a year, or null before the décret set any. */
export function reuseTargetFor(year: number): { share: number; source: string; sourceUrl: string } | null {
  const target = reuseTargets.fromYear.filter((entry) => entry.year <= year).at(-1);
  return target ? { share: target.share, source: reuseTargets.source.title, sourceUrl: reuseTargets.source.url } : null;
}
