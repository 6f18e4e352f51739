import { useEffect, useState } from 'react';

export type Route =
  | { page: 'batches' }
  /** `view: 'review'`: the review of a scanned DICOM folder → XNAT batch, before its upload. */
  | { page: 'batch'; batchId: number; view?: 'review' }
  | { page: 'attention' }
  | { page: 'settings' }
  /** `flow` absent: the list of kinds of batch; otherwise that kind's form. */
  | { page: 'new'; flow?: string };

export function parseRoute(hash: string): Route {
  const parts = (hash.replace(/^#\/?/, '').split('?')[0] ?? '').split('/');
  if (parts[0] === 'batches' && parts[1] && /^\d+$/.test(parts[1]))
    return parts[2] === 'review'
      ? { page: 'batch', batchId: Number(parts[1]), view: 'review' }
      : { page: 'batch', batchId: Number(parts[1]) };
  if (parts[0] === 'attention') return { page: 'attention' };
  if (parts[0] === 'settings') return { page: 'settings' };
  if (parts[0] === 'new') return parts[1] ? { page: 'new', flow: parts[1] } : { page: 'new' };
  return { page: 'batches' };
}

export function hrefOf(route: Route): string {
  if (route.page === 'batch') return `#/batches/${route.batchId}${route.view === 'review' ? '/review' : ''}`;
  if (route.page === 'new') return route.flow ? `#/new/${route.flow}` : '#/new';
  return `#/${route.page}`;
}

/** The current route from the location hash (works from app:// and in web mode alike). */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
