import { describe, expect, it } from 'vitest';

import { fold, matches, matchesTokens, queryTokens } from '../../src/shared/text.js';

describe('fold()', () => {
  it.each([
    ['Chợ Hôm', 'cho hom'],
    ['Đồng Xuân', 'dong xuan'],
    ['ĐÌNH', 'dinh'],
    ['Phường  Ngọc   Hà ', 'phuong ngoc ha'],
    ['Chợ Mơ', 'cho mo'],
    ['Ưu Đãi Ơn', 'uu dai on'],
    ['', ''],
    [null, ''],
    [undefined, ''],
    [12, '12'],
  ])('%s → %s', (input, expected) => {
    expect(fold(input)).toBe(expected);
  });

  it('folds precomposed and decomposed input alike', () => {
    const composed = 'Chợ Hôm'.normalize('NFC');
    const decomposed = 'Chợ Hôm'.normalize('NFD');
    expect(fold(composed)).toBe(fold(decomposed));
  });
});

describe('matching', () => {
  it('finds "Chợ Hôm" with or without diacritics, in any case', () => {
    expect(matches('cho hom', 'Chợ Hôm')).toBe(true);
    expect(matches('Chợ Hôm', 'Chợ Hôm')).toBe(true);
    expect(matches('HOM', 'Chợ Hôm')).toBe(true);
    expect(matches('hôm chợ', 'Chợ Hôm')).toBe(true); // every word, any order
  });

  it('folds đ to d on both sides', () => {
    expect(matches('dong xuan', 'Chợ Đồng Xuân')).toBe(true);
    expect(matches('đồng', 'Chợ Dong Xuan')).toBe(true);
  });

  it('needs every word', () => {
    expect(matches('cho hom moi', 'Chợ Hôm')).toBe(false);
  });

  it('searches across several texts (name, ward)', () => {
    expect(matches('ngoc ha', 'Chợ Hoàng Hoa Thám', 'Phường Ngọc Hà')).toBe(true);
  });

  it('a blank query matches everything', () => {
    expect(queryTokens('   ')).toEqual([]);
    expect(matchesTokens([], 'anything')).toBe(true);
  });
});
