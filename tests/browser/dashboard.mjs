// Drives the dashboard in Debian's chromium, as its users would, against a running cdp
// (started by dashboard_test.cc beside this file, which seeds the data this script expects).
//
//   node dashboard.mjs --phase main|report --config CONFIG.json
//
// CONFIG: {"url", "shots" (folder for screenshots, or ""), "brand_a": {"editor", "viewer",
// "password"}, "brand_b": {"editor", "password"}, "campaign_id"? (phase report)}.
// Phase main: sign in, find a user, build and save a segment watching its count, write a
// campaign with a preview, send it and wait for its report; a viewer cannot change
// anything; a second brand's operator sees none of it. Prints {"segment_id","campaign_id"}
// as its last line. Phase report: the report after the test opened and clicked one message.
// Exits non-zero, naming the step, when anything differs.
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const config = JSON.parse(readFileSync(args.config, 'utf8'));
const base = `${config.url}/dashboard/`;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let step = 'start';
const errors = [];

async function newPage(browser) {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => errors.push(`${step}: page error: ${e.message}`));
  return page;
}

// Saves the page at both widths as NAME-desktop.png and NAME-phone.png.
async function shot(page, name) {
  if (!config.shots) return;
  mkdirSync(config.shots, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${config.shots}/${name}-desktop.png` });
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${config.shots}/${name}-phone.png`, fullPage: false });
  await page.setViewportSize(DESKTOP);
  await page.waitForTimeout(200);
}

async function signIn(page, email, password) {
  step = `sign in as ${email}`;
  await page.goto(base);
  await page.locator('form input[type=email]').fill(email);
  await page.locator('form input[type=password]').fill(password);
  await page.locator('form button[type=submit]').click();
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
}

async function go(page, hash) {
  await page.goto(`${base}#/${hash}`);
}

// A call from inside the page with its session and CSRF token: what a viewer could try
// by hand. Answers {status, body}.
async function callFromPage(page, path, body) {
  return page.evaluate(async ([p, b]) => {
    const s = await (await fetch('/dashboard/api/session')).json();
    const res = await fetch(p, { method: 'POST', body: JSON.stringify(b),
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.response.data.csrf_token } });
    return { status: res.status, body: await res.json() };
  }, [path, body]);
}

async function expectText(locator, text) {
  await locator.filter({ hasText: text }).first().waitFor();
}

async function mainPhase(browser) {
  const a = config.brand_a;
  const page = await newPage(browser);

  step = 'login page';
  await page.goto(base);
  await page.locator('form input[type=email]').waitFor();
  assert.equal(await page.locator('form button[type=submit]').count(), 1);
  await shot(page, 'login');

  step = 'wrong password';
  await page.locator('form input[type=email]').fill(a.editor);
  await page.locator('form input[type=password]').fill('not the password');
  await page.locator('form button[type=submit]').click();
  await page.getByRole('alert').waitFor();

  await signIn(page, a.editor, a.password);
  step = 'overview';
  await expectText(page.locator('.tile'), 'Profiles');
  assert.equal(await page.locator('.tile .value').first().textContent(), '5');
  await page.locator('.chart canvas').first().waitFor();
  await shot(page, 'overview');

  step = 'find a user by email';
  await page.getByRole('link', { name: 'Users' }).click();
  await page.locator('#user-query').fill('ADA@example.com');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'u1' }).waitFor();
  await shot(page, 'users');
  await page.getByRole('link', { name: 'u1' }).click();
  step = 'a user page';
  await page.getByRole('heading', { name: 'u1' }).waitFor();
  await expectText(page.locator('dd'), 'ada@example.com');
  await expectText(page.locator('td'), 'purchase');
  await expectText(page.locator('dd'), 'pro'); // custom attribute plan
  await shot(page, 'user');

  step = 'build a segment';
  await go(page, 'segments');
  await page.getByRole('link', { name: 'New segment' }).click();
  await page.locator('#segment-name').fill('Female buyers');
  const count = page.locator('#segment-count');
  await expectText(count, '5'); // an empty "all" matches every profile
  await page.getByRole('button', { name: '+ Attribute' }).click();
  await page.getByLabel('Attribute', { exact: true }).selectOption('gender');
  await page.getByLabel('Operator', { exact: true }).selectOption('eq');
  await page.getByLabel('Value', { exact: true }).fill('female');
  await expectText(count, '3');
  await page.getByRole('button', { name: '+ Event' }).first().click();
  await page.getByLabel('Event name').fill('purchase');
  await expectText(count, '2');
  const rule = JSON.parse(await page.locator('#segment-json').inputValue());
  assert.deepEqual(rule, { all: [{ attribute: 'gender', op: 'eq', value: 'female' }, { event: 'purchase', op: 'did' }] });
  await shot(page, 'segment');
  await page.getByRole('button', { name: 'Create segment' }).click();
  await page.waitForURL(/#\/segments\/seg_/);
  const segmentId = decodeURIComponent(page.url().split('#/segments/')[1]);
  await go(page, 'segments');
  await expectText(page.locator('td.num'), '2');
  await shot(page, 'segments');

  step = 'an error next to its field';
  await go(page, 'campaigns/new');
  await page.locator('#campaign-name').fill('Winter sale');
  await page.locator('#campaign-segment').selectOption({ label: 'Female buyers' });
  await page.locator('#content-subject').fill('Hi {{ firstName');
  await page.locator('#content-html').fill('<p>Hello</p>');
  await page.getByRole('button', { name: 'Save draft' }).click();
  const subjectError = page.locator('[data-field="content.subject"] .field-error');
  await subjectError.waitFor();
  assert.match(await subjectError.textContent(), /content\.subject/);

  step = 'a campaign with a preview';
  await page.locator('#content-subject').fill('Hi {{ firstName | default: "there" }}');
  await page.locator('#content-html').fill(
    '<p>Hello {{ firstName }}, the sale is on.</p><p><a href="https://shop.example/sale">Shop now</a></p>');
  await page.locator('#preview-user').fill('u1');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expectText(page.locator('#preview-subject'), 'Hi Ada');
  await shot(page, 'campaign-edit');
  await page.locator('#send-now').click();
  await page.waitForURL(/#\/campaigns\/cmp_[^/]+$/);
  const campaignId = decodeURIComponent(page.url().split('#/campaigns/')[1]);

  step = 'the report reaches the numbers';
  for (let i = 0; ; i++) {
    const sent = await page.locator('#kpis .tile .value').first().textContent();
    if (sent === '2') break;
    assert.ok(i < 60, `the report shows ${sent} sent after 30 s`);
    await page.waitForTimeout(500);
    await page.reload();
    await page.locator('#kpis').waitFor();
  }
  step = 'schedule an SMS to a list of users, then cancel it';
  page.on('dialog', (d) => d.accept());
  await go(page, 'campaigns/new');
  await page.locator('#campaign-name').fill('Tomorrow');
  await page.locator('#campaign-channel').selectOption('sms');
  await page.locator('#campaign-audience').selectOption('users');
  await page.locator('#campaign-users').fill('u5\nu4');
  await page.locator('#content-text').fill('Hi {{ firstName }}, see you tomorrow');
  const tomorrow = new Date(Date.now() + 86400e3);
  const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
  await page.locator('#campaign-send-at').fill(local);
  await page.getByRole('button', { name: 'Schedule' }).click();
  await page.waitForURL(/#\/campaigns\/cmp_[^/]+\/edit$/);
  await expectText(page.locator('.badge'), 'scheduled');
  await page.getByRole('button', { name: 'Cancel campaign' }).click();
  await page.waitForURL(/#\/campaigns\/cmp_[^/]+$/);
  await expectText(page.locator('.badge'), 'cancelled');

  step = 'add and remove an operator';
  await go(page, 'settings');
  await page.locator('#operator-email').fill('temp@acme.test');
  await page.locator('#operator-password').fill('short');
  await page.getByRole('button', { name: 'Add operator' }).click();
  await page.locator('form .field-error, form .banner.error').first().waitFor();
  await page.locator('#operator-password').fill('long enough password');
  await page.getByRole('button', { name: 'Add operator' }).click();
  await expectText(page.locator('td'), 'temp@acme.test');
  await page.locator('tr', { hasText: 'temp@acme.test' }).getByRole('button', { name: 'Remove' }).click();
  await page.locator('td', { hasText: 'temp@acme.test' }).waitFor({ state: 'detached' });

  await go(page, 'campaigns');
  await expectText(page.locator('td'), 'Winter sale');
  await expectText(page.locator('td'), 'Tomorrow');
  await shot(page, 'campaigns');
  await go(page, 'settings');
  await expectText(page.locator('h2'), 'Operators');
  await expectText(page.locator('td'), a.viewer);
  await shot(page, 'settings');

  step = 'a viewer changes nothing';
  const viewer = await newPage(browser);
  await signIn(viewer, a.viewer, a.password);
  await go(viewer, 'segments');
  await expectText(viewer.locator('td'), 'Female buyers');
  assert.equal(await viewer.getByRole('link', { name: 'New segment' }).count(), 0);
  await viewer.getByRole('link', { name: 'Female buyers' }).click();
  await viewer.locator('#segment-name').waitFor();
  assert.equal(await viewer.locator('#segment-name').isDisabled(), true);
  let r = await callFromPage(viewer, '/dashboard/api/v1/segment/create', { name: 'x', rules: { all: [] } });
  assert.equal(r.status, 403, JSON.stringify(r.body));
  r = await callFromPage(viewer, '/dashboard/api/v1/segment/delete', { segment_id: segmentId });
  assert.equal(r.status, 403, JSON.stringify(r.body));
  r = await callFromPage(viewer, '/dashboard/api/v1/campaign/cancel', { campaign_id: campaignId });
  assert.equal(r.status, 403, JSON.stringify(r.body));
  r = await callFromPage(viewer, '/dashboard/api/operator/create', { email: 'x@a.test', password: 'long enough pw', role: 'editor' });
  assert.equal(r.status, 403, JSON.stringify(r.body));
  r = await callFromPage(viewer, '/dashboard/api/v1/segment/count', { segment_id: segmentId });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.response.data.count, 2);

  step = "another brand's operator sees none of it";
  const other = await newPage(browser);
  await signIn(other, config.brand_b.editor, config.brand_b.password);
  await go(other, 'segments');
  await expectText(other.locator('p.muted'), 'No segments yet.');
  await go(other, 'campaigns');
  await expectText(other.locator('p.muted'), 'No campaigns yet.');
  await go(other, 'users');
  await other.locator('#user-query').fill('ada@example.com');
  await other.getByRole('button', { name: 'Search' }).click();
  await expectText(other.locator('p.muted'), 'No user matches');
  await go(other, `segments/${encodeURIComponent(segmentId)}`);
  await other.getByRole('alert').waitFor();
  r = await callFromPage(other, '/dashboard/api/v1/report/campaign', { campaign_id: campaignId });
  assert.equal(r.status, 404, JSON.stringify(r.body));
  await go(other, '');
  assert.equal(await other.locator('.tile .value').first().textContent(), '0');

  step = 'sign out';
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('form input[type=email]').waitFor();
  await go(page, 'segments');
  await page.locator('form input[type=email]').waitFor();

  return { segment_id: segmentId, campaign_id: campaignId };
}

async function reportPhase(browser) {
  const page = await newPage(browser);
  await signIn(page, config.brand_a.editor, config.brand_a.password);
  step = 'the report after an open and a click';
  await go(page, `campaigns/${encodeURIComponent(config.campaign_id)}`);
  const tile = (label) => page.locator('#kpis .tile').filter({ hasText: label }).locator('.value');
  for (let i = 0; ; i++) {
    if ((await tile('Clicked').textContent()) === '50.0%') break;
    assert.ok(i < 20, `Clicked shows ${await tile('Clicked').textContent()}`);
    await page.waitForTimeout(500);
    await page.reload();
    await page.locator('#kpis').waitFor();
  }
  assert.equal(await tile('Sent').textContent(), '2');
  assert.equal(await tile('Delivered').textContent(), '100.0%');
  assert.equal(await tile('Opened').textContent(), '50.0%');
  await expectText(page.locator('td'), 'https://shop.example/sale');
  await page.locator('.chart canvas').first().waitFor();
  step = 'the CSV download';
  const [dl] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download CSV' }).click()]);
  assert.match(dl.suggestedFilename(), /\.csv$/);
  await shot(page, 'report');
  return {};
}

const browser = await chromium.launch({ executablePath: process.env.CDP_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
let code = 0;
try {
  const out = args.phase === 'report' ? await reportPhase(browser) : await mainPhase(browser);
  assert.deepEqual(errors, []);
  console.log(JSON.stringify(out));
} catch (err) {
  console.error(`FAILED at step "${step}": ${err.stack || err}`);
  for (const e of errors) console.error(e);
  code = 1;
} finally {
  await browser.close();
}
process.exit(code);
