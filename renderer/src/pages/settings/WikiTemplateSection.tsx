import { useEffect, useState } from 'react';
import { wikiPageTemplateSchema } from '../../../../shared/commands/settings';
import {
  DEFAULT_PAGE_TEMPLATE,
  PLACEHOLDERS,
  unknownPlaceholders,
  wikiPageText,
} from '../../../../shared/wikiPage';
import type { PlaceholderValues, WikiFacts } from '../../../../shared/wikiPage';
import { useApi } from '../../api';
import { Field } from '../../components/Field';

/** What the preview fills the template with: one image of a Radiopaedia case. */
const SAMPLE: PlaceholderValues = {
  title: 'Medulloblastoma (Radiopaedia 70001-700011 Axial T1 1).jpg',
  description: 'Medulloblastoma. Study 700011: MRI, axial T1, image 1 of 24.',
  date: '2019-03-14',
  source: '[https://radiopaedia.org/cases/70001 Radiopaedia case 70001]',
  author: 'Dr Jane Doe, Radiopaedia.org',
  permission: '[https://creativecommons.org/licenses/by-nc-sa/3.0/ CC BY-NC-SA 3.0]',
  licence: '{{CC-BY-NC-SA-3.0}}',
  license: '{{CC-BY-NC-SA-3.0}}',
  categories:
    '[[Category:Radiopaedia images by system: Central nervous system]]\n[[Category:Radiopaedia images by type: MRI]]',
  attribution: 'Case courtesy of Dr Jane Doe, Radiopaedia.org, rID: 70001',
  caseTitle: 'Medulloblastoma',
  rid: '70001',
  study: '700011',
  modality: 'MRI',
  plane: 'Axial',
  aux: 'T1',
  position: '1',
  systems: 'Central nervous system',
  isicId: '',
  batch: '12',
  imageNo: '1',
  stackRef: 'A',
  comment: '',
};
const SAMPLE_FACTS: WikiFacts = {
  kind: 'radiopaedia',
  values: SAMPLE,
  categories: [],
  comment: null,
  notes: [],
};

/** Settings → Wiki page text: the template every new wiki upload starts from, with a live preview. */
export function WikiTemplateSection() {
  const api = useApi();
  const [saved, setSaved] = useState<string | null>(null);
  const [template, setTemplate] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.call('settings.get', {}).then(
      (s) => {
        setSaved(s.wikiPageTemplate);
        setTemplate(s.wikiPageTemplate);
      },
      (e: Error) => setError(e.message),
    );
  }, [api]);

  const unknown = unknownPlaceholders(template);
  const problem = !template.trim()
    ? 'The page text cannot be empty.'
    : unknown.length > 0
      ? `Unknown placeholder${unknown.length === 1 ? '' : 's'}: ${unknown.map((n) => `\${${n}}`).join(', ')}.`
      : null;
  const save = () => {
    if (!wikiPageTemplateSchema.safeParse(template).success) return;
    setStatus(null);
    api.call('settings.save', { wikiPageTemplate: template }).then(
      (s) => {
        setSaved(s.wikiPageTemplate);
        setStatus('Saved. New wiki uploads start from this page text.');
      },
      (e: Error) => setError(e.message),
    );
  };

  return (
    <section aria-labelledby="wiki-template-title" className="settings-section">
      <h2 id="wiki-template-title">Wiki page text</h2>
      <p className="muted">
        The description page every uploaded file gets on a wiki; each upload can still change it.
        Placeholders: {PLACEHOLDERS.map((p) => `\${${p}}`).join(' ')}
      </p>
      {error && (
        <div role="alert" className="banner banner-error">
          {error}
        </div>
      )}
      <div className="wiki-template">
        <Field label="Page text template" error={problem}>
          {(props) => (
            <textarea
              {...props}
              className="input wiki-template-text"
              rows={16}
              spellCheck={false}
              value={template}
              onChange={(e) => {
                setTemplate(e.target.value);
                setStatus(null);
              }}
            />
          )}
        </Field>
        <figure className="field wiki-template-figure">
          <figcaption className="field-label">Preview (an image of a Radiopaedia case)</figcaption>
          <pre className="wiki-template-preview" tabIndex={0}>
            {problem ? '' : wikiPageText(SAMPLE_FACTS, template)}
          </pre>
        </figure>
      </div>
      <div className="form-actions">
        <button
          type="button"
          className="button primary"
          disabled={saved === null || problem !== null || template === saved}
          onClick={save}
        >
          Save page text
        </button>
        <button type="button" className="button" onClick={() => setTemplate(DEFAULT_PAGE_TEMPLATE)}>
          Restore the default
        </button>
        {status && (
          <span role="status" className="muted">
            {status}
          </span>
        )}
      </div>
    </section>
  );
}
