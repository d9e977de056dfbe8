import { STYLESHEET } from '../../../src/web/style';

describe('STYLESHEET', () => {
  it('stays one small file that loads nothing else', () => {
    expect(Buffer.byteLength(STYLESHEET)).toBeLessThan(6 * 1024);
    expect(STYLESHEET).not.toMatch(/@import|url\(/);
  });

  it('keeps tap targets at least 44 px (3rem) high and shows the keyboard focus', () => {
    expect(STYLESHEET).toMatch(/button,\.button\{[^}]*min-height:3rem/);
    expect(STYLESHEET).toMatch(/input\[type=tel\]\{[^}]*min-height:3rem/);
    expect(STYLESHEET).toMatch(/:focus-visible[^{]*\{outline:3px solid/);
  });

  it('never sets body text below 15 px', () => {
    const sizes = [...STYLESHEET.matchAll(/font-size:([\d.]+)rem/g)].map((m) => Number(m[1]));

    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(0.9375);
  });
});
