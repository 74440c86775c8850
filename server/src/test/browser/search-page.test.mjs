// The search page in a real headless Chromium (Debian's /usr/bin/chromium, or $CHROMIUM), against
// `./clip serve` on the tiny fixture model with a bearer token: type a query and see the grid, drop
// an image to find similar ones, drop one with labels to classify it. Screenshots are kept under
// server/target/browser/. Run by .ci/run; by hand: (cd server/src/test/browser && npm ci && npm test).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const fixture = join(root, 'src/test/fixtures/clip-tiny');
const artefacts = join(root, 'server/target/browser');
const token = 'browser-test-token';
let work, server, url, browser, page;

function clip(...args) {
  return execFileSync(join(root, 'clip'), args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
}

before(async () => {
  mkdirSync(artefacts, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'jclip-browser-'));
  const model = join(work, 'clip-tiny.safetensors');
  clip('convert', join(fixture, 'hf'), model);
  clip('index', join(fixture, 'images'), '--model', model, '--out', join(work, 'images.idx'));
  writeFileSync(join(work, 'token'), token + '\n', { mode: 0o600 });

  server = spawn(join(root, 'clip'), ['serve', '--index', join(work, 'images.idx'), '--port', '0',
    '--token-file', join(work, 'token')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('./clip serve did not start within 60 s')), 60_000);
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    server.on('exit', (code) => fail(new Error('./clip serve exited with ' + code)));
  });

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => assert.fail('page error: ' + e.message));
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((ok) => server.on('exit', ok));
    server.kill('SIGTERM');
    await exited;
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

async function drop(name, type) {
  const bytes = readFileSync(join(fixture, 'images', name)).toString('base64');
  const dataTransfer = await page.evaluateHandle(({ bytes, name, type }) => {
    const data = Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([data], name, { type }));
    return dt;
  }, { bytes, name, type });
  await page.dispatchEvent('#drop', 'drop', { dataTransfer });
}

test('a text query shows a grid of thumbnails with scores, after asking for the token', async () => {
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('status').textContent.includes('images indexed'));
  assert.match(await page.textContent('#status'), /5 images indexed/);

  await page.fill('#query', 'a photo of a cat');
  await page.press('#query', 'Enter');
  await page.waitForSelector('#token-form:not([hidden])');   // the API answered 401
  await page.fill('#token', token);
  await page.press('#token', 'Enter');                      // the search runs again with the token

  await page.waitForSelector('body[data-state="results"]');
  assert.ok(await page.isHidden('#token-form'), 'the token form goes away once the token works');
  const cards = await page.$$eval('#results .card', (cs) => cs.map((c) => ({
    path: c.querySelector('.path').textContent,
    score: c.querySelector('.score').textContent,
    loaded: c.querySelector('img').complete && c.querySelector('img').naturalWidth > 0,
  })));
  assert.equal(cards.length, 5);
  assert.deepEqual(cards.map((c) => c.path).sort(),
    ['astronaut.png', 'camera.png', 'chelsea.png', 'coffee.png', 'rocket.jpg']);
  for (const c of cards) {
    assert.ok(c.loaded, c.path + ': thumbnail shown');
    assert.match(c.score, /^-?\d\.\d{3}$/);
  }
  const scores = cards.map((c) => Number(c.score));
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'best first');
  await page.screenshot({ path: join(artefacts, 'search-page.png'), fullPage: true });
});

test('dropping an image finds it first among similar ones', async () => {
  await drop('rocket.jpg', 'image/jpeg');
  await page.waitForFunction(() => document.getElementById('message').textContent.includes('rocket.jpg')
    && document.body.dataset.state === 'results');
  const first = await page.$eval('#results .card', (c) => [c.querySelector('.path').textContent, c.querySelector('.score').textContent]);
  assert.equal(first[0], 'rocket.jpg');
  assert.equal(first[1], '1.000');
  await page.screenshot({ path: join(artefacts, 'search-by-image.png'), fullPage: true });
});

test('dropping an image with labels classifies it', async () => {
  await page.fill('#labels', 'cat, rocket, cup of coffee');
  await drop('chelsea.png', 'image/png');
  await page.waitForSelector('body[data-state="classified"]');
  const rows = await page.$$eval('#classification li', (ls) => ls.map((l) => [l.firstChild.textContent,
    Number(l.querySelector('.probability').textContent.replace(' %', ''))]));
  assert.deepEqual(rows.map((r) => r[0]).sort(), ['cat', 'cup of coffee', 'rocket']);
  const total = rows.reduce((s, r) => s + r[1], 0);
  assert.ok(Math.abs(total - 100) < 0.5, 'probabilities add up to 100 %: ' + total);
  assert.equal(await page.$$eval('#results .card', (cs) => cs.length), 0);
  await page.screenshot({ path: join(artefacts, 'classify.png'), fullPage: true });
});
