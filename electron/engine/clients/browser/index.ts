export { chromiumArgs, createBrowserDriver, identifyingUserAgent } from './browserDriver';
export type { BrowserDriver, BrowserDriverOptions } from './browserDriver';
export { browserCandidates, findChromiumExecutable, findHeadlessShell } from './findBrowser';
export type { BrowserCandidate, BrowserKind, FindBrowserOptions } from './findBrowser';
export { browserFileProblem, checkBrowser } from './browserCheck';
