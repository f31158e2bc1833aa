// The farm dashboard: reads GET /api/admin/farm with the moderator's token every few seconds and
// draws it. Every value goes in through textContent or an SVG attribute, never as markup.
'use strict';

const REFRESH_MS = 3000;
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 600;
const HEIGHT = 150;
const PAD = { left: 34, right: 6, top: 8, bottom: 18 };

const $ = (id) => document.getElementById(id);
let timer;

function readToken() {
  const match = /(?:^|&)token=([^&]+)/.exec(location.hash.slice(1));
  if (match) {
    sessionStorage.setItem('ap-token', decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem('ap-token') || '';
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

function clock(iso, withDate) {
  const date = new Date(iso);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return withDate ? `${date.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}` : time;
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

function renderBackends(backends) {
  const body = $('backends').tBodies[0];
  body.replaceChildren();
  for (const backend of backends) {
    const row = element('tr');
    row.dataset.backend = backend.name;
    row.dataset.state = backend.state;
    const name = element('td', backend.name);
    if (backend.server && backend.server !== backend.name) name.append(element('small', ` ${backend.server}`));
    const state = element('td');
    state.append(element('span', backend.state, `state state-${backend.state}`));
    if (backend.since) state.append(element('small', ` since ${clock(backend.since)}`));
    const job = element('td', backend.job_id || '', 'job');
    const busy = element('td');
    const meter = element('meter');
    meter.min = 0;
    meter.max = 1;
    meter.value = backend.busy_share_hour;
    busy.append(meter, element('span', ` ${Math.round(backend.busy_share_hour * 1000) / 10} %`, 'share'));
    row.append(name, state, job, busy);
    body.append(row);
  }
  $('no-backends').hidden = backends.length > 0;
}

function axes(plot, maxLabel, firstLabel, lastLabel) {
  const bottom = HEIGHT - PAD.bottom;
  plot.append(
    svg('line', { class: 'axis', x1: PAD.left, y1: bottom, x2: WIDTH - PAD.right, y2: bottom }),
    svg('line', { class: 'axis', x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: bottom }),
    svg('text', { x: PAD.left - 4, y: PAD.top + 8, 'text-anchor': 'end' }, maxLabel),
    svg('text', { x: PAD.left - 4, y: bottom, 'text-anchor': 'end' }, '0'),
    svg('text', { x: PAD.left, y: HEIGHT - 4 }, firstLabel),
    svg('text', { x: WIDTH - PAD.right, y: HEIGHT - 4, 'text-anchor': 'end' }, lastLabel),
  );
}

function frame(label) {
  return svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': label });
}

/** Bars of finished jobs per bucket, the failed share in red on top. */
function finishedPlot(series, withDate) {
  const buckets = series.buckets;
  const plot = frame(`jobs finished per ${series.bucket_seconds === 60 ? 'minute' : 'hour'}`);
  const top = Math.max(1, ...buckets.map((b) => b.finished));
  const inner = HEIGHT - PAD.top - PAD.bottom;
  const slot = (WIDTH - PAD.left - PAD.right) / buckets.length;
  buckets.forEach((b, i) => {
    if (b.finished === 0) return;
    const x = PAD.left + i * slot + slot * 0.1;
    const done = b.finished - b.failed;
    const doneHeight = (done / top) * inner;
    const failedHeight = (b.failed / top) * inner;
    const bottom = HEIGHT - PAD.bottom;
    const group = svg('g', { class: 'bucket', 'data-at': b.at, 'data-finished': b.finished });
    group.append(svg('title', {}, `${clock(b.at, withDate)}: ${b.finished} finished, ${b.failed} failed`));
    if (done > 0) group.append(svg('rect', { class: 'bar', x, y: bottom - doneHeight, width: slot * 0.8, height: doneHeight }));
    if (b.failed > 0) group.append(svg('rect', { class: 'bar-failed', x, y: bottom - doneHeight - failedHeight, width: slot * 0.8, height: failedHeight }));
    plot.append(group);
  });
  axes(plot, String(top), clock(buckets[0].at, withDate), 'now');
  return plot;
}

/** The average wait as a line (broken where no job finished), the longest as dots. */
function waitPlot(series, withDate) {
  const buckets = series.buckets;
  const plot = frame('wait before start');
  const top = Math.max(1, ...buckets.map((b) => b.wait_max_seconds || 0));
  const inner = HEIGHT - PAD.top - PAD.bottom;
  const slot = (WIDTH - PAD.left - PAD.right) / buckets.length;
  const y = (seconds) => HEIGHT - PAD.bottom - (seconds / top) * inner;
  let points = [];
  const flush = () => {
    if (points.length > 1) plot.append(svg('polyline', { class: 'wait-avg', points: points.join(' ') }));
    else if (points.length === 1) plot.append(svg('circle', { class: 'wait-avg', cx: points[0].split(',')[0], cy: points[0].split(',')[1], r: 1.5 }));
    points = [];
  };
  buckets.forEach((b, i) => {
    if (b.wait_avg_seconds === null) return flush();
    const x = PAD.left + (i + 0.5) * slot;
    points.push(`${x.toFixed(1)},${y(b.wait_avg_seconds).toFixed(1)}`);
    const dot = svg('circle', { class: 'wait-max', cx: x.toFixed(1), cy: y(b.wait_max_seconds).toFixed(1), r: 2.5 });
    dot.append(svg('title', {}, `${clock(b.at, withDate)}: average ${duration(b.wait_avg_seconds)}, longest ${duration(b.wait_max_seconds)}`));
    plot.append(dot);
  });
  flush();
  axes(plot, duration(top), clock(buckets[0].at, withDate), 'now');
  return plot;
}

function renderTopUsers(users) {
  const list = $('top-users');
  list.replaceChildren();
  for (const user of users) {
    const item = element('li');
    item.dataset.user = user.user;
    item.append(element('strong', user.user), element('span', ` ${duration(user.gpu_seconds)} of GPU time, ${user.attempts} ${user.attempts === 1 ? 'run' : 'runs'}`));
    list.append(item);
  }
  $('no-users').hidden = users.length > 0;
}

/** Jobs the quality check rendered again, and those posted with its note after a second failure. */
function renderQuality(quality) {
  for (const window of ['hour', 'day']) {
    const row = $('quality').querySelector(`tr[data-window="${window}"]`);
    row.querySelector('.rerendered').textContent = String(quality[window].rerendered);
    row.querySelector('.failed').textContent = String(quality[window].failed);
  }
}

function render(farm) {
  $('queued').textContent = String(farm.queue.queued);
  $('running').textContent = String(farm.queue.running);
  $('oldest').textContent = duration(farm.queue.oldest_wait_seconds);
  renderBackends(farm.backends);
  $('plot-finished-hour').replaceChildren(finishedPlot(farm.throughput.hour, false));
  $('plot-finished-day').replaceChildren(finishedPlot(farm.throughput.day, true));
  $('plot-wait-hour').replaceChildren(waitPlot(farm.throughput.hour, false));
  $('plot-wait-day').replaceChildren(waitPlot(farm.throughput.day, true));
  renderQuality(farm.quality);
  renderTopUsers(farm.top_users);
  $('farm').hidden = false;
  $('status').textContent = `Updated ${new Date(farm.at).toLocaleTimeString()} · refreshes every ${REFRESH_MS / 1000} s`;
  document.body.dataset.updated = farm.at;
}

async function refresh(token) {
  let response;
  try {
    response = await fetch('/api/admin/farm', { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  } catch {
    $('status').textContent = 'The server does not answer; trying again…';
    return true;
  }
  const body = await response.json().catch(() => ({}));
  if (response.status === 401 || response.status === 403) {
    sessionStorage.removeItem('ap-token');
    $('farm').hidden = true;
    $('signin').hidden = false;
    showError(body.error ? body.error.message : 'this token may not see the farm');
    return false;
  }
  if (!response.ok) {
    $('status').textContent = `${body.error ? body.error.message : 'the farm could not be read'}; trying again…`;
    return true;
  }
  $('error').hidden = true;
  render(body);
  return true;
}

function start(token) {
  clearTimeout(timer);
  $('signin').hidden = true;
  const loop = async () => {
    if (await refresh(token)) timer = setTimeout(loop, REFRESH_MS);
  };
  void loop();
}

function init() {
  $('signin').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token').value.trim();
    sessionStorage.setItem('ap-token', token);
    start(token);
  });
  const token = readToken();
  if (token) start(token);
}

init();
