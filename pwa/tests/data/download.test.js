// Files fetched with the token (photos, the audit CSV): the bytes, the file name, the errors.
import { describe, expect, it } from 'vitest';

import { fetchBlob, filenameOf } from '../../src/data/download.js';
import { ApiError, NetworkError } from '../../src/data/errors.js';

describe('fetchBlob', () => {
  it('sends the token and returns the bytes with the server file name', async () => {
    const seen = [];
    const fetch = async (url, init) => {
      seen.push({ url, auth: init.headers.Authorization });
      return new Response('\ufeffdecided_at,visit_id\r\n', {
        headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="review-decisions.csv"' },
      });
    };
    const file = await fetchBlob('/review/decisions.csv', { token: 'tok', query: { from: '2023-03-01', to: '' }, fetch });
    expect(seen).toEqual([{ url: '/api/v1/review/decisions.csv?from=2023-03-01', auth: 'Bearer tok' }]);
    expect(file.filename).toBe('review-decisions.csv');
    expect(file.type).toContain('text/csv');
    expect(await file.blob.text()).toContain('decided_at,visit_id');
  });

  it('an error answer is an ApiError with the server code; no answer is a NetworkError', async () => {
    const notFound = async () => new Response(JSON.stringify({ error: { code: 'not_found', message: 'No such file.' } }), { status: 404 });
    await expect(fetchBlob('/attachments/ab', { token: 't', fetch: notFound })).rejects.toMatchObject({ name: 'ApiError', status: 404, code: 'not_found' });
    const html = async () => new Response('<html>proxy</html>', { status: 502 });
    await expect(fetchBlob('/attachments/ab', { token: 't', fetch: html })).rejects.toBeInstanceOf(ApiError);
    const offline = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(fetchBlob('/attachments/ab', { token: 't', fetch: offline })).rejects.toBeInstanceOf(NetworkError);
  });
});

describe('filenameOf', () => {
  it.each([
    ['attachment; filename="chi-tieu-4.4_2023_ha-noi.csv"', 'chi-tieu-4.4_2023_ha-noi.csv'],
    ["attachment; filename*=UTF-8''nh%E1%BA%ADt-k%C3%BD.csv", 'nhật-ký.csv'],
    ['attachment', null],
    [null, null],
  ])('%s → %s', (header, name) => {
    expect(filenameOf(header)).toBe(name);
  });
});
