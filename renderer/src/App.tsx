import { useEffect, useState } from 'react';
import type { AppInfo } from '../../shared/contract';
import { useApi, useEngineEvent } from './api';
import { AttentionPage } from './pages/AttentionPage';
import { BatchPage } from './pages/BatchPage';
import { BatchesPage } from './pages/BatchesPage';
import { SettingsPage } from './pages/SettingsPage';
import { NewBatchPage } from './newBatch/NewBatchPage';
import { ReviewPage } from './newBatch/xnatUpload/ReviewPage';
import { BatchNotifications } from './components/BatchNotifications';
import { hrefOf, useRoute } from './route';
import type { Route } from './route';

const NAV: { page: Route['page']; label: string; route: Route }[] = [
  { page: 'batches', label: 'Batches', route: { page: 'batches' } },
  { page: 'new', label: 'New batch', route: { page: 'new' } },
  { page: 'attention', label: 'Attention', route: { page: 'attention' } },
  { page: 'settings', label: 'Settings', route: { page: 'settings' } },
];

function useAttentionTotal(): number {
  const api = useApi();
  const [total, setTotal] = useState(0);
  const refresh = () => {
    void api
      .call('attention.summary', {})
      .then((groups) => setTotal(groups.reduce((n, g) => n + g.count, 0)));
  };
  useEffect(refresh, [api]);
  useEngineEvent('batch.changed', refresh);
  return total;
}

export function App() {
  const api = useApi();
  const route = useRoute();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const attention = useAttentionTotal();
  useEffect(() => {
    api.call('app.info', {}).then(setInfo, (e: Error) => setError(e.message));
  }, [api]);

  const active = route.page === 'batch' ? 'batches' : route.page;
  return (
    <div className="app" data-app-state={info ? 'loaded' : 'loading'}>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span>Imaging Courier</span>
        </div>
        <ul>
          {NAV.map((n) => (
            <li key={n.page}>
              <a
                href={hrefOf(n.route)}
                aria-current={active === n.page ? 'page' : undefined}
                className="nav-link"
              >
                {n.label}
                {n.page === 'attention' && attention > 0 && (
                  <span className="nav-badge" aria-label={`${attention} files need attention`}>
                    {attention.toLocaleString()}
                  </span>
                )}
              </a>
            </li>
          ))}
        </ul>
        <BatchNotifications />
        <div className="sidebar-foot">
          {info ? `${info.mode === 'web' ? 'Web mode' : 'Desktop'} · v${info.version}` : ''}
        </div>
      </nav>
      <main className="content">
        {error && (
          <div role="alert" className="banner banner-error">
            {error}
          </div>
        )}
        {route.page === 'batches' && <BatchesPage />}
        {route.page === 'batch' &&
          (route.view === 'review' ? (
            <ReviewPage batchId={route.batchId} />
          ) : (
            <BatchPage batchId={route.batchId} />
          ))}
        {route.page === 'attention' && <AttentionPage />}
        {route.page === 'settings' && <SettingsPage info={info} />}
        {route.page === 'new' && <NewBatchPage flow={route.flow} />}
      </main>
    </div>
  );
}
