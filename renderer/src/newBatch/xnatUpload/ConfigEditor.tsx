import type { ConfigForm } from './configForm';

const FIXED_XNAT_KEYS = ['server', 'project'];

/**
 * The Configuration sheet's three sections in a form: path patterns (one cell per path level,
 * separated by /), mappings (values joined with _; DICOM:Keyword reads the header), and the XNAT
 * section's other settings (Server and Project come from the connection and project chosen above).
 */
export function ConfigEditor({ form, onChange }: { form: ConfigForm; onChange(form: ConfigForm): void }) {
  const setPattern = (i: number, patch: Partial<ConfigForm['patterns'][number]>) =>
    onChange({ ...form, patterns: form.patterns.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  const setMapping = (i: number, patch: Partial<ConfigForm['mappings'][number]>) =>
    onChange({ ...form, mappings: form.mappings.map((m, j) => (j === i ? { ...m, ...patch } : m)) });
  const setXnat = (i: number, patch: Partial<ConfigForm['xnat'][number]>) =>
    onChange({ ...form, xnat: form.xnat.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
  const nextLabel = () => {
    let n = form.patterns.length + 1;
    while (form.patterns.some((p) => p.label === `Pattern${n}`)) n++;
    return `Pattern${n}`;
  };
  return (
    <div className="xu-config">
      <fieldset className="xu-section">
        <legend>Paths</legend>
        <p className="muted small">
          One cell per folder level, separated by <code>/</code>. <code>{'{Name}'}</code> captures text,{' '}
          <code>{'{YYYY}'}</code> exactly that many digits, <code>*</code> one folder, <code>**</code> one or
          more. Patterns are tried top-down; the first that matches the whole path wins.
        </p>
        {form.patterns.map((p, i) => (
          <div className="xu-row" key={i}>
            <input
              className="input xu-label"
              aria-label={`Label of pattern ${i + 1}`}
              value={p.label}
              onChange={(e) => setPattern(i, { label: e.target.value })}
            />
            <input
              className="input xu-cells-input"
              aria-label={`Cells of pattern ${i + 1}`}
              value={p.cells}
              spellCheck={false}
              onChange={(e) => setPattern(i, { cells: e.target.value })}
            />
            <button
              type="button"
              className="button"
              aria-label={`Remove pattern ${i + 1}`}
              disabled={form.patterns.length === 1}
              onClick={() => onChange({ ...form, patterns: form.patterns.filter((_, j) => j !== i) })}
            >
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          className="link-button"
          onClick={() =>
            onChange({ ...form, patterns: [...form.patterns, { label: nextLabel(), cells: '' }] })
          }
        >
          Add a pattern
        </button>
      </fieldset>

      <fieldset className="xu-section">
        <legend>Mappings</legend>
        <p className="muted small">
          Where files go in XNAT: Subject, Session and Dataset are required. Give captured names or{' '}
          <code>DICOM:Keyword</code>, separated by commas; several values are joined with <code>_</code>.
        </p>
        {form.mappings.map((m, i) => (
          <div className="xu-row" key={i}>
            <input
              className="input xu-label"
              aria-label={`Name of mapping ${i + 1}`}
              value={m.name}
              readOnly={['Subject', 'Session', 'Dataset'].includes(m.name)}
              onChange={(e) => setMapping(i, { name: e.target.value })}
            />
            <input
              className="input xu-cells-input"
              aria-label={`Mapping ${m.name || i + 1}`}
              value={m.sources}
              spellCheck={false}
              onChange={(e) => setMapping(i, { sources: e.target.value })}
            />
          </div>
        ))}
      </fieldset>

      <fieldset className="xu-section">
        <legend>XNAT</legend>
        {form.xnat.map((x, i) =>
          FIXED_XNAT_KEYS.includes(x.key.toLowerCase()) ? null : (
            <div className="xu-row" key={i}>
              <input
                className="input xu-label"
                aria-label={`Name of XNAT setting ${i + 1}`}
                value={x.key}
                onChange={(e) => setXnat(i, { key: e.target.value })}
              />
              <input
                className="input xu-cells-input"
                aria-label={`XNAT setting ${x.key || i + 1}`}
                value={x.value}
                onChange={(e) => setXnat(i, { value: e.target.value })}
              />
            </div>
          ),
        )}
      </fieldset>
    </div>
  );
}
