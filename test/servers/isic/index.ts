export { startIsicFixture } from './server';
export type { IsicFault, IsicFaultKind, IsicFixture, IsicFixtureOptions, IsicFixtureStats } from './server';
export { LICENSE_TEXTS } from './dataset';
export type { FixtureCollection, FixtureImage } from './dataset';
