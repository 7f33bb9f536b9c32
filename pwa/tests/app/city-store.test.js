// The city screens' adapter: calls, the kept answer when offline, downloads and their names.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  class ApiError extends Error {
    constructor({ status, code, message }) {
      super(message);
      this.name = 'ApiError';
      this.status = status;
      this.code = code;
    }
  }
  class NetworkError extends Error {
    constructor(message = 'offline', options) {
      super(message, options);
      this.name = 'NetworkError';
      this.code = 'network_error';
      this.status = 0;
    }
  }
  return {
    ApiError,
    NetworkError,
    apiRequest: vi.fn(),
    currentSession: vi.fn(async () => ({ user: { id: 7, role: 'city_officer' }, token: 'tok-7' })),
    listOrgUnits: vi.fn(async () => []),
  };
});
vi.mock('../../src/data/index.js', () => fake);

const store = await import('../../src/features/city/store.js');

beforeEach(() => {
  store.clearCache();
  fake.apiRequest.mockReset();
  fake.currentSession.mockImplementation(async () => ({ user: { id: 7, role: 'city_officer' }, token: 'tok-7' }));
});

describe('indicator calls', () => {
  it('asks the API with the period and unit, leaving out an empty unit', async () => {
    fake.apiRequest.mockResolvedValue({ status: 200, data: { value: 0.5 } });
    const result = await store.loadIndicator({ period: '2023-Q1', orgUnit: '' });
    expect(fake.apiRequest).toHaveBeenCalledWith('GET', '/indicator', { query: { period: '2023-Q1' } });
    expect(result).toMatchObject({ data: { value: 0.5 }, stale: false });
    await store.loadMarkets({ period: '2023', orgUnit: '12', status: 'not_assessed' });
    expect(fake.apiRequest).toHaveBeenLastCalledWith('GET', '/indicator/markets', { query: { period: '2023', org_unit: '12', status: 'not_assessed' } });
    await store.loadTrend({ year: 2023, orgUnit: 'HN-HBT' });
    expect(fake.apiRequest).toHaveBeenLastCalledWith('GET', '/indicator/trend', { query: { year: 2023, org_unit: 'HN-HBT' } });
  });

  it('offline, shows the last answer to the same question, marked stale', async () => {
    fake.apiRequest.mockResolvedValueOnce({ status: 200, data: { compliant: 3 } });
    const fresh = await store.loadIndicator({ period: '2023', orgUnit: '5' });
    fake.apiRequest.mockRejectedValueOnce(new fake.NetworkError());
    const kept = await store.loadIndicator({ period: '2023', orgUnit: '5' });
    expect(kept).toMatchObject({ data: { compliant: 3 }, stale: true, fetchedAt: fresh.fetchedAt });
  });

  it('offline with nothing kept for that question: the error comes through', async () => {
    fake.apiRequest.mockResolvedValueOnce({ status: 200, data: { compliant: 3 } });
    await store.loadIndicator({ period: '2023', orgUnit: '5' });
    fake.apiRequest.mockRejectedValueOnce(new fake.NetworkError());
    await expect(store.loadIndicator({ period: '2023', orgUnit: '6' })).rejects.toMatchObject({ name: 'NetworkError' });
  });

  it('never shows another user the kept answers', async () => {
    fake.apiRequest.mockResolvedValueOnce({ status: 200, data: { compliant: 3 } });
    await store.loadIndicator({ period: '2023' });
    fake.currentSession.mockImplementation(async () => ({ user: { id: 8 }, token: 'tok-8' }));
    fake.apiRequest.mockRejectedValueOnce(new fake.NetworkError());
    await expect(store.loadIndicator({ period: '2023' })).rejects.toMatchObject({ name: 'NetworkError' });
  });

  it('a refusal is not hidden behind a kept answer', async () => {
    fake.apiRequest.mockResolvedValueOnce({ status: 200, data: { compliant: 3 } });
    await store.loadIndicator({ period: '2023' });
    fake.apiRequest.mockRejectedValueOnce(new fake.ApiError({ status: 403, code: 'forbidden', message: 'no' }));
    await expect(store.loadIndicator({ period: '2023' })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('says what went wrong in words the screen can use', () => {
    expect(store.failure(new fake.NetworkError())).toBe('offline');
    expect(store.failure(new fake.ApiError({ status: 401, code: 'unauthorized' }))).toBe('signin');
    expect(store.failure(new fake.ApiError({ status: 403, code: 'forbidden' }))).toBe('forbidden');
    expect(store.failure(new fake.ApiError({ status: 400, code: 'invalid_period' }))).toBe('invalid_period');
    expect(store.failure(new fake.ApiError({ status: 400, code: 'invalid_org_unit' }))).toBe('invalid_org_unit');
    expect(store.failure(new fake.ApiError({ status: 500, code: 'internal' }))).toBe('other');
  });
});

describe('overdue markets', () => {
  it('reads the list when the server has it', async () => {
    fake.apiRequest.mockResolvedValueOnce({ status: 200, data: { days: 30, computed_at: null, markets: [{ id: 1 }] } });
    expect(await store.loadOverdue()).toMatchObject({ available: true, days: 30, markets: [{ id: 1 }] });
  });

  it('says "not available" while the route does not exist (404)', async () => {
    fake.apiRequest.mockRejectedValueOnce(new fake.ApiError({ status: 404, code: 'not_found' }));
    expect(await store.loadOverdue()).toEqual({ available: false });
  });

  it('still reports other failures', async () => {
    fake.apiRequest.mockRejectedValueOnce(new fake.ApiError({ status: 500, code: 'internal' }));
    await expect(store.loadOverdue()).rejects.toMatchObject({ status: 500 });
  });
});

describe('mark final', () => {
  it('posts the period and forgets kept answers (their badge is now wrong)', async () => {
    fake.apiRequest.mockResolvedValueOnce({ status: 200, data: { final: false } });
    await store.loadIndicator({ period: '2023' });
    fake.apiRequest.mockResolvedValueOnce({ status: 200, data: { final: true } });
    expect(await store.markFinal('2023')).toEqual({ final: true });
    expect(fake.apiRequest).toHaveBeenLastCalledWith('POST', '/indicator/final', { json: { period: '2023' } });
    fake.apiRequest.mockRejectedValueOnce(new fake.NetworkError());
    await expect(store.loadIndicator({ period: '2023' })).rejects.toMatchObject({ name: 'NetworkError' });
  });
});

describe('downloads', () => {
  it('reads the file name the server gives', () => {
    expect(store.filenameFrom('attachment; filename=chi-tieu-4.4_2023_ha-noi.csv')).toBe('chi-tieu-4.4_2023_ha-noi.csv');
    expect(store.filenameFrom('attachment; filename="chi-tieu-4.4_2023-Q1_HN-HBT.xlsx"')).toBe('chi-tieu-4.4_2023-Q1_HN-HBT.xlsx');
    expect(store.filenameFrom("attachment; filename=x.csv; filename*=UTF-8''b%C3%A1o-c%C3%A1o.csv")).toBe('báo-cáo.csv');
    expect(store.filenameFrom(null)).toBeNull();
    expect(store.fallbackFilename('2023', null, 'csv')).toBe('chi-tieu-4.4_2023_ha-noi.csv');
  });

  it('fetches with the token and returns the blob and the server name', async () => {
    const fetch = vi.fn(async () => new Response('\ufeffa,b\r\n', {
      status: 200, headers: { 'Content-Disposition': 'attachment; filename=chi-tieu-4.4_2023_HN-HBT.csv' },
    }));
    const { blob, filename } = await store.downloadReport({ period: '2023', orgUnit: '12', format: 'csv' }, fetch);
    expect(fetch.mock.calls[0][0]).toBe('/api/v1/reports/compliance.csv?period=2023&org_unit=12');
    expect(fetch.mock.calls[0][1].headers).toEqual({ Authorization: 'Bearer tok-7' });
    expect(filename).toBe('chi-tieu-4.4_2023_HN-HBT.csv');
    // The bytes are kept as sent, BOM included (Excel needs it for Vietnamese).
    expect([...new Uint8Array(await blob.arrayBuffer())].slice(0, 4)).toEqual([0xef, 0xbb, 0xbf, 0x61]);
  });

  it('turns the server error body into an ApiError, no answer into a NetworkError', async () => {
    const refuse = vi.fn(async () => new Response(JSON.stringify({ error: { code: 'forbidden', message: 'Outside your area.' } }), { status: 403 }));
    await expect(store.downloadReport({ period: '2023', format: 'xlsx' }, refuse)).rejects.toMatchObject({ name: 'ApiError', status: 403, code: 'forbidden' });
    const down = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(store.downloadReport({ period: '2023', format: 'xlsx' }, down)).rejects.toMatchObject({ name: 'NetworkError' });
  });

  it('needs a signed-in user', async () => {
    fake.currentSession.mockImplementation(async () => null);
    await expect(store.downloadReport({ period: '2023', format: 'csv' }, vi.fn())).rejects.toMatchObject({ status: 401 });
  });
});
