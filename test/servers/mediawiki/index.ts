export { startMediaWiki } from './startMediaWiki';
export type { MediaWikiServer, StartMediaWikiOptions } from './startMediaWiki';
export { DEFAULT_SETTINGS } from './localSettings';
export type { ForeignApiRepo, RateLimits, WikiSettings } from './localSettings';
export type { Account } from './template';
