import type { AppInfo } from '../../../shared/contract';
import { BrowserSection } from './settings/BrowserSection';
import { ConnectionsSection } from './settings/ConnectionsSection';
import { DataFolderSection } from './settings/DataFolderSection';
import { LimitsSection } from './settings/LimitsSection';
import { WikiTemplateSection } from './settings/WikiTemplateSection';

export function SettingsPage({ info }: { info: AppInfo | null }) {
  return (
    <section aria-labelledby="settings-title" className="page">
      <header className="page-head">
        <h1 id="settings-title">Settings</h1>
      </header>
      <ConnectionsSection />
      <BrowserSection />
      <section aria-labelledby="about-title" className="settings-section">
        <h2 id="about-title">This installation</h2>
        <dl className="settings-list">
          <dt>Version</dt>
          <dd>{info?.version ?? '…'}</dd>
          <dt>Sources this build can read</dt>
          <dd>{info?.sourceKinds.join(', ') ?? '…'}</dd>
          <dt>Targets this build can deliver to</dt>
          <dd>{info?.targetKinds.join(', ') ?? '…'}</dd>
        </dl>
      </section>
      <DataFolderSection />
      <LimitsSection />
      <WikiTemplateSection />
    </section>
  );
}
