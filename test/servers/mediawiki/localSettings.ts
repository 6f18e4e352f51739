/**
 * The throw-away wiki's configuration. LocalSettings.php is the same text for every wiki; everything that
 * differs (paths, port, upload limits, rate limits) lives in `harness.json` beside it, which MediaWiki
 * re-reads on every request. So a test can change `$wgRateLimits` between two requests without a restart.
 */

/** `$wgRateLimits` entries: action → user class (`user`, `ip`, `newbie`, `bot`…) → [hits, seconds]. */
export type RateLimits = Record<string, Record<string, [number, number]>>;

/** A wiki whose files this wiki sees as its own through `ForeignAPIRepo` (as a wiki using InstantCommons). */
export interface ForeignApiRepo {
  name: string;
  apiUrl: string;
}

/** The settings a test may choose; each maps to one `$wg…` variable. */
export interface WikiSettings {
  /** `$wgFileExtensions`. */
  fileExtensions: string[];
  /** `$wgMaxUploadSize` in bytes; PHP's own request limits are raised to match. */
  maxUploadSize: number;
  /** `$wgMinUploadChunkSize` in bytes. */
  minUploadChunkSize: number;
  /** `$wgUploadSizeWarning` in bytes (0: no `large-file` warning). */
  uploadSizeWarning: number;
  /** Merged over MediaWiki's default `$wgRateLimits`, action by action. */
  rateLimits: RateLimits;
  /** `$wgForeignFileRepos` of class ForeignAPIRepo. */
  foreignApiRepos: ForeignApiRepo[];
  /** `$wgEnableAsyncUploads`. */
  enableAsyncUploads: boolean;
}

export const DEFAULT_SETTINGS: WikiSettings = {
  fileExtensions: ['png', 'gif', 'jpg', 'jpeg', 'webp', 'mp4', 'webm', 'ogv', 'svg', 'pdf', 'tif', 'tiff'],
  maxUploadSize: 100 * 1024 * 1024,
  minUploadChunkSize: 1024,
  uploadSizeWarning: 0,
  rateLimits: {},
  foreignApiRepos: [],
  enableAsyncUploads: false,
};

/** Everything LocalSettings.php reads from harness.json. */
export interface HarnessConfig {
  sitename: string;
  /** Used by maintenance scripts; web requests take the server from the port they arrived on. */
  server: string;
  dataDir: string;
  uploadDir: string;
  tmpDir: string;
  secretKey: string;
  upgradeKey: string;
  imageMagick: string | null;
  settings: WikiSettings;
}

/** PHP text of LocalSettings.php; all values come from harness.json so the text never needs escaping. */
export const LOCAL_SETTINGS_PHP = `<?php
// Throw-away test wiki. Values come from harness.json beside this file, re-read on every request.
if ( !defined( 'MEDIAWIKI' ) ) {
	exit;
}
$courier = json_decode( file_get_contents( __DIR__ . '/harness.json' ), true );
$courierSettings = $courier['settings'];

require_once "$IP/includes/PlatformSettings.php";

$wgSitename = $courier['sitename'];
$wgMetaNamespace = 'Project';
$wgScriptPath = '';
$wgResourceBasePath = $wgScriptPath;
$wgServer = PHP_SAPI === 'cli-server'
	? 'http://127.0.0.1:' . $_SERVER['SERVER_PORT']
	: $courier['server'];
$wgLanguageCode = 'en';
$wgLocaltimezone = 'UTC';
$wgSecretKey = $courier['secretKey'];
$wgUpgradeKey = $courier['upgradeKey'];
$wgAuthenticationTokenVersion = '1';
$wgEnableEmail = false;
$wgEnableUserEmail = false;
$wgPingback = false;
$wgDefaultSkin = 'vector';
wfLoadSkin( 'Vector' );

$wgDBtype = 'sqlite';
$wgDBserver = '';
$wgDBname = 'testwiki';
$wgDBuser = '';
$wgDBpassword = '';
$wgSQLiteDataDir = $courier['dataDir'];
$courierSqlite = [
	'type' => 'sqlite',
	'tablePrefix' => '',
	'variables' => [ 'synchronous' => 'NORMAL' ],
	'dbDirectory' => $wgSQLiteDataDir,
	'trxMode' => 'IMMEDIATE',
	'flags' => 0,
];
$wgObjectCaches[CACHE_DB] = [
	'class' => SqlBagOStuff::class,
	'loggroup' => 'SQLBagOStuff',
	'server' => [ 'dbname' => 'wikicache' ] + $courierSqlite,
];
$wgObjectCaches['db-replicated'] = [
	'factory' => 'Wikimedia\\ObjectFactory\\ObjectFactory::getObjectFromSpec',
	'args' => [ [ 'factory' => 'ObjectCache::getInstance', 'args' => [ CACHE_DB ] ] ],
];
$wgLocalisationCacheConf['storeServer'] = [ 'dbname' => "{$wgDBname}_l10n_cache" ] + $courierSqlite;
$wgJobTypeConf['default'] = [
	'class' => 'JobQueueDB',
	'claimTTL' => 3600,
	'server' => [ 'dbname' => "{$wgDBname}_jobqueue" ] + $courierSqlite,
];
$wgResourceLoaderUseObjectCacheForDeps = true;
$wgSharedTables[] = 'actor';
// One cache the web server and maintenance scripts share (APCu would be private to the server process):
// sessions, rate-limit counters and file metadata stay consistent after a maintenance script runs.
$wgMainCacheType = CACHE_DB;
$wgSessionCacheType = CACHE_DB;
$wgMemCachedServers = [];
$wgTmpDirectory = $courier['tmpDir'];

$wgEnableUploads = true;
$wgUploadDirectory = $courier['uploadDir'];
$wgUploadPath = '/images';
$wgFileExtensions = $courierSettings['fileExtensions'];
$wgMaxUploadSize = $courierSettings['maxUploadSize'];
$wgMinUploadChunkSize = $courierSettings['minUploadChunkSize'];
$wgUploadSizeWarning = $courierSettings['uploadSizeWarning'];
$wgEnableAsyncUploads = $courierSettings['enableAsyncUploads'];
$wgUseInstantCommons = false;
if ( $courier['imageMagick'] !== null ) {
	$wgUseImageMagick = true;
	$wgImageMagickConvertCommand = $courier['imageMagick'];
} else {
	$wgUseImageMagick = false;
}
foreach ( $courierSettings['rateLimits'] as $courierAction => $courierLimits ) {
	$wgRateLimits[$courierAction] = $courierLimits + ( $wgRateLimits[$courierAction] ?? [] );
}
foreach ( $courierSettings['foreignApiRepos'] as $courierRepo ) {
	$wgForeignFileRepos[] = [
		'class' => ForeignAPIRepo::class,
		'name' => $courierRepo['name'],
		'apibase' => $courierRepo['apiUrl'],
		'hashLevels' => 2,
		'fetchDescription' => false,
		// A reference wiki changes during a test: keep its answers for one second at most.
		'apiMetadataExpiry' => 1,
		'apiThumbCacheExpiry' => 0,
		'descriptionCacheExpiry' => 1,
	];
}
`;

/** The router php -S runs before every request: files under /images come from this wiki's upload folder. */
export const ROUTER_PHP = `<?php
// php -S router: serve uploaded files from the wiki's own upload folder, everything else from the core.
$courierPath = parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
if ( is_string( $courierPath ) && strpos( $courierPath, '/images/' ) === 0 ) {
	$courier = json_decode( file_get_contents( __DIR__ . '/harness.json' ), true );
	$courierFile = realpath( $courier['uploadDir'] . '/' . rawurldecode( substr( $courierPath, 8 ) ) );
	if ( $courierFile === false || strpos( $courierFile, realpath( $courier['uploadDir'] ) . '/' ) !== 0
		|| !is_file( $courierFile ) ) {
		http_response_code( 404 );
		echo 'Not found';
		return true;
	}
	header( 'Content-Type: ' . ( mime_content_type( $courierFile ) ?: 'application/octet-stream' ) );
	header( 'Content-Length: ' . filesize( $courierFile ) );
	readfile( $courierFile );
	return true;
}
return false;
`;
