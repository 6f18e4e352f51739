/** Examples of the archive's query language (reference: ISIC API v2 search, isic/core/dsl.py). */
export const QUERY_EXAMPLES: { query: string; meaning: string }[] = [
  { query: 'sex:male', meaning: 'one field, one value' },
  { query: 'age_approx:[20 TO 40] AND sex:female', meaning: 'a range (inclusive) and a second condition' },
  { query: 'diagnosis_3:"Melanoma Invasive"', meaning: 'a value with spaces, in double quotes' },
  { query: 'diagnosis_3:Melanoma*', meaning: 'a value starting with “Melanoma”' },
  { query: 'age_approx:[* TO 30]', meaning: 'an open range: 30 or younger' },
  { query: 'sex:male OR sex:female', meaning: 'either condition (AND / OR in capitals)' },
  { query: '-anatom_site_1:*', meaning: 'a leading minus negates: no anatomical site recorded' },
  { query: 'image_type:dermoscopic AND copyright_license:CC-0', meaning: 'image type and licence' },
];

/** The help panel beside the query field: syntax in short, and examples one click away. */
export function QueryHelp({ onUse }: { onUse(query: string): void }) {
  return (
    <aside className="isic-help" aria-label="Query language help">
      <h2>Searching the ISIC Archive</h2>
      <ul>
        <li>
          <code>field:value</code> — e.g. <code>sex:male</code>. Values are words, numbers, <code>true</code>/
          <code>false</code>, or <code>"quoted text"</code>.
        </li>
        <li>
          <code>AND</code>, <code>OR</code> (capitals) and parentheses combine terms; terms side by side are
          ANDed.
        </li>
        <li>
          <code>-field:value</code> excludes (also matches images without the field); <code>field:*</code>{' '}
          means the field is present.
        </li>
        <li>
          <code>Mel*</code> / <code>*noma</code> match a start or an end; <code>[a TO b]</code> is inclusive,{' '}
          <code>{'{a TO b}'}</code> exclusive, <code>*</code> leaves an end open.
        </li>
        <li>
          Fields include <code>age_approx</code>, <code>sex</code>, <code>diagnosis_1</code>…
          <code>diagnosis_5</code>, <code>anatom_site_1</code>, <code>image_type</code>,{' '}
          <code>copyright_license</code>, <code>melanocytic</code>, <code>fitzpatrick_skin_type</code>,{' '}
          <code>isic_id</code>. Unknown fields are refused by the archive.
        </li>
      </ul>
      <h3>Examples</h3>
      <ul className="isic-examples">
        {QUERY_EXAMPLES.map((e) => (
          <li key={e.query}>
            <button
              type="button"
              className="link-button"
              aria-label={`Use the example ${e.query}`}
              onClick={() => onUse(e.query)}
            >
              <code>{e.query}</code>
            </button>{' '}
            <span className="muted">{e.meaning}</span>
          </li>
        ))}
      </ul>
    </aside>
  );
}
