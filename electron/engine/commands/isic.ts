import type {
  IsicSampleField,
  IsicSelectCounts,
  IsicThumbnail,
  isicCommands,
} from '../../../shared/commands/isic';
import { ISIC_SAMPLE_MAX } from '../../../shared/commands/isic';
import { CourierError } from '../../../shared/errors';
import { compileSelect, formatSelect, parseSelect } from '../../../shared/isicSelect';
import { USER_AGENT } from '../clients/httpFailure';
import { createIsicClient, ISIC_API_URL } from '../clients/isic';
import type { IsicClient, IsicImage } from '../clients/isic';
import { timedFetch } from '../clients/isic/timedFetch';
import type { CommandContext, HandlersFor } from './context';

const THUMBNAIL_MAX_BYTES = 1024 * 1024;
const THUMBNAIL_TYPES = /^image\/(jpeg|png|webp|gif)$/;
/** Samples kept for the live counts (one per recent search), and for how long. */
const SAMPLES_KEPT = 4;
const SAMPLE_TTL_MS = 10 * 60_000;
const FIELD_VALUES_SHOWN = 12;

interface SearchArgs {
  connectionId?: string | undefined;
  query?: string | undefined;
  collections?: number[] | undefined;
  limit: number;
}

/** The thumbnail as a data URL (the app's pages load no remote images); null when it cannot be had. */
async function thumbnailDataUrl(image: IsicImage): Promise<string | null> {
  const file = image.files.thumbnail_256;
  if (!file || !/^https?:\/\//i.test(file.url)) return null;
  try {
    const timed = await timedFetch(
      file.url,
      `thumbnail of ${image.isic_id}`,
      { headers: { 'User-Agent': USER_AGENT } },
      { connectTimeoutMs: 15_000, readTimeoutMs: 15_000 },
      fetch,
    );
    const type = (timed.response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!timed.response.ok || !THUMBNAIL_TYPES.test(type)) {
      await timed.discard();
      return null;
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of timed.chunks()) {
      total += chunk.length;
      if (total > THUMBNAIL_MAX_BYTES) return null;
      parts.push(chunk);
    }
    return `data:${type};base64,${Buffer.concat(parts).toString('base64')}`;
  } catch {
    return null;
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Every leaf path of the images' JSON that a criterion can name, with its kind and common values. */
export function sampleFields(images: readonly IsicImage[]): IsicSampleField[] {
  const fields = new Map<string, { kinds: Set<string>; present: number; values: Map<string, number> }>();
  const visit = (value: unknown, path: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) visit(child, path ? `${path}.${key}` : key);
      return;
    }
    if (path.startsWith('files.') || value === null || Array.isArray(value)) return;
    const field = fields.get(path) ?? { kinds: new Set(), present: 0, values: new Map() };
    field.present += 1;
    field.kinds.add(typeof value);
    if (typeof value === 'string' || typeof value === 'boolean') {
      const key = String(value);
      field.values.set(key, (field.values.get(key) ?? 0) + 1);
    }
    fields.set(path, field);
  };
  for (const image of images) visit(image, '');
  return [...fields.entries()]
    .map(([path, f]): IsicSampleField => {
      const kind = f.kinds.size !== 1 ? 'mixed' : ([...f.kinds][0] as 'string' | 'number' | 'boolean');
      return {
        path,
        kind: kind === 'string' ? 'text' : kind,
        present: f.present,
        values: [...f.values.entries()]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .slice(0, FIELD_VALUES_SHOWN)
          .map(([v]) => v),
      };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Counts, over `images`, those meeting each criterion alone and those meeting all the valid ones. */
export function selectionCounts(
  images: readonly IsicImage[],
  criteria: readonly string[],
): Pick<IsicSelectCounts, 'criteria' | 'selected'> {
  const tests: ((record: unknown) => boolean)[] = [];
  const results = criteria.map((input): IsicSelectCounts['criteria'][number] => {
    try {
      const criterion = parseSelect(input);
      const test = compileSelect([criterion]);
      tests.push(test);
      return { ok: true, text: formatSelect(criterion), count: images.filter((i) => test(i)).length };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  });
  const selected = images.filter((image) => tests.every((test) => test(image))).length;
  return { criteria: results, selected };
}

export function isicHandlers(ctx: CommandContext): HandlersFor<typeof isicCommands> {
  const clients = new Map<string, IsicClient>();
  const samples = new Map<string, { at: number; images: Promise<IsicImage[]> }>();

  const apiUrlOf = (connectionId: string | undefined): string => {
    if (connectionId !== undefined) {
      const connection = ctx.connections.get(connectionId);
      if (connection.kind !== 'isic') {
        throw new CourierError({
          code: 'bad-connection',
          message: `The connection '${connection.label}' is not an ISIC Archive.`,
        });
      }
      return connection.url;
    }
    return ctx.connections.list().find((c) => c.kind === 'isic')?.url ?? ISIC_API_URL;
  };
  const clientFor = (apiUrl: string): IsicClient => {
    let client = clients.get(apiUrl);
    if (!client) {
      client = createIsicClient({ apiUrl });
      clients.set(apiUrl, client);
    }
    return client;
  };
  const searchOf = (args: SearchArgs) => ({
    query: args.query?.trim() || undefined,
    collections: args.collections?.length ? args.collections : undefined,
  });

  /** The first results of a search (as the batch would list them), kept a while for the live counts. */
  const sample = (apiUrl: string, args: SearchArgs): Promise<IsicImage[]> => {
    const search = searchOf(args);
    const size = args.limit > 0 ? Math.min(args.limit, ISIC_SAMPLE_MAX) : ISIC_SAMPLE_MAX;
    const key = JSON.stringify([apiUrl, search.query ?? '', search.collections ?? [], size]);
    const now = ctx.clock.now();
    const kept = samples.get(key);
    if (kept && now - kept.at < SAMPLE_TTL_MS) return kept.images;
    const images = (async () => {
      const out: IsicImage[] = [];
      for await (const page of clientFor(apiUrl).search({ ...search, limit: size })) out.push(...page.images);
      return out;
    })();
    images.catch(() => samples.delete(key));
    samples.delete(key);
    samples.set(key, { at: now, images });
    while (samples.size > SAMPLES_KEPT) samples.delete(samples.keys().next().value!);
    return images;
  };

  return {
    'isic.collections': async ({ connectionId }) => {
      const collections = await clientFor(apiUrlOf(connectionId)).collections();
      return collections
        .map((c) => ({ id: c.id, name: c.name, public: c.public, pinned: c.pinned }))
        .sort((a, b) => Number(b.pinned) - Number(a.pinned) || a.name.localeCompare(b.name));
    },

    'isic.preview': async (args) => {
      const apiUrl = apiUrlOf(args.connectionId);
      const client = clientFor(apiUrl);
      const search = searchOf(args);
      const { count, totalBytes } = await client.preflight(search);
      const wanted = args.limit > 0 ? Math.min(args.limit, count) : count;
      let thumbnails: IsicThumbnail[] = [];
      if (args.thumbnails > 0 && wanted > 0) {
        const first = await client.search({ ...search, limit: Math.min(args.thumbnails, wanted) }).next();
        const images = first.done ? [] : first.value.images;
        thumbnails = await Promise.all(
          images.map(async (image) => ({
            isicId: image.isic_id,
            dataUrl: await thumbnailDataUrl(image),
            diagnosis: text(image.metadata.clinical.diagnosis_1),
            license: image.copyright_license,
            attribution: image.attribution,
          })),
        );
      }
      return {
        apiUrl,
        count,
        totalBytes,
        wanted,
        wantedBytes: count === 0 ? 0 : Math.round((totalBytes * wanted) / count),
        wantedBytesEstimated: wanted < count,
        thumbnails,
      };
    },

    'isic.selectCounts': async (args) => {
      const apiUrl = apiUrlOf(args.connectionId);
      const images = await sample(apiUrl, args);
      const wanted = args.limit > 0 ? args.limit : Infinity;
      return {
        apiUrl,
        sampled: images.length,
        complete: images.length < ISIC_SAMPLE_MAX || images.length >= wanted,
        ...selectionCounts(images, args.criteria),
        fields: sampleFields(images),
      };
    },
  };
}
