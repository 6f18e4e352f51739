/** How big each part of the harness is: the sizes by default, smaller ones with `--short`. */
export interface Sizes {
  xnatFiles: number;
  xnatKills: number;
  wikiFiles: number;
  wikiKills: number;
  isicFiles: number;
  isicKills: number;
  faultXnatFiles: number;
  faultIsicFiles: number;
  /** Files uploaded to MediaWiki, and Radiopaedia images downloaded, through the fault proxy. */
  faultWikiFiles: number;
  faultRadiopaediaImages: number;
  /** How long an injected stall lasts. */
  stallMs: number;
  fuzzMutations: number;
  /** Most time one fuzzed header may take before it counts as a hang. */
  fuzzCapMs: number;
}

export const FULL: Sizes = {
  xnatFiles: 5_000,
  xnatKills: 20,
  wikiFiles: 300,
  wikiKills: 5,
  isicFiles: 2_000,
  isicKills: 5,
  faultXnatFiles: 1_000,
  faultIsicFiles: 1_000,
  faultWikiFiles: 300,
  faultRadiopaediaImages: 300,
  stallMs: 10_000,
  fuzzMutations: 10_000,
  fuzzCapMs: 2_000,
};

export const SHORT: Sizes = {
  xnatFiles: 400,
  xnatKills: 5,
  wikiFiles: 30,
  wikiKills: 2,
  isicFiles: 200,
  isicKills: 2,
  faultXnatFiles: 200,
  faultIsicFiles: 200,
  faultWikiFiles: 30,
  faultRadiopaediaImages: 60,
  stallMs: 1_000,
  fuzzMutations: 1_000,
  fuzzCapMs: 2_000,
};
