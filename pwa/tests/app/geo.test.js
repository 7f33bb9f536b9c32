import { describe, expect, it } from 'vitest';

import { assessFix, distanceMeters, hasCoords } from '../../src/features/inspector/geo.js';

const hoanKiemLake = { lat: 21.0288, lon: 105.8525 };
const dongXuan = { lat: 21.0385, lon: 105.8495 };

describe('distanceMeters()', () => {
  it('is about 1.1 km from Hoàn Kiếm lake to Đồng Xuân market', () => {
    const d = distanceMeters(hoanKiemLake, dongXuan);
    expect(d).toBeGreaterThan(1050);
    expect(d).toBeLessThan(1150);
  });

  it('is symmetric and zero for the same point', () => {
    expect(distanceMeters(dongXuan, hoanKiemLake)).toBeCloseTo(distanceMeters(hoanKiemLake, dongXuan), 6);
    expect(distanceMeters(dongXuan, dongXuan)).toBe(0);
  });

  it('matches a known long distance (Hà Nội → Hồ Chí Minh City, ~1,140 km)', () => {
    const d = distanceMeters({ lat: 21.0285, lon: 105.8542 }, { lat: 10.7769, lon: 106.7009 });
    expect(d / 1000).toBeGreaterThan(1130);
    expect(d / 1000).toBeLessThan(1150);
  });

  it('is null without coordinates', () => {
    expect(distanceMeters(null, dongXuan)).toBeNull();
    expect(distanceMeters({ lat: null, lon: null }, dongXuan)).toBeNull();
    expect(hasCoords({ lat: 91, lon: 0 })).toBe(false);
  });
});

describe('assessFix()', () => {
  it('warns when more than 500 m from the market', () => {
    expect(assessFix({ ...hoanKiemLake, accuracy_m: 10 }, dongXuan)).toMatchObject({ far: true, poor: false });
    expect(assessFix({ lat: 21.0386, lon: 105.8496, accuracy_m: 12 }, dongXuan)).toMatchObject({ far: false, poor: false });
  });

  it('flags a poor fix', () => {
    expect(assessFix({ ...dongXuan, accuracy_m: 250 }, dongXuan).poor).toBe(true);
  });

  it('cannot judge distance for a market without coordinates', () => {
    expect(assessFix({ ...dongXuan, accuracy_m: 5 }, { lat: null, lon: null })).toEqual({ distance_m: null, far: false, poor: false });
  });
});
