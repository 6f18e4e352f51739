import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejectionOf, startFixture } from './xnatFixture';
import type { XnatFixture } from './xnatFixture';

let fx: XnatFixture;

beforeEach(async () => {
  fx = await startFixture({
    users: [
      { username: 'courier', password: 'courier-password' },
      { username: 'other', password: 'other-password' },
    ],
  });
  const state = fx.emulator.state;
  state.addProject({ id: 'READONLY', secondaryId: 'HUB-RO', members: { courier: 'collaborator' } });
  state.addProject({ id: 'SECRET', secondaryId: 'HUB-SECRET', members: { other: 'owner' } });
});

afterEach(async () => {
  await fx.close();
});

describe('finding projects', () => {
  it('by ID, by alias (XNAT resolves both) and by secondary ID (found by listing)', async () => {
    const expected = { id: 'P1', secondaryId: 'HUB-001', name: 'Project one' };
    expect(await fx.client.findProject('P1')).toEqual(expected);
    expect(await fx.client.findProject('P1-ALIAS')).toEqual(expected);
    expect(await fx.client.findProject('HUB-001')).toEqual(expected);
    const paths = fx.emulator.state.requestLog.map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(paths).toContain('GET /data/projects/HUB-001 404');
    expect(paths).toContain('GET /data/projects 200');
  });

  it('a missing or invisible project is a 404 sentence naming it', async () => {
    for (const key of ['NOPE', 'SECRET', 'HUB-SECRET']) {
      const error = await rejectionOf(fx.client.findProject(key));
      expect(error.code).toBe('xnat-project-not-found');
      expect(error.retryable).toBe(false);
      expect(error.message).toBe(
        `XNAT answered 404: project '${key}' not found (checked IDs, aliases and secondary IDs visible to user 'courier')`,
      );
    }
  });

  it('lists projects the user can read, and those it can edit', async () => {
    const readable = await fx.client.listProjects('read');
    expect(readable.map((p) => p.id).sort()).toEqual(['P1', 'READONLY']);
    expect(readable.find((p) => p.id === 'P1')).toEqual({
      id: 'P1',
      secondaryId: 'HUB-001',
      name: 'Project one',
    });
    const editable = await fx.client.listProjects('edit');
    expect(editable.map((p) => p.id)).toEqual(['P1']);
  });
});

describe('creating the hierarchy', () => {
  it('subject: 201 then 200 with the same accession ID', async () => {
    const first = await fx.client.ensureSubject('P1', 'SUBJ 01');
    const again = await fx.client.ensureSubject('P1', 'SUBJ 01');
    expect(first).toEqual({ id: 'XNAT_S00001', created: true });
    expect(again).toEqual({ id: 'XNAT_S00001', created: false });
    const statuses = fx.emulator.state.requestLog.filter((r) => r.method === 'PUT').map((r) => r.status);
    expect(statuses).toEqual([201, 200]);
  });

  it('experiment: creates its subject, takes xsiType and a DICOM date, 201 then 200', async () => {
    const target = {
      project: 'P1',
      subject: 'S1',
      label: 'S1_CT1',
      xsiType: 'xnat:ctSessionData',
      date: '20200312',
    };
    expect(await fx.client.ensureExperiment(target)).toMatchObject({ created: true });
    expect(await fx.client.ensureExperiment(target)).toMatchObject({ created: false });
    const stored = fx.emulator.state.experiment('P1', 'S1_CT1');
    expect(stored).toMatchObject({ xsiType: 'xnat:ctSessionData', date: '2020-03-12', label: 'S1_CT1' });
    expect(stored?.subject.label).toBe('S1');
  });

  it('scan (ID, type) and resource (409 = exists, reused)', async () => {
    await fx.client.ensureExperiment({
      project: 'P1',
      subject: 'S1',
      label: 'E1',
      xsiType: 'xnat:mrSessionData',
    });
    const scan = {
      project: 'P1',
      subject: 'S1',
      experiment: 'E1',
      scan: '7',
      xsiType: 'xnat:mrScanData',
      type: 'T1_MPRAGE',
    };
    await fx.client.ensureScan(scan);
    await fx.client.ensureScan(scan);
    expect(fx.emulator.state.experiment('P1', 'E1')?.scans.get('7')).toMatchObject({
      id: '7',
      scanType: 'T1_MPRAGE',
    });
    const owner = { project: 'P1', subject: 'S1', experiment: 'E1', scan: '7' };
    expect(await fx.client.ensureResource(owner, 'DICOM', { format: 'DICOM' })).toEqual({ created: true });
    expect(await fx.client.ensureResource(owner, 'DICOM', { format: 'DICOM' })).toEqual({ created: false });
    const resourcePuts = fx.emulator.state.requestLog.filter((r) => r.path.endsWith('/resources/DICOM'));
    expect(resourcePuts.map((r) => r.status)).toEqual([200, 409]);
  });

  it('a scan on a missing experiment and a resource on a missing scan say what is missing', async () => {
    await fx.client.ensureExperiment({
      project: 'P1',
      subject: 'S1',
      label: 'E1',
      xsiType: 'xnat:mrSessionData',
    });
    const scanError = await rejectionOf(
      fx.client.ensureScan({ project: 'P1', subject: 'S1', experiment: 'NOPE', scan: '1', type: 'x' }),
    );
    expect(scanError.code).toBe('xnat-experiment-not-found');
    expect(scanError.message).toBe(
      "XNAT answered 404: experiment 'NOPE' (subject 'S1', project 'P1') not found",
    );
    const resourceError = await rejectionOf(
      fx.client.ensureResource({ project: 'P1', subject: 'S1', experiment: 'E1', scan: '99' }, 'DICOM'),
    );
    expect(resourceError.code).toBe('xnat-scan-not-found');
    expect(resourceError.message).toContain("scan 99 of experiment 'E1'");
  });

  it('creating in a missing project is xnat-project-not-found; in a read-only one xnat-forbidden', async () => {
    const missing = await rejectionOf(fx.client.ensureSubject('NOPE', 'S1'));
    expect(missing.code).toBe('xnat-project-not-found');
    const forbidden = await rejectionOf(fx.client.ensureSubject('READONLY', 'S1'));
    expect(forbidden.code).toBe('xnat-forbidden');
    expect(forbidden.retryable).toBe(false);
    expect(forbidden.message).toContain("user 'courier' lacks the permission");
  });

  it('pullDataFromHeaders, fixScanTypes and triggerPipelines reach the experiment', async () => {
    await fx.client.ensureExperiment({
      project: 'P1',
      subject: 'S1',
      label: 'E1',
      xsiType: 'xnat:ctSessionData',
    });
    const target = { project: 'P1', subject: 'S1', experiment: 'E1' };
    await fx.client.pullDataFromHeaders(target);
    await fx.client.fixScanTypes(target);
    await fx.client.triggerPipelines(target);
    expect(fx.emulator.state.experiment('P1', 'E1')?.actions).toEqual([
      'pullDataFromHeaders',
      'fixScanTypes',
      'triggerPipelines',
    ]);
  });
});

describe('finding experiments', () => {
  it('by label in a project, with its subject', async () => {
    fx.emulator.state.addExperiment('P1', 'SUBJ-9', 'ACC-0042', {
      xsiType: 'xnat:ctSessionData',
      date: '2021-05-06',
    });
    const experiment = await fx.client.findExperiment('P1', 'ACC-0042');
    expect(experiment).toEqual({
      id: 'XNAT_E00001',
      label: 'ACC-0042',
      project: 'P1',
      subjectId: 'XNAT_S00001',
      subjectLabel: 'SUBJ-9',
      xsiType: 'xnat:ctSessionData',
      date: '2021-05-06',
    });
  });

  it('a missing experiment, and a missing project, each say which', async () => {
    const experiment = await rejectionOf(fx.client.findExperiment('P1', 'ACC-404'));
    expect(experiment.code).toBe('xnat-experiment-not-found');
    expect(experiment.message).toBe("XNAT answered 404: experiment 'ACC-404' not found in project 'P1'");
    const project = await rejectionOf(fx.client.findExperiment('NOPE', 'ACC-404'));
    expect(project.code).toBe('xnat-project-not-found');
  });
});
