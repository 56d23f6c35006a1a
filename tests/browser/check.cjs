#!/usr/bin/env node
// kooste's HTML editions in a real browser: Debian's chromium (headless)
// driven by puppeteer-core, with axe-core's WCAG 2.1 A and AA rules and
// its best practices (landmarks, heading order).
// usage: node check.cjs FILE.html [SCREENSHOT_DIR]
// Prints one JSON object with what a reader's browser sees (the Rust test
// tests/suite/web.rs asserts on it): axe violations, requests that left
// the file system, page-level horizontal scroll at 320 px, in-page links
// that lead nowhere, figures without a text alternative, tables without
// header cells, lang attributes, and counts of headings, figures and tables.
const puppeteer = require('puppeteer-core');
const fs = require('fs');
const path = require('path');

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.KOOSTE_CHROMIUM || '/usr/bin/chromium';

(async () => {
  const file = path.resolve(process.argv[2]);
  const shots = process.argv[3];
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  try {
    const page = await browser.newPage();
    const external = [];
    await page.setRequestInterception(true);
    page.on('request', (r) => {
      const u = r.url();
      if (u.startsWith('file:') || u.startsWith('data:') || u.startsWith('about:')) r.continue();
      else { external.push(u); r.abort(); }
    });
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto('file://' + file, { waitUntil: 'load' });
    if (shots) await page.screenshot({ path: path.join(shots, 'desktop-1280.png') });
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
      const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
      return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.html.slice(0, 160)) }));
    });
    const facts = await page.evaluate(() => {
      const ids = new Set([...document.querySelectorAll('[id]')].map((e) => e.id));
      const broken = [...document.querySelectorAll('a[href^="#"]')]
        .map((a) => decodeURIComponent(a.getAttribute('href').slice(1)))
        .filter((h) => !ids.has(h));
      const unnamed = [...document.querySelectorAll('figure')].filter((f) => {
        const img = f.querySelector('img');
        if (img) return !img.getAttribute('alt');
        if (f.querySelector('table')) return false;
        const named = f.querySelector('[role="img"][aria-label]');
        return !(named && named.getAttribute('aria-label').trim());
      });
      const marked = [...document.querySelectorAll('body [lang]')].map((e) => e.getAttribute('lang'));
      return {
        broken_links: broken,
        figures_without_alt: unnamed.length,
        tables: document.querySelectorAll('table').length,
        tables_without_th: [...document.querySelectorAll('table')].filter((t) => !t.querySelector('th')).length,
        th_without_scope: [...document.querySelectorAll('th')].filter((t) => !t.getAttribute('scope')).length,
        figures: document.querySelectorAll('figure').length,
        headings: [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]
          .map((h) => h.textContent.trim()),
        h1: document.querySelectorAll('h1').length,
        lang: document.documentElement.getAttribute('lang'),
        marked_langs: marked,
        nav: document.querySelectorAll('nav').length,
        contents: [...document.querySelectorAll('nav a')].map((a) => a.textContent.replace(/\s+/g, ' ').trim()),
        figcaptions: [...document.querySelectorAll('figcaption')].map((c) => c.textContent.replace(/\s+/g, ' ').trim()),
        skip_link: !!document.querySelector('a[href="#sisalto"]'),
      };
    });
    await page.setViewport({ width: 320, height: 800 });
    await new Promise((r) => setTimeout(r, 200));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
    await page.setViewport({ width: 375, height: 800 });
    if (shots) await page.screenshot({ path: path.join(shots, 'phone-375.png') });
    console.log(JSON.stringify({ violations, external, overflow_320: overflow, ...facts }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.log(JSON.stringify({ error: String(e) })); process.exit(2); });
