import type { IncomingMessage, ServerResponse } from 'node:http';
import { stallRequest } from '../faultPlan';
import { csrfRequired } from './emulatorAuth';
import type { EmulatorSessions } from './emulatorAuth';
import type { EmulatorFaults, FaultSpec } from './emulatorFaults';
import { drain, HttpError, sendText } from './emulatorReply';
import type { EmulatorConfig, RequestContext } from './emulatorReply';
import type { XnatEmulatorState } from './emulatorState';
import { parseXnatPath } from './xnatPath';
import type { XnatPath } from './xnatPath';
import { authRoute, jsessionRoute, tokenIssueRoute } from './routes/authRoutes';
import {
  assessorRoute,
  experimentRoute,
  listAssessors,
  listExperiments,
  listScans,
  listSubjects,
  scanRoute,
  subjectRoute,
} from './routes/hierarchyRoutes';
import { getProject, listProjects } from './routes/projectRoutes';
import { filesRoute, fileRoute, listResources, resourceRoute } from './routes/resourceRoutes';

export interface ServerParts {
  state: XnatEmulatorState;
  sessions: EmulatorSessions;
  faults: EmulatorFaults;
  config: EmulatorConfig & { csrf: boolean };
  /** Aborted when the emulator closes, to end stalled requests. */
  closing: AbortSignal;
}

/** Handles one HTTP request: injected faults, then authentication (401 challenge), CSRF, and the route. */
export async function handleRequest(
  parts: ServerParts,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { state, sessions, faults } = parts;
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = (req.method ?? 'GET').toUpperCase();
  const rawPath = url.pathname;
  state.stats.requests += 1;
  state.stats.inFlight += 1;
  state.stats.mostInFlight = Math.max(state.stats.mostInFlight, state.stats.inFlight);
  let authVia: 'basic' | 'cookie' | 'none' = 'none';
  let faultName: string | undefined;
  res.on('close', () => {
    state.stats.inFlight -= 1;
    state.logRequest({
      method,
      path: rawPath,
      status: res.headersSent ? res.statusCode : 0,
      auth: authVia,
      userAgent: req.headers['user-agent'] ?? '',
      ...(faultName ? { fault: faultName } : {}),
    });
  });

  const fault = faults.takeRequestFault(method, rawPath);
  if (fault) {
    faultName = fault.kind;
    const proceed = await applyRequestFault(parts, fault, req, res);
    if (!proceed) return;
  }

  try {
    const route = parseXnatPath(rawPath);
    const auth = sessions.authenticate(req, res);
    if (!auth) {
      await drain(req);
      state.stats.unauthorized += 1;
      const browser = /Mozilla\//.test(req.headers['user-agent'] ?? '');
      res.setHeader('WWW-Authenticate', 'Basic realm="XNAT Protected Area"');
      if (browser) sendText(res, 401, '<!DOCTYPE html><html><body>Login</body></html>', 'text/html');
      else sendText(res, 401, 'Unauthorized: log in with a user name and password or an alias token');
      return;
    }
    authVia = auth.via;
    if (!route) throw new HttpError(404, `The requested resource was not found: ${rawPath}`);
    if (
      parts.config.csrf &&
      csrfRequired(req, auth) &&
      url.searchParams.get('XNAT_CSRF') !== auth.session.csrfToken
    ) {
      await drain(req);
      throw new HttpError(403, 'Invalid or missing XNAT_CSRF token');
    }
    const ctx: RequestContext = {
      req,
      res,
      method,
      rawPath,
      query: url.searchParams,
      auth,
      state,
      faults,
      config: parts.config,
    };
    await dispatch(ctx, route, sessions);
  } catch (err) {
    await drain(req);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof HttpError) {
      for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
      sendText(res, err.status, err.message);
      return;
    }
    sendText(res, 500, `Internal Server Error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function dispatch(ctx: RequestContext, route: XnatPath, sessions: EmulatorSessions): Promise<void> {
  switch (route.kind) {
    case 'jsession':
      return jsessionRoute(ctx, sessions);
    case 'auth':
      return authRoute(ctx);
    case 'token-issue':
      return tokenIssueRoute(ctx);
    case 'projects':
      return listProjects(ctx);
    case 'project':
      return getProject(ctx, route.project);
    case 'subjects':
      return listSubjects(ctx, route.project);
    case 'subject':
      return subjectRoute(ctx, route);
    case 'experiments':
      return listExperiments(ctx, route.project, route.subject);
    case 'experiment':
      return experimentRoute(ctx, route.ref);
    case 'scans':
      return listScans(ctx, route.ref);
    case 'scan':
      return scanRoute(ctx, route.ref, route.scan);
    case 'assessors':
      return listAssessors(ctx, route.ref);
    case 'assessor':
      return assessorRoute(ctx, route.ref, route.assessor);
    case 'resources':
      return listResources(ctx, route.owner);
    case 'resource':
      return resourceRoute(ctx, route.owner, route.resource);
    case 'files':
      return filesRoute(ctx, route.owner, route.resource);
    case 'file':
      return fileRoute(ctx, route.owner, route.resource, route.relPath);
  }
}

/** Applies a request-level fault; `false` means the request is finished (answered or dropped). */
async function applyRequestFault(
  parts: ServerParts,
  fault: FaultSpec,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  switch (fault.kind) {
    case 'reset':
      req.socket.destroy();
      return false;
    case 'status': {
      await drain(req);
      const status = fault.status ?? 503;
      if (fault.retryAfter !== undefined) res.setHeader('Retry-After', fault.retryAfter);
      sendText(
        res,
        status,
        status >= 500 ? `Server error ${status} (injected)` : `Error ${status} (injected)`,
      );
      return false;
    }
    case 'stall':
      return stallRequest(fault.stallMs ?? 2000, req, parts.closing);
    case 'expire-session':
      parts.sessions.expireAll();
      return true;
    default:
      return true;
  }
}
