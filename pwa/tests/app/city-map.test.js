import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { CHART, trendGeometry, trendMode } from '../../src/features/city/screens/chart.js';
import { SHADES, bbox, dotStatus, fitProjection, pathData, scaleBar, unitLook } from '../../src/features/city/map/geometry.js';
import { mapLayers } from '../../src/features/city/map/layers.js';

const wards = JSON.parse(readFileSync(new URL('../../../shared_schema/geo/hanoi-2025/wards.geojson', import.meta.url)));
const city = JSON.parse(readFileSync(new URL('../../../shared_schema/geo/hanoi-2025/city.geojson', import.meta.url)));
const geo = { units: new Map(wards.features.map((f) => [f.properties.code, f])), outline: city.features };

describe('projection', () => {
  const box = [105.0, 20.0, 106.0, 21.0];
  const proj = fitProjection(box, { width: 640, pad: 10 });

  it('puts the box inside the drawing, north up, west left', () => {
    expect(proj.point(105.0, 21.0)).toEqual([10, 10]);
    const [x, y] = proj.point(106.0, 20.0);
    expect(x).toBeCloseTo(630, 0);
    expect(y).toBeCloseTo(proj.height - 10, 0);
  });

  it('shrinks longitudes by cos(latitude), so a degree east is shorter than a degree north', () => {
    const k = Math.cos((20.5 * Math.PI) / 180);
    expect(proj.height - 20).toBeCloseTo(620 / k, -1);
    // 1 km east and 1 km north are the same length on the map
    const east = proj.x(105.5 + 1 / (111.195 * k)) - proj.x(105.5);
    const north = proj.y(0, 20.5) - proj.y(0, 20.5 + 1 / 111.195);
    expect(east).toBeCloseTo(north, 1);
    expect(1000 / proj.metresPerUnit).toBeCloseTo(north, 1);
  });

  it('fits all of Hanoi\'s units, and widens a single point to a box with a size', () => {
    const all = bbox(wards.features.map((f) => f.geometry));
    expect(all[0]).toBeGreaterThan(105.2);
    expect(all[2]).toBeLessThan(106.1);
    const one = fitProjection(bbox([], [{ lat: 21.03, lon: 105.85 }]));
    expect(Number.isFinite(one.height)).toBe(true);
    expect(one.point(105.85, 21.03)[0]).toBeCloseTo(320, 0);
  });

  it('writes a closed path per ring (MultiPolygon too)', () => {
    const d = pathData({ type: 'MultiPolygon', coordinates: [[[[105, 20], [106, 20], [106, 21], [105, 20]]], [[[105.2, 20.2], [105.3, 20.2], [105.2, 20.3], [105.2, 20.2]]]] }, proj);
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.match(/Z/g)).toHaveLength(2);
    expect(d.startsWith('M10,')).toBe(true);
  });

  it('picks a round scale bar', () => {
    expect(scaleBar(25, 100)).toEqual({ metres: 2000, length: 80 });
    expect(scaleBar(1, 100)).toEqual({ metres: 100, length: 100 });
    expect(scaleBar(0)).toBeNull();
  });
});

describe('shading and legend classes', () => {
  const figures = (compliant, nonCompliant, total) => ({
    markets_total: total, compliant, non_compliant: nonCompliant, not_assessed: total - compliant - nonCompliant,
    value: total ? compliant / total : null, coverage: total ? (compliant + nonCompliant) / total : null,
  });

  it('has five classes covering 0–100 %', () => {
    expect(SHADES.map((s) => s.key)).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(SHADES[0].from).toBe(0);
    expect(SHADES[4].to).toBe(1);
  });

  it('shades by share compliant, the top class includes 100 %', () => {
    expect(unitLook(figures(0, 4, 4)).shade).toBe('s0');
    expect(unitLook(figures(1, 3, 4)).shade).toBe('s1');
    expect(unitLook(figures(2, 2, 4)).shade).toBe('s2');
    expect(unitLook(figures(3, 1, 4)).shade).toBe('s3');
    expect(unitLook(figures(4, 0, 4))).toEqual({ shade: 's4', hatched: false });
  });

  it('hatches low coverage and nothing assessed; a unit without markets is empty, not hatched', () => {
    expect(unitLook(figures(1, 0, 3)).hatched).toBe(true); // 33 % coverage
    expect(unitLook(figures(1, 1, 4)).hatched).toBe(false); // exactly 50 %
    expect(unitLook(figures(0, 0, 5))).toEqual({ shade: 's0', hatched: true });
    expect(unitLook(figures(0, 0, 0))).toEqual({ shade: 'empty', hatched: false });
  });

  it('colours a market without evidence but with a visit awaiting review as pending', () => {
    expect(dotStatus({ status: 'not_assessed', pending_review: true })).toBe('pending_review');
    expect(dotStatus({ status: 'compliant', pending_review: true })).toBe('compliant');
    expect(dotStatus({ status: 'non_compliant' })).toBe('non_compliant');
    expect(dotStatus({ status: 'odd' })).toBe('not_assessed');
  });
});

describe('map layers', () => {
  const row = (code, id) => ({ org_unit: { id, code, name: code }, markets_total: 0, compliant: 0, non_compliant: 0 });
  const item = (id, status) => ({ market: { id, code: `M${id}`, name: `Chợ ${id}` }, status, pending_review: false });

  it('draws the breakdown units that have a boundary, and every market with coordinates', () => {
    const indicator = { org_unit: { id: null, code: null, level: 'city' }, breakdown: [row('00004', 1), row('00008', 2), row('HN-OLD', 3)] };
    const layers = mapLayers({ indicator, markets: [item(1, 'compliant'), item(2, 'not_assessed')], replica: [{ id: 1, lat: 21.03, lon: 105.83 }], geo });
    expect(layers.units.map((u) => u.row.org_unit.code)).toEqual(['00004', '00008']);
    expect(layers.dots).toHaveLength(1);
    expect(layers.missing).toHaveLength(1);
    expect(layers.outline).toBe(geo.outline);
  });

  it('before the reform (districts without boundaries) puts the markets on the city outline', () => {
    const indicator = { org_unit: { id: null, level: 'city' }, breakdown: [row('HN-HBT', 1), row('HN-BD', 2)] };
    const layers = mapLayers({ indicator, markets: [{ ...item(1, 'compliant'), market: { id: 1, lat: 21, lon: 105.8 } }], geo });
    expect(layers.shapes).toBe(false);
    expect(layers.outline).toHaveLength(1);
    expect(layers.dots).toHaveLength(1);
  });

  it('a unit drilled into is drawn alone, not as a link', () => {
    const indicator = { org_unit: { id: 9, code: '00070', level: 'ward' }, breakdown: [], markets_total: 1, compliant: 1, non_compliant: 0 };
    const layers = mapLayers({ indicator, markets: [], geo });
    expect(layers.units).toHaveLength(1);
    expect(layers.units[0].drill).toBe(false);
    expect(layers.outline).toEqual([]);
  });

  it('draws markets without boundaries when the geojson could not be read', () => {
    const layers = mapLayers({ indicator: { org_unit: {}, breakdown: [row('00004', 1)] }, markets: [], geo: null });
    expect(layers.units).toEqual([]);
    expect(layers.outline).toEqual([]);
  });
});

describe('trend by year to date', () => {
  const month = (i, value, coverage, ytd) => ({ period: { id: `2025-${String(i + 1).padStart(2, '0')}` }, value, coverage, ...(ytd === undefined ? {} : { year_to_date: ytd }) });
  const y0 = CHART.height - CHART.bottom;
  const y1 = CHART.top;

  it('falls back to the month\'s own share as bars and coverage as the line without year_to_date', () => {
    const geo2 = trendGeometry([month(0, 0.5, 1), month(1, 1, 0.5)], 0.9);
    expect(geo2.mode).toBe('month');
    expect(trendMode([month(0, 0.5, 1)])).toBe('month');
    expect(geo2.bars[1].y).toBe(y1);
    expect(geo2.line.map((p) => p.y)).toEqual([y1, (y0 + y1) / 2]);
  });

  it('plots year_to_date.value as the line and the month\'s coverage as bars when present', () => {
    const months = [month(0, 0.2, 0.25, { value: 1, coverage: 0.25 }), month(1, null, null, { value: 0.5, coverage: 0.5 }), month(2, null, null, null)];
    const geo2 = trendGeometry(months, null);
    expect(geo2.mode).toBe('ytd');
    expect(geo2.bars[0].y).toBeCloseTo(y0 - 0.25 * (y0 - y1), 1);
    expect(geo2.bars[1].missing).toBe(true);
    expect(geo2.line).toHaveLength(2);
    expect(geo2.line[0].y).toBe(y1);
    expect(geo2.line[1].y).toBeCloseTo((y0 + y1) / 2, 1);
  });
});

describe('the review screen\'s location sketch', async () => {
  const { localMetres, sketchGeometry } = await import('../../src/features/review/screens/placeSketch.js');
  const market = { lat: 21.0, lon: 105.85 };

  it('puts the market in the middle and the phone east/north of it, north up', () => {
    const phone = { lat: 21.0 + 200 / 111_195, lon: 105.85, accuracy_m: 0 };
    expect(localMetres(market, phone).north).toBeCloseTo(200, 3);
    const g = sketchGeometry(market, phone);
    expect(g.market).toEqual({ x: 160, y: 90 });
    expect(g.phone.x).toBe(160);
    expect(g.phone.y).toBeLessThan(90);
  });

  it('keeps the phone and its accuracy circle inside the frame, with a round scale bar', () => {
    const phone = { lat: 21.0, lon: 105.85 + 1500 / (111_195 * Math.cos((21 * Math.PI) / 180)), accuracy_m: 50 };
    const g = sketchGeometry(market, phone);
    expect(g.phone.x + g.accuracy).toBeLessThanOrEqual(g.width);
    expect([1, 2, 5].some((m) => [10, 100, 1000].some((p) => g.scale.metres === m * p))).toBe(true);
  });
});
